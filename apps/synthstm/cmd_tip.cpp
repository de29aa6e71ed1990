// synthstm tip list | show: the built-in tungsten tips, a picture of each apex and its LDOS.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output_dir.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/io/apex_picture.hpp"
#include "synthstm/io/plot.hpp"
#include "synthstm/tip/tip_ldos.hpp"
#include "synthstm/tip/tip_variants.hpp"

namespace synthstm::cli {
namespace {

struct TipListOptions {
    bool names_only = false;
    bool json = false;
};

struct TipShowOptions {
    std::string name;
    std::string out = "tip-out";
    std::string model = "w-single";
    double emin_eV = -6.0;
    double emax_eV = 6.0;
    int points = 601;
    double broadening_eV = 0.1;
    double apex_height_nm = kDefaultApexHeight_nm;
    double view_height_nm = 1.0;
};

void run_list(const TipListOptions& o) {
    nlohmann::json all = nlohmann::json::array();
    if (!o.names_only && !o.json) fmt::print("{:<20} {:>6}  {:<16} {}\n", "name", "atoms", "lowest layers", "apex");
    for (const std::string& name : tip_variant_names()) {
        if (o.names_only) {
            fmt::print("{}\n", name);
            continue;
        }
        const TipGeometry tip = build_tip(name);
        const auto all_layers = height_layers(tip);
        std::vector<std::size_t> layers;
        for (std::size_t l = 0; l < std::min<std::size_t>(4, all_layers.size()); ++l) layers.push_back(all_layers[l].size());
        if (o.json) {
            all.push_back({{"name", name}, {"atoms", tip.size()}, {"lowest_layers", layers},
                           {"apexes", tip.apex_indices.size()}, {"description", tip.description}});
        } else {
            fmt::print("{:<20} {:>6}  {:<16} {}\n", name, tip.size(), fmt::format("{}", fmt::join(layers, ", ")),
                       tip.description);
        }
    }
    if (o.json) std::cout << all.dump() << "\n";
}

void run_show(const TipShowOptions& o) {
    const TipGeometry tip = build_tip(o.name);
    const auto model = cluster_model_by_name(o.model);
    const EnergyGrid grid{o.emin_eV, o.emax_eV, o.points};
    grid.validate();
    validate_broadening(o.broadening_eV);
    if (!(o.view_height_nm > 0.0)) invalid_input(fmt::format("--view-height must be positive, got {}", o.view_height_nm));
    const std::filesystem::path dir = prepare_output_dir(o.out);

    const TipLdos apex = tip_ldos(tip, *model, grid, o.broadening_eV, o.apex_height_nm);
    const std::filesystem::path picture = dir / fmt::format("tip_{}_apex.png", tip.name);
    write_apex_picture(picture, tip.name, tip.atoms_nm, apex.atoms, o.view_height_nm);

    // LDOS of the apex reference atom and of the other apex atoms grouped by layer height.
    const std::filesystem::path csv_path = dir / fmt::format("tip_{}_{}_ldos.csv", tip.name, model->name());
    {
        std::ofstream csv(csv_path);
        csv << "energy_eV";
        for (std::size_t r = 0; r < apex.atoms.size(); ++r)
            csv << fmt::format(",atom{}_z{:.3f}nm", apex.atoms[r], apex.positions_nm[r].z());
        csv << "\n";
        for (int e = 0; e < grid.points; ++e) {
            csv << fmt::format("{:.6f}", apex.ldos.energy_eV[e]);
            for (std::size_t r = 0; r < apex.atoms.size(); ++r) csv << fmt::format(",{:.9g}", apex.ldos.ldos_per_eV(r, e));
            csv << "\n";
        }
        if (!csv) io_error(fmt::format("cannot write {}", csv_path.string()));
    }
    LinePlot plot;
    plot.title = fmt::format("{} apex LDOS, model {} (KPM, Jackson σ = {} eV)", tip.name, model->name(), o.broadening_eV);
    plot.x_label = "E − E_F (eV)";
    plot.y_label = "LDOS per atom (states / eV)";
    // Up to four curves: the apex atom and the first atoms of the next distinct heights.
    std::vector<double> heights;
    for (std::size_t r = 0; r < apex.atoms.size() && plot.series.size() < 4; ++r) {
        const double z = apex.positions_nm[r].z();
        if (std::any_of(heights.begin(), heights.end(), [&](double h) { return std::abs(h - z) < 1e-3; })) continue;
        heights.push_back(z);
        const auto row = apex.ldos.ldos_per_eV.row(static_cast<Eigen::Index>(r));
        plot.series.push_back({apex.ldos.energy_eV, std::vector<double>(row.begin(), row.end()),
                               r == 0 ? "apex atom" : fmt::format("atom {:.2f} nm up", z),
                               palette_colour(static_cast<int>(plot.series.size()))});
    }
    const std::filesystem::path ldos_png = dir / fmt::format("tip_{}_{}_ldos.png", tip.name, model->name());
    write_line_plot_png(ldos_png, plot);
    fmt::print("{}: {} atoms, {} apex atoms within {} nm ({}); wrote {}, {} and {}\n", tip.name, tip.size(),
               apex.atoms.size(), o.apex_height_nm, apex.from_cache ? "LDOS from cache" : "LDOS computed",
               picture.string(), ldos_png.string(), csv_path.string());
}

}  // namespace

void register_tip(CLI::App& app) {
    CLI::App* tip = app.add_subcommand("tip", "Built-in tungsten tips: list them, show an apex and its LDOS");
    tip->require_subcommand(1);

    auto lo = std::make_shared<TipListOptions>();
    CLI::App* list = tip->add_subcommand("list", "Names of all tip variants with atom counts and lowest layers");
    list->add_flag("--names", lo->names_only, "print only the names, one per line");
    list->add_flag("--json", lo->json, "print a JSON array of {name, atoms, lowest_layers, apexes, description}");
    list->callback([lo] { run_list(*lo); });

    auto so = std::make_shared<TipShowOptions>();
    CLI::App* show = tip->add_subcommand("show", "Apex geometry picture and apex-atom LDOS of one tip variant");
    show->add_option("name", so->name, "tip variant (see synthstm tip list)")->required();
    show->add_option("--out", so->out, "output directory")->capture_default_str();
    show->add_option("--model", so->model, "tip tight-binding model: w-single, w-spd")->capture_default_str();
    show->add_option("--emin", so->emin_eV, "lowest energy (eV)")->capture_default_str();
    show->add_option("--emax", so->emax_eV, "highest energy (eV)")->capture_default_str();
    show->add_option("--points", so->points, "energy points")->capture_default_str();
    show->add_option("--broadening", so->broadening_eV, "Jackson kernel σ (eV)")->capture_default_str();
    show->add_option("--apex-height", so->apex_height_nm, "atoms up to this height above the apex get an LDOS (nm)")
        ->capture_default_str();
    show->add_option("--view-height", so->view_height_nm, "picture the atoms up to this height (nm)")->capture_default_str();
    show->callback([so] { run_show(*so); });
}

}  // namespace synthstm::cli
