// synthstm render: one simulated sample with every channel, its parameters and ground truth.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "config_source.hpp"
#include "output_dir.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/io/gwy.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/io/npy.hpp"
#include "synthstm/tightbinding/periodic_model.hpp"

namespace synthstm::cli {
namespace {

struct RenderOptions {
    ConfigSource source;
    std::uint64_t seed = 0;
    std::uint64_t index = 0;
    std::string out;
    int threads = 1;
};

/// An image as float32, row-major (row 0 = top line).
struct OutputImage {
    std::string name;
    std::string unit;     // unit of the values as stored in .npy
    std::string caption;  // for index.html
    std::vector<float> values;
};

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
    if (!f) io_error(fmt::format("cannot write {}", path.string()));
}

std::string html_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else o += c;
    }
    return o;
}

void run_render(const RenderOptions& o) {
    const Config config = o.source.load();
    if (o.threads < 1) invalid_input(fmt::format("--threads must be at least 1, got {}", o.threads));
    const std::filesystem::path dir = prepare_output_dir(o.out);
    const ParameterSet parameters = config.draw(o.seed, o.index);
    const SimulatedSample sample = simulate_sample(parameters, o.seed, o.index, SimulationOptions{o.threads});
    const int n = sample.frame.pixels;

    std::vector<OutputImage> images;
    const auto caption_of = [](const std::string& name) -> std::string {
        if (name == "z_recorded_forward") return "recorded topography (z voltage × calibration), forward";
        if (name == "z_recorded_backward") return "recorded topography, backward";
        if (name == "z_true_forward") return "true apex height (piezo output), forward";
        if (name == "z_true_backward") return "true apex height, backward";
        if (name == "current_forward") return "measured current (with noise), forward";
        if (name == "current_backward") return "measured current, backward";
        if (name == "constant_height_current") return "constant-height current at the initial height";
        if (name == "constant_current_height") return "ideal constant-current topography";
        return name;
    };
    for (const Channel& c : sample.channels) images.push_back({c.name, c.unit, caption_of(c.name), to_float(c.image.values)});
    images.push_back({"lattice", "", "ground truth: lattice map (top-layer sites)", sample.truth.lattice});
    images.push_back({"defects", "", "ground truth: defect map", sample.truth.defect});
    images.push_back({"classes", "", "ground truth: class map (0 background, 1 lattice, 2–7 defect classes)",
                      std::vector<float>(sample.truth.classes.begin(), sample.truth.classes.end())});

    ImagePngOptions png;
    png.row0_is_bottom = false;  // row 0 is the top line
    for (const auto& img : images) {
        write_npy(dir / (img.name + ".npy"), img.values, n, n);
        ImagePngOptions options = png;
        if (img.name == "lattice" || img.name == "defects") options.min = 0.0, options.max = 1.0;
        if (img.name == "classes") options.min = 0.0, options.max = kNumPixelClasses - 1;
        write_image_png(dir / (img.name + ".png"), img.values, n, n, options);
    }

    // Gwyddion file: every channel with physical units (heights in m, current arbitrary).
    std::vector<GwyChannel> gwy;
    for (const auto& img : images) {
        GwyChannel c;
        c.title = img.name;
        c.values = img.values;
        c.rows = n;
        c.cols = n;
        c.width_nm = c.height_nm = sample.frame.size_nm;
        c.z_unit = img.unit == "nm" ? "m" : "";
        c.z_to_si = img.unit == "nm" ? 1e-9 : 1.0;
        c.row0_is_bottom = false;
        gwy.push_back(c);
    }
    write_gwy(dir / "sample.gwy", gwy);

    // Parameters: everything drawn, with units, plus what was derived from it.
    nlohmann::json params;
    params["seed"] = o.seed;
    params["sample_index"] = o.index;
    params["parameters"] = parameters.to_json();
    params["derived"] = {{"setpoint_current", {{"value", sample.setpoint}, {"unit", "arb"}}},
                         {"ideal_gain_nm", {{"value", sample.ideal_gain_nm}, {"unit", "nm"}}},
                         {"sample_sites", {{"value", sample.sample_sites}, {"unit", ""}}},
                         {"tip_apex_atoms", {{"value", sample.tip_atoms}, {"unit", ""}}},
                         {"defects_placed", {{"value", sample.defects.size()}, {"unit", ""}}},
                         {"tip_change_line", {{"value", sample.events.tip_change_line}, {"unit", "line"}}},
                         {"tip_change_row", {{"value", sample.events.tip_change_row}, {"unit", "px"}}},
                         {"tip_change_col", {{"value", sample.events.tip_change_col}, {"unit", "px"}}},
                         {"streaks", {{"value", sample.events.streaks}, {"unit", ""}}},
                         {"feedback_lost_lines", {{"value", sample.events.feedback_lost_lines}, {"unit", ""}}}};
    params["stage_ms"] = {{"sample_ldos", sample.times.sample_ldos_ms},
                          {"tip", sample.times.tip_ms},
                          {"constant_current", sample.times.constant_current_ms},
                          {"feedback_scan", sample.times.feedback_scan_ms},
                          {"ground_truth", sample.times.ground_truth_ms}};
    params["config"] = config.to_json();
    write_text(dir / "params.json", params.dump(2) + "\n");

    std::string csv = "type,sublattice,cell_i,cell_j,onsite_eV,class,x_nm,y_nm,z_nm,row_px,col_px,in_image\n";
    const TmdMaterial& material = *periodic_model_by_name(parameters.text("model")).material;
    for (const DefectLabel& d : sample.truth.defects) {
        csv += fmt::format("{},{},{},{},{:.4f},{},{:.5f},{:.5f},{:.5f},{:.3f},{:.3f},{}\n", defect_type_name(d.type),
                           material.site_name(d.sublattice), d.cell.i, d.cell.j, d.onsite_eV, class_name(d.class_id),
                           d.x_nm, d.y_nm, d.z_nm, d.row_px, d.col_px, d.in_image ? 1 : 0);
    }
    write_text(dir / "defects.csv", csv);

    std::string html = fmt::format(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>synthstm sample {} of seed {}</title>\n"
        "<style>body{{font-family:sans-serif;margin:1em}} figure{{display:inline-block;margin:.5em;width:260px;"
        "vertical-align:top}} img{{width:256px;image-rendering:pixelated;border:1px solid #888}} "
        "figcaption{{font-size:.85em}}</style></head><body>\n<h1>synthstm render: sample {} of seed {}</h1>\n"
        "<p>{:.2f} nm × {:.2f} nm, {} × {} pixels, bias {:.3f} V, tip {}, {} defects. "
        "Parameters: <a href=\"params.json\">params.json</a>, defects: <a href=\"defects.csv\">defects.csv</a>, "
        "Gwyddion: <a href=\"sample.gwy\">sample.gwy</a>.</p>\n",
        o.index, o.seed, o.index, o.seed, sample.frame.size_nm, sample.frame.size_nm, n, n, parameters.number("bias_V"),
        html_escape(parameters.text("tip")), sample.defects.size());
    for (const auto& img : images) {
        html += fmt::format("<figure><img src=\"{0}.png\" alt=\"{0}\"><figcaption><b>{0}</b>{1}<br>{2}</figcaption></figure>\n",
                            img.name, img.unit.empty() ? "" : fmt::format(" ({})", img.unit), html_escape(img.caption));
    }
    html += "</body></html>\n";
    write_text(dir / "index.html", html);
    fmt::print("wrote {} channels, params.json, defects.csv, sample.gwy and index.html to {} ({} defects, {} sites)\n",
               images.size(), dir.string(), sample.defects.size(), sample.sample_sites);
}

}  // namespace

void register_render(CLI::App& app) {
    auto o = std::make_shared<RenderOptions>();
    CLI::App* cmd = app.add_subcommand("render", "Simulate one sample: every channel as .npy and PNG, params.json, "
                                                 "defects.csv, sample.gwy and index.html");
    o->source.add_options(*cmd);
    cmd->add_option("--seed", o->seed, "dataset seed")->required();
    cmd->add_option("--index", o->index, "sample index within the dataset")->capture_default_str();
    cmd->add_option("--out", o->out, "output directory")->required();
    cmd->add_option("--threads", o->threads, "threads for the ideal scans (same result for any count)")->capture_default_str();
    cmd->footer(schema_help());
    cmd->callback([o] { run_render(*o); });
}

}  // namespace synthstm::cli
