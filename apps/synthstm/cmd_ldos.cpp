// synthstm ldos: the LDOS of one surface site by any of the three methods.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "defects_file.hpp"
#include "output_dir.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/io/plot.hpp"
#include "synthstm/ldos/site_ldos.hpp"

namespace synthstm::cli {
namespace {

struct LdosOptions {
    std::string model = "wse2-single";
    std::string method = "tmatrix";
    std::string site = "Se_top";
    std::vector<int> cell = {0, 0};
    std::string defects_file;
    double emin_eV = -4.0;
    double emax_eV = 4.0;
    int points = 801;
    double broadening_eV = 0.05;
    bool json = false;
    std::string out = "ldos-out";
    SurfaceLdosSettings settings;
};

void run_ldos(const LdosOptions& o) {
    const PeriodicModel& model = periodic_model_by_name(o.model);
    const LdosMethod method = parse_ldos_method(o.method);
    const EnergyGrid grid{o.emin_eV, o.emax_eV, o.points};
    grid.validate();
    validate_broadening(o.broadening_eV);
    const std::vector<Defect> defects =
        o.defects_file.empty() ? std::vector<Defect>{} : read_defects_file(o.defects_file, *model.material);
    const SiteLdos result =
        site_ldos(method, model, o.site, {o.cell[0], o.cell[1]}, defects, grid, o.broadening_eV, o.settings);
    const std::vector<double>& ldos = result.ldos;
    const std::vector<double>& energy_eV = result.energy_eV;

    if (o.json) {
        nlohmann::json j;
        j["energy_eV"] = energy_eV;
        j["ldos"] = ldos;
        j["method"] = ldos_method_name(method);
        j["site"] = o.site;
        j["cell"] = o.cell;
        j["model"] = model.name;
        j["broadening_eV"] = o.broadening_eV;
        j["defects"] = defects.size();
        std::cout << j.dump() << "\n";
        return;
    }
    const std::filesystem::path dir = prepare_output_dir(o.out);
    const std::string stem = fmt::format("ldos_{}_{}_{}", model.name, o.site, ldos_method_name(method));
    {
        std::ofstream csv(dir / (stem + ".csv"));
        csv << "energy_eV,ldos_per_eV\n";
        for (std::size_t e = 0; e < ldos.size(); ++e) csv << fmt::format("{:.6f},{:.9g}\n", energy_eV[e], ldos[e]);
        if (!csv) io_error(fmt::format("cannot write {}", (dir / (stem + ".csv")).string()));
    }
    LinePlot plot;
    plot.title = fmt::format("{} LDOS, site {} cell ({}, {}), {} (broadening {} eV){}", model.name, o.site, o.cell[0],
                             o.cell[1], ldos_method_name(method), o.broadening_eV,
                             defects.empty() ? "" : fmt::format(", {} defects", defects.size()));
    plot.x_label = "E − E_F (eV)";
    plot.y_label = "LDOS (states / eV)";
    plot.series.push_back({energy_eV, ldos, ldos_method_name(method), palette_colour(0)});
    write_line_plot_png(dir / (stem + ".png"), plot);
    fmt::print("wrote {} and {}\n", (dir / (stem + ".csv")).string(), (dir / (stem + ".png")).string());
}

}  // namespace

void register_ldos(CLI::App& app) {
    auto o = std::make_shared<LdosOptions>();
    CLI::App* cmd = app.add_subcommand("ldos", "Local density of states of a surface site (exact, kpm or tmatrix)");
    cmd->add_option("--model", o->model, "tight-binding model: wse2-single, mos2-single, wse2-liu3, mos2-liu3")
        ->capture_default_str();
    cmd->add_option("--method", o->method, "exact (dense, supercell) | kpm (Chebyshev, supercell) | tmatrix (lattice Green's function + T-matrix)")
        ->capture_default_str();
    cmd->add_option("--site", o->site, "site name: Se_top, Se_bottom, W (S_top, ... for MoS2; X_top, X_bottom, M generic)")
        ->capture_default_str();
    cmd->add_option("--cell", o->cell, "unit cell i j of the site (cells are i·a1 + j·a2)")->expected(2)->capture_default_str();
    cmd->add_option("--defects", o->defects_file, "JSON defects file: {\"defects\": [{\"type\": \"vacancy\", \"site\": \"Se_top\", \"cell\": [0, 1]}, {\"type\": \"dopant\", \"site\": \"W\", \"cell\": [2, 0], \"onsite_eV\": 0.3}]}");
    cmd->add_option("--emin", o->emin_eV, "lowest energy (eV, relative to E_F)")->capture_default_str();
    cmd->add_option("--emax", o->emax_eV, "highest energy (eV)")->capture_default_str();
    cmd->add_option("--points", o->points, "energy points")->capture_default_str();
    cmd->add_option("--broadening", o->broadening_eV, "broadening (eV): Lorentzian η for exact/tmatrix, Jackson kernel σ for kpm")
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "print {\"energy_eV\": [...], \"ldos\": [...], ...} instead of writing files");
    cmd->add_option("--out", o->out, "output directory for the CSV and PNG")->capture_default_str();
    cmd->add_option("--supercell", o->settings.exact_supercell, "exact: periodic supercell side in cells")->capture_default_str();
    cmd->add_option("--kpm-supercell", o->settings.kpm_supercell, "kpm: periodic supercell side in cells")->capture_default_str();
    cmd->add_option("--kgrid", o->settings.k_grid, "tmatrix: k-points per side of the lattice Green's function")->capture_default_str();
    cmd->callback([o] { run_ldos(*o); });
}

}  // namespace synthstm::cli
