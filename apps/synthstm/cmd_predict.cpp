// synthstm predict: lattice and defect maps, a defect list and an overlay for a real scan.
#include <cmath>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output_dir.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/io/npy.hpp"
#include "synthstm/ml/metrics.hpp"
#include "synthstm/ml/predictor.hpp"
#include "synthstm/ml/real_scan.hpp"
#include "synthstm/ml/tiling.hpp"

namespace synthstm::cli {
namespace {

struct PredictCommand {
    std::string scan, run, out, device = "cpu";
    ml::ScanSelection selection;
    double size_nm = 0;
    double threshold = 0.5;
    bool no_level = false, json = false, tta = false;
};

constexpr std::size_t kMaxSide = 8192;

void run_predict(PredictCommand& c) {
    if (c.size_nm != 0) c.selection.size_nm = c.size_nm;
    if (!(c.threshold > 0 && c.threshold < 1)) invalid_input(fmt::format("--threshold must be in (0, 1), got {}", c.threshold));
    ml::RealScan scan = ml::read_real_scan(c.scan, c.selection);
    const ml::Predictor predictor(c.run, c.device, c.tta);
    const ml::ModelInfo& info = predictor.info();
    if (!c.no_level) {
        ml::level_plane(scan.values, scan.rows, scan.cols);
        ml::level_lines(scan.values, scan.rows, scan.cols);
    }
    // Further input channels of the model (the current), from the same file and direction.
    std::vector<ml::RealScan> extra;
    for (std::size_t k = 1; k < info.inputs.size(); ++k) {
        if (std::filesystem::path(c.scan).extension() == ".png")
            invalid_input(fmt::format("{}: the model also takes {}, which a PNG does not hold", c.scan, info.inputs[k]));
        ml::ScanSelection current = c.selection;
        current.channel = "current";
        extra.push_back(ml::read_real_scan(c.scan, current));
        if (extra.back().rows != scan.rows || extra.back().cols != scan.cols)
            invalid_input(fmt::format("{}: channel {} is not the size of {}", c.scan, extra.back().channel, scan.channel));
    }
    // Resample to the model's nm per pixel.
    const double nm_per_px = info.nm_per_px;
    const double cols_f = std::round(scan.width_nm / nm_per_px), rows_f = std::round(scan.height_nm / nm_per_px);
    if (cols_f < 4 || rows_f < 4)
        invalid_input(fmt::format("{}: {:.3g} × {:.3g} nm is under 4 pixels of the model's {:.4g} nm/px", c.scan, scan.width_nm,
                                  scan.height_nm, nm_per_px));
    if (cols_f > kMaxSide || rows_f > kMaxSide)
        invalid_input(fmt::format("{}: {:.3g} × {:.3g} nm is over {} pixels a side at the model's {:.4g} nm/px", c.scan,
                                  scan.width_nm, scan.height_nm, kMaxSide, nm_per_px));
    const auto cols = static_cast<std::size_t>(cols_f), rows = static_cast<std::size_t>(rows_f);
    const std::vector<float> image = ml::resample(scan.values, scan.rows, scan.cols, rows, cols);
    std::vector<float> channels = image;
    for (const ml::RealScan& e : extra) {
        const std::vector<float> v = ml::resample(e.values, e.rows, e.cols, rows, cols);
        channels.insert(channels.end(), v.begin(), v.end());
    }
    const std::vector<float> maps = ml::predict_tiled(predictor, channels, rows, cols);
    const std::span<const float> lattice(maps.data(), rows * cols), defects(maps.data() + rows * cols, rows * cols);
    const double tolerance_px = info.lattice_constant_nm / 2 / nm_per_px;
    const std::vector<ml::Peak> peaks = ml::find_peaks(defects, rows, cols, c.threshold, tolerance_px);

    const std::filesystem::path dir = prepare_output_dir(c.out);
    write_npy(dir / "input.npy", image, rows, cols);
    write_npy(dir / "lattice.npy", lattice, rows, cols);
    write_npy(dir / "defects.npy", defects, rows, cols);
    ImagePngOptions unit;
    unit.row0_is_bottom = false;
    unit.min = 0.0;
    unit.max = 1.0;
    write_image_png(dir / "lattice.png", lattice, rows, cols, unit);
    write_image_png(dir / "defects.png", defects, rows, cols, unit);
    // Positions: resampled pixels, the scan's own pixels, and nm from the top-left corner.
    const double to_scan_x = static_cast<double>(scan.cols) / static_cast<double>(cols);
    const double to_scan_y = static_cast<double>(scan.rows) / static_cast<double>(rows);
    std::string csv = "x_nm,y_nm,x_px,y_px,score\n";
    nlohmann::json list = nlohmann::json::array();
    ImageGrid overlay;
    overlay.column_titles = {fmt::format("{} (levelled)", scan.channel), "defect map"};
    overlay.row_labels = {""};
    overlay.tile_px = static_cast<int>(std::clamp<std::size_t>(std::max(rows, cols) * 4, 256, 1024));
    ImagePngOptions grey = unit;
    grey.colour_map = ColourMap::Grey;
    grey.min.reset();
    grey.max.reset();
    grey.robust_limits = true;
    GridImage left{image, rows, cols, grey, {}}, right{std::vector<float>(defects.begin(), defects.end()), rows, cols, unit, {}};
    for (const ml::Peak& p : peaks) {
        const double x_nm = (p.x_px + 0.5) * nm_per_px, y_nm = (p.y_px + 0.5) * nm_per_px;
        const double x_px = (p.x_px + 0.5) * to_scan_x - 0.5, y_px = (p.y_px + 0.5) * to_scan_y - 0.5;
        csv += fmt::format("{:.4f},{:.4f},{:.2f},{:.2f},{:.4f}\n", x_nm, y_nm, x_px, y_px, p.score);
        list.push_back({{"x_nm", x_nm}, {"y_nm", y_nm}, {"x_px", x_px}, {"y_px", y_px}, {"score", p.score}});
        const double radius = std::max(3.0, tolerance_px * overlay.tile_px / static_cast<double>(std::max(rows, cols)));
        left.markers.push_back({p.x_px, p.y_px, 0xff3030, radius});
        right.markers.push_back({p.x_px, p.y_px, 0xff3030, radius});
    }
    overlay.images = {left, right};
    write_image_grid_png(dir / "overlay.png", overlay);
    write_file_atomically(dir / "defects.csv", csv);
    const nlohmann::json summary = {{"scan", c.scan},
                                    {"channel", scan.channel},
                                    {"scan_pixels", {scan.cols, scan.rows}},
                                    {"size_nm", {scan.width_nm, scan.height_nm}},
                                    {"model_pixels", {cols, rows}},
                                    {"nm_per_px", nm_per_px},
                                    {"threshold", c.threshold},
                                    {"defects", list},
                                    {"out", dir.string()}};
    write_file_atomically(dir / "predict.json", summary.dump(2) + "\n");
    if (c.json) {
        std::cout << summary.dump() << "\n";
        return;
    }
    fmt::print("{}: {} ({} × {} px, {:.3g} × {:.3g} nm) resampled to {} × {} px at {:.4g} nm/px: {} defects above {}\n",
               c.scan, scan.channel, scan.cols, scan.rows, scan.width_nm, scan.height_nm, cols, rows, nm_per_px,
               peaks.size(), c.threshold);
    fmt::print("wrote {}: lattice/defects .npy and .png, input.npy, defects.csv, overlay.png, predict.json\n", dir.string());
}

}  // namespace

void register_predict(CLI::App& app) {
    auto c = std::make_shared<PredictCommand>();
    CLI::App* cmd = app.add_subcommand("predict", "Lattice and defect maps, a defect list (defects.csv) and an overlay "
                                                  "for a real scan (.gwy, .sxm, .png) with a trained run");
    cmd->add_option("scan", c->scan, "scan file: Gwyddion .gwy, Nanonis .sxm or PNG")->required();
    cmd->add_option("--model", c->run, "run directory (synthstm train)")->required();
    cmd->add_option("--out", c->out, "output directory")->required();
    cmd->add_option("--size-nm", c->size_nm, "physical width of the scan in nm (needed for PNG; overrides the file's)");
    cmd->add_option("--channel", c->selection.channel, "channel name (default: the first height channel)");
    cmd->add_option("--direction", c->selection.direction, "forward or backward")->capture_default_str();
    cmd->add_option("--threshold", c->threshold, "defect-map value a detection must exceed")->capture_default_str();
    cmd->add_option("--device", c->device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--no-level", c->no_level, "skip the plane and line levelling");
    cmd->add_flag("--tta", c->tta,
                  "average the maps over the 8 symmetries of the square (test-time augmentation, 8× the time)");
    cmd->add_flag("--json", c->json, "print the summary as JSON");
    cmd->callback([c] { run_predict(*c); });
}

}  // namespace synthstm::cli
