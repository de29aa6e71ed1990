#include "synthstm/gui/render_view.hpp"

#include <atomic>
#include <filesystem>
#include <span>
#include <unistd.h>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/instrument/bouc_wen.hpp"
#include "synthstm/io/apex_picture.hpp"
#include "synthstm/io/file_bytes.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/io/plot.hpp"
#include "synthstm/ldos/site_ldos.hpp"
#include "synthstm/tightbinding/periodic_model.hpp"
#include "synthstm/tightbinding/cluster_model.hpp"
#include "synthstm/tip/tip_ldos.hpp"
#include "synthstm/tip/tip_variants.hpp"

namespace synthstm::gui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A temporary directory removed with its content when the object goes.
class ScratchDir {
public:
    ScratchDir() {
        static std::atomic<unsigned> counter{0};
        path_ = fs::temp_directory_path() / fmt::format("synthstm-gui-{}-{}", ::getpid(), counter++);
        fs::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string caption_of(const std::string& name) {
    if (name == "z_recorded_forward") return "recorded topography, forward";
    if (name == "z_recorded_backward") return "recorded topography, backward";
    if (name == "z_true_forward") return "true topography (piezo output), forward";
    if (name == "z_true_backward") return "true topography, backward";
    if (name == "current_forward") return "current, forward";
    if (name == "current_backward") return "current, backward";
    if (name == "constant_height_current") return "constant height: current";
    if (name == "constant_current_height") return "constant current: ideal topography";
    if (name == "lattice") return "ground truth: lattice";
    if (name == "defects") return "ground truth: defects";
    if (name == "classes") return "ground truth: classes";
    return name;
}

/// The hysteresis loop of the z-piezo under a triangle wave of ±1 V (two periods).
std::string hysteresis_png(const ParameterSet& p, const fs::path& dir) {
    BoucWenParameters bw;
    bw.alpha_nm_per_V = 1.0;
    bw.beta_nm_per_V = p.number("hysteresis_weight");
    bw.A = p.number("hysteresis_A");
    bw.B_per_V = p.number("hysteresis_beta");
    bw.C_per_V = p.number("hysteresis_gamma");
    bw.hysteresis = bw.beta_nm_per_V > 0.0;
    BoucWenPiezo piezo(bw);
    Series loop{{}, {}, "Bouc–Wen z-piezo", palette_colour(0)};
    Series linear{{}, {}, "linear α V", palette_colour(1)};
    const int steps = 100;  // per quarter period
    const auto drive = [&](double v) {
        loop.x.push_back(v);
        loop.y.push_back(piezo.drive(v));
    };
    drive(0.0);
    for (int period = 0; period < 2; ++period) {
        for (int i = 1; i <= steps; ++i) drive(static_cast<double>(i) / steps);
        for (int i = 1; i <= 2 * steps; ++i) drive(1.0 - static_cast<double>(i) / steps);
        for (int i = 1; i <= steps; ++i) drive(-1.0 + static_cast<double>(i) / steps);
    }
    linear.x = {-1.0, 1.0};
    linear.y = {-1.0, 1.0};
    LinePlot plot;
    plot.title = fmt::format("±1 V triangle wave: A {:.3g}, β {:.3g}, γ {:.3g}, weight {:.3g}", bw.A, bw.B_per_V,
                             bw.C_per_V, bw.beta_nm_per_V);
    plot.x_label = "drive voltage (V)";
    plot.y_label = "displacement (nm)";
    plot.series = {loop, linear};
    plot.width_px = 600;
    plot.height_px = 400;
    const fs::path path = dir / "hysteresis.png";
    write_line_plot_png(path, plot);
    return png_data_url(read_file_bytes(path));
}

/// The drawn tip variant (as built, before rotation and tilt): a picture of its apex and the
/// LDOS of its apex atoms on a fixed grid of ±2 eV (cached per variant, model and broadening).
json tip_view(const ParameterSet& p, const fs::path& dir) {
    const TipGeometry tip = build_tip(p.text("tip"));
    const auto model = cluster_model_by_name(p.text("tip_model"));
    const EnergyGrid grid{-2.0, 2.0, 161};
    const TipLdos apex = tip_ldos(tip, *model, grid, p.number("ldos_broadening_eV"));
    const fs::path picture = dir / "tip.png";
    write_apex_picture(picture, tip.name, tip.atoms_nm, apex.atoms, 1.0);

    // The apex reference atom and the mean over all apex atoms.
    const auto rows = apex.ldos.ldos_per_eV.rows();
    const auto first = apex.ldos.ldos_per_eV.row(0);
    const Eigen::VectorXd mean = apex.ldos.ldos_per_eV.colwise().mean();
    LinePlot plot;
    plot.title = fmt::format("{} apex LDOS ({}, broadening {:.3g} eV)", tip.name, model->name(), p.number("ldos_broadening_eV"));
    plot.x_label = "E − E_F (eV)";
    plot.y_label = "LDOS per atom (states / eV)";
    plot.series.push_back({apex.ldos.energy_eV, std::vector<double>(first.begin(), first.end()), "apex atom", palette_colour(0)});
    plot.series.push_back({apex.ldos.energy_eV, std::vector<double>(mean.begin(), mean.end()),
                           fmt::format("mean of {} apex atoms", rows), palette_colour(1)});
    plot.width_px = 600;
    plot.height_px = 400;
    const fs::path ldos = dir / "tip_ldos.png";
    write_line_plot_png(ldos, plot);
    return {{"name", tip.name},
            {"atoms", tip.size()},
            {"apex_atoms", apex.atoms.size()},
            {"apex_png", png_data_url(read_file_bytes(picture))},
            {"ldos_png", png_data_url(read_file_bytes(ldos))}};
}

/// The pristine sample LDOS of each sublattice with orbitals (T-matrix method, no defects) on
/// ±2 eV, with the bias window [min(0, eV), max(0, eV)] drawn as a box: the states the current
/// integrates over.
std::string sample_ldos_png(const ParameterSet& p, const fs::path& dir) {
    const PeriodicModel& model = periodic_model_by_name(p.text("model"));
    const EnergyGrid grid{-2.0, 2.0, 161};
    const double broadening = p.number("ldos_broadening_eV");
    LinePlot plot;
    plot.title = fmt::format("{} pristine LDOS, η = {:.3g} eV, V = {:+.3g} V", model.name, broadening,
                             p.number("bias_V"));
    plot.x_label = "E − E_F (eV)";
    plot.y_label = "LDOS (states / eV)";
    double top = 0.0;
    int colour = 0;
    for (Sublattice s : kSublattices) {
        if (model.orbitals_on(s).empty()) continue;
        const std::string site = model.material->site_name(s);
        const SiteLdos l = site_ldos(LdosMethod::TMatrix, model, site, {0, 0}, {}, grid, broadening);
        for (double v : l.ldos) top = std::max(top, v);
        plot.series.push_back({l.energy_eV, l.ldos, site, palette_colour(colour++)});
    }
    const double lo = std::min(0.0, p.number("bias_V")), hi = std::max(0.0, p.number("bias_V"));
    plot.series.push_back({{lo, lo, hi, hi, lo}, {0.0, top, top, 0.0, 0.0}, "bias window", palette_colour(colour)});
    plot.width_px = 600;
    plot.height_px = 400;
    const fs::path path = dir / "sample_ldos.png";
    write_line_plot_png(path, plot);
    return png_data_url(read_file_bytes(path));
}

}  // namespace

std::string png_data_url(const std::string& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out = "data:image/png;base64,";
    out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (i < bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

json render_view(const Config& config, std::uint64_t seed, std::uint64_t index, const RenderProgress& progress) {
    const auto step = [&](double f, const std::string& what) {
        if (!progress(f, what)) invalid_input("cancelled");
    };
    step(0.02, "drawing the parameters");
    const ParameterSet parameters = config.draw(seed, index);
    step(0.05, "simulating the sample (LDOS, tip, scans, ground truth)");
    const SimulatedSample sample = simulate_sample(parameters, seed, index);
    step(0.85, "drawing the pictures");
    const int n = sample.frame.pixels;
    const ScratchDir scratch;

    json images = json::array();
    const auto add = [&](const std::string& name, const std::string& unit, std::span<const float> values,
                         ImagePngOptions options) {
        options.row0_is_bottom = false;  // row 0 is the top line
        options.min_size_px = 256;
        const ColourLimits limits = image_colour_limits(values, options);
        const fs::path path = scratch.path() / (name + ".png");
        write_image_png(path, values, static_cast<std::size_t>(n), static_cast<std::size_t>(n), options);
        images.push_back({{"name", name}, {"caption", caption_of(name)}, {"unit", unit}, {"min", limits.low},
                          {"max", limits.high}, {"png", png_data_url(read_file_bytes(path))}});
    };
    for (const Channel& c : sample.channels) {
        const std::vector<float> values(c.image.values.begin(), c.image.values.end());
        add(c.name, c.unit, values, {});
    }
    ImagePngOptions unit_range;
    unit_range.min = 0.0;
    unit_range.max = 1.0;
    add("lattice", "", sample.truth.lattice, unit_range);
    add("defects", "", sample.truth.defect, unit_range);
    ImagePngOptions class_range;
    class_range.min = 0.0;
    class_range.max = kNumPixelClasses - 1;
    const std::vector<float> classes(sample.truth.classes.begin(), sample.truth.classes.end());
    add("classes", "", classes, class_range);

    json defects = json::array();
    for (const DefectLabel& d : sample.truth.defects)
        defects.push_back({{"row_px", d.row_px}, {"col_px", d.col_px}, {"class", class_name(d.class_id)},
                           {"in_image", d.in_image}});
    step(0.9, "drawing the tip apex and its LDOS");
    json tip = tip_view(parameters, scratch.path());
    step(0.95, "drawing the hysteresis loop");
    json out = {{"seed", seed},
                {"index", index},
                {"pixels", n},
                {"size_nm", sample.frame.size_nm},
                {"images", images},
                {"defects", defects},
                {"parameters", parameters.to_json()},
                {"derived",
                 {{"setpoint_current", sample.setpoint},
                  {"ideal_gain_nm", sample.ideal_gain_nm},
                  {"sample_sites", sample.sample_sites},
                  {"tip_apex_atoms", sample.tip_atoms},
                  {"defects_placed", sample.defects.size()}}},
                {"stage_ms",
                 {{"sample_ldos", sample.times.sample_ldos_ms},
                  {"tip", sample.times.tip_ms},
                  {"constant_current", sample.times.constant_current_ms},
                  {"feedback_scan", sample.times.feedback_scan_ms},
                  {"ground_truth", sample.times.ground_truth_ms}}},
                {"hysteresis_png", hysteresis_png(parameters, scratch.path())},
                {"sample_ldos_png", sample_ldos_png(parameters, scratch.path())},
                {"tip", std::move(tip)}};
    return out;
}

}  // namespace synthstm::gui
