// synthstm inspect: what a generated dataset holds, and a picture of its first samples.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/dataset_summary.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/io/image_png.hpp"

namespace synthstm::cli {
namespace {

struct InspectCommand {
    std::string dir;
    std::string png;
    int preview = 6;
    bool json = false;
};

std::string number_text(const nlohmann::json& v) {
    return v.is_number() ? fmt::format("{:.4g}", v.get<double>()) : std::string("-");
}

void print_summary(const nlohmann::json& s) {
    fmt::print("{}: {} samples, {} × {} pixels, {} shards, seed {}, synthstm {}\n", s["file"].get<std::string>(),
               s["samples"].get<std::uint64_t>(), s["pixels"].get<std::uint64_t>(), s["pixels"].get<std::uint64_t>(),
               s["shards"].is_null() ? std::string("?") : s["shards"].dump(), s["seed"].get<std::uint64_t>(),
               s["synthstm_version"].get<std::string>());
    fmt::print("\narrays (min, max, mean, non-finite values):\n");
    for (const auto& [path, r] : s["arrays"].items())
        fmt::print("  {:<28} {:>11} {:>11} {:>11} {:>6}\n", path, number_text(r["min"]), number_text(r["max"]),
                   number_text(r["mean"]), r["non_finite"].get<std::uint64_t>());
    fmt::print("\npixel classes (fraction of pixels):\n");
    for (const auto& [name, f] : s["classes"].items()) fmt::print("  {:<16} {:.4f}\n", name, f.get<double>());
    fmt::print("\nparameters as drawn (min, max, mean; or counts):\n");
    for (const auto& [key, p] : s["parameters"].items()) {
        if (p.contains("counts")) {
            std::string counts;
            for (const auto& [value, c] : p["counts"].items()) counts += fmt::format(" {}: {}", value, c.get<std::uint64_t>());
            fmt::print("  {:<28}{}\n", key, counts);
        } else {
            fmt::print("  {:<28} {:>11} {:>11} {:>11} {}\n", key, number_text(p["min"]), number_text(p["max"]),
                       number_text(p["mean"]), p["unit"].get<std::string>());
        }
    }
    const auto& d = s["defects"];
    fmt::print("\ndefects: {} in all, {} inside the images; per sample mean {:.2f} (min {}, max {})\n",
               d["total"].get<std::uint64_t>(), d["in_image"].get<std::uint64_t>(), d["per_sample_mean"].get<double>(),
               d["per_sample_min"].get<std::uint64_t>(), d["per_sample_max"].get<std::uint64_t>());
    for (const auto& [kind, k] : d["by_kind"].items())
        fmt::print("  {:<20} {:>8}  {:.2f} per sample\n", kind, k["count"].get<std::uint64_t>(),
                   k["per_sample_mean"].get<double>());
}

void write_preview(const std::filesystem::path& file, const std::filesystem::path& png, int count) {
    const DatasetPreview p = read_preview(file, static_cast<std::uint64_t>(count));
    ImageGrid grid;
    grid.column_titles = {"z_recorded", "lattice", "defects", "class_map"};
    const auto n = static_cast<std::size_t>(p.pixels);
    ImagePngOptions image;
    image.row0_is_bottom = false;
    image.colour_map = ColourMap::Grey;
    ImagePngOptions unit = image;
    unit.colour_map = ColourMap::Viridis;
    unit.min = 0.0;
    unit.max = 1.0;
    ImagePngOptions classes = unit;
    classes.max = kNumPixelClasses - 1;
    for (std::size_t k = 0; k < p.indices.size(); ++k) {
        grid.row_labels.push_back(fmt::format("#{}", p.indices[k]));
        grid.images.push_back({p.input[k], n, n, image, {}});
        grid.images.push_back({p.lattice[k], n, n, unit, {}});
        grid.images.push_back({p.defects[k], n, n, unit, {}});
        grid.images.push_back({p.classes[k], n, n, classes, {}});
    }
    write_image_grid_png(png, grid);
}

void run_inspect(const InspectCommand& o) {
    if (o.preview < 1) invalid_input(fmt::format("--preview must be at least 1, got {}", o.preview));
    const std::filesystem::path dir(o.dir);
    const std::filesystem::path file = std::filesystem::is_directory(dir) ? dir / kDatasetFileName : dir;
    if (!std::filesystem::exists(file))
        invalid_input(fmt::format("{} does not exist (synthstm generate writes DIR/{})", file.string(), kDatasetFileName));
    const nlohmann::json summary = summarize_dataset(file);
    const std::filesystem::path png = o.png.empty() ? file.parent_path() / "inspect.png" : std::filesystem::path(o.png);
    write_preview(file, png, o.preview);
    if (o.json) {
        std::cout << summary.dump() << "\n";
        return;
    }
    print_summary(summary);
    fmt::print("\nwrote {} (the first {} samples: input beside lattice, defect and class maps)\n", png.string(),
               std::min<std::uint64_t>(o.preview, summary["samples"].get<std::uint64_t>()));
}

}  // namespace

void register_inspect(CLI::App& app) {
    auto o = std::make_shared<InspectCommand>();
    CLI::App* cmd = app.add_subcommand("inspect", "Counts, parameter ranges and defect statistics of a generated "
                                                  "dataset, and DIR/inspect.png showing its first samples");
    cmd->add_option("dir", o->dir, "dataset directory (or its dataset.h5)")->required();
    cmd->add_option("--png", o->png, "where to write the picture (default DIR/inspect.png)");
    cmd->add_option("--preview", o->preview, "samples in the picture")->capture_default_str();
    cmd->add_flag("--json", o->json, "print the statistics as JSON");
    cmd->callback([o] { run_inspect(*o); });
}

}  // namespace synthstm::cli
