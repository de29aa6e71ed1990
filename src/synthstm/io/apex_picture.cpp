#include "synthstm/io/apex_picture.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "synthstm/io/plot.hpp"

namespace synthstm {

void write_apex_picture(const std::filesystem::path& path, const std::string& name, const std::vector<Vec3>& atoms_nm,
                        const std::vector<int>& apex_atoms, double view_height_nm) {
    std::vector<int> shown;
    for (int i = 0; i < static_cast<int>(atoms_nm.size()); ++i)
        if (atoms_nm[i].z() <= view_height_nm) shown.push_back(i);
    const double radius_nm = 0.07;  // drawn size, about half the W–W bond (0.274 nm)
    DiscPanel side{fmt::format("{}: side view (atoms up to {} nm)", name, view_height_nm), "x (nm)", "z (nm)", {}};
    DiscPanel bottom{fmt::format("{}: seen from the sample", name), "x (nm)", "y (nm)", {}};
    const auto colour = [&](int i) { return viridis(std::clamp(atoms_nm[i].z() / view_height_nm, 0.0, 1.0)); };
    const Colour outline{0.85, 0.1, 0.1};
    const auto is_apex = [&](int i) { return std::find(apex_atoms.begin(), apex_atoms.end(), i) != apex_atoms.end(); };
    // Draws the atoms in the given order (later on top) projected onto two coordinates.
    const auto draw = [&](DiscPanel& panel, std::vector<int> order, auto farther, int u, int v) {
        std::sort(order.begin(), order.end(), farther);
        for (int i : order) {
            const Vec3& r = atoms_nm[i];
            if (is_apex(i)) panel.discs.push_back({r[u], r[v], radius_nm * 1.3, outline});
            panel.discs.push_back({r[u], r[v], radius_nm, colour(i)});
        }
    };
    // Side view: far atoms (large y) first; bottom view: the highest atoms first.
    draw(side, shown, [&](int a, int b) { return atoms_nm[a].y() > atoms_nm[b].y(); }, 0, 2);
    draw(bottom, shown, [&](int a, int b) { return atoms_nm[a].z() > atoms_nm[b].z(); }, 0, 1);
    write_disc_panels_png(path, {side, bottom});
}

}  // namespace synthstm
