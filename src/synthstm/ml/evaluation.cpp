#include "synthstm/ml/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/ml/metrics.hpp"
#include "synthstm/ml/predictor.hpp"
#include "synthstm/ml/training_data.hpp"

namespace synthstm::ml {
namespace {

constexpr std::uint32_t kTruthColour = 0x30d030, kFoundColour = 0xff3030;

/// One row of the examples picture: input, targets, predictions, and detections over the input.
void add_example(ImageGrid& grid, std::uint64_t row, const SampleBlock& block, std::size_t k,
                 const std::vector<float>& maps, const std::vector<Peak>& found, const std::vector<TruthDefect>& truth) {
    const auto n = static_cast<std::size_t>(block.pixels);
    const std::size_t image = n * n;
    const auto slice = [&](const std::vector<float>& v, std::size_t at) {
        return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(at), v.begin() + static_cast<std::ptrdiff_t>(at + image));
    };
    ImagePngOptions grey;
    grey.colour_map = ColourMap::Grey;
    grey.row0_is_bottom = false;
    ImagePngOptions unit = grey;
    unit.colour_map = ColourMap::Viridis;
    unit.min = 0.0;
    unit.max = 1.0;
    grid.row_labels.push_back(fmt::format("#{}", row));
    const auto channels = static_cast<std::size_t>(block.channels);
    grid.images.push_back({slice(block.inputs, k * channels * image), n, n, grey, {}});
    grid.images.push_back({slice(block.targets, 2 * k * image), n, n, unit, {}});
    grid.images.push_back({slice(maps, 2 * k * image), n, n, unit, {}});
    grid.images.push_back({slice(block.targets, (2 * k + 1) * image), n, n, unit, {}});
    grid.images.push_back({slice(maps, (2 * k + 1) * image), n, n, unit, {}});
    GridImage detections{slice(block.inputs, k * channels * image), n, n, grey, {}};
    for (const TruthDefect& t : truth)
        if (t.in_image) detections.markers.push_back({t.x_px, t.y_px, kTruthColour, 7});
    for (const Peak& p : found) detections.markers.push_back({p.x_px, p.y_px, kFoundColour, 4});
    grid.images.push_back(std::move(detections));
}

/// Recall per kind of defect ("type sublattice") and, where the kind's onsite potential varies
/// (dopants), per 0.1 eV of it: which of the labelled defects the images let a network find.
/// Precision has no such split (a false alarm has no kind).
class RecallByKind {
public:
    void add(const std::vector<TruthDefect>& truth, const std::vector<bool>& found) {
        for (std::size_t j = 0; j < truth.size(); ++j) {
            if (!truth[j].in_image) continue;
            Kind& k = kinds_[truth[j].kind];
            const bool hit = found.at(j);
            k.all.add(hit);
            k.by_onsite[static_cast<long>(std::floor(truth[j].onsite_eV / kOnsiteBin_eV + 1e-9))].add(hit);
        }
    }

    /// {kind: {"defects", "found", "recall", "by_onsite_eV": [{"from", "to", "defects", "found",
    /// "recall"}, …] (only when the kind spans more than one bin)}}.
    [[nodiscard]] nlohmann::json to_json() const {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [name, k] : kinds_) {
            nlohmann::json j = k.all.to_json();
            if (k.by_onsite.size() > 1) {
                nlohmann::json bins = nlohmann::json::array();
                for (const auto& [bin, c] : k.by_onsite) {
                    nlohmann::json b = c.to_json();
                    b["from"] = static_cast<double>(bin) * kOnsiteBin_eV;
                    b["to"] = static_cast<double>(bin + 1) * kOnsiteBin_eV;
                    bins.push_back(b);
                }
                j["by_onsite_eV"] = bins;
            }
            out[name] = j;
        }
        return out;
    }

private:
    static constexpr double kOnsiteBin_eV = 0.1;
    struct Count {
        std::uint64_t defects = 0, found = 0;
        void add(bool hit) {
            ++defects;
            found += hit ? 1 : 0;
        }
        [[nodiscard]] nlohmann::json to_json() const {
            return {{"defects", defects}, {"found", found},
                    {"recall", defects ? static_cast<double>(found) / static_cast<double>(defects) : 1.0}};
        }
    };
    struct Kind {
        Count all;
        std::map<long, Count> by_onsite;
    };
    std::map<std::string, Kind> kinds_;
};

}  // namespace

nlohmann::json evaluate_model(const EvaluateOptions& o, const EvaluateProgress& progress) {
    if (o.batch < 1) invalid_input(fmt::format("--batch must be at least 1, got {}", o.batch));
    if (!(o.threshold > 0 && o.threshold < 1)) invalid_input(fmt::format("--threshold must be in (0, 1), got {}", o.threshold));
    const Predictor predictor(o.run, o.device, o.average_symmetries);
    const ModelInfo& info = predictor.info();
    const TrainingData data(o.data, info.inputs, info.level_input);
    const std::uint64_t n = data.samples();
    const std::uint64_t first = o.validation_only ? n - std::max<std::uint64_t>(1, n / 10) : 0;
    const std::vector<double> size_nm = data.size_nm();
    // Every listed defect: those just outside the image mark the defect map at its border, and a
    // peak there is matched to them rather than called a false alarm (metrics.hpp).
    const std::vector<std::vector<TruthDefect>> truth = data.defects_listed();
    const auto side = static_cast<std::size_t>(data.pixels());
    const double tolerance_nm = info.lattice_constant_nm / 2;

    MapErrors lattice, defects, all;
    DetectionCounts counts, top_counts;
    RecallByKind recall_by_kind;
    // The same per tip variant (parameters/tip): how sharp the apex is decides what an image
    // can show (docs/ml.md), so the overall figures mix easy and hopeless images.
    const std::vector<std::string> tip = data.text_parameter("tip");
    struct TipFigures {
        std::uint64_t samples = 0;
        MapErrors defects;
        DetectionCounts counts;
        RecallByKind recall_by_kind;
    };
    std::map<std::string, TipFigures> by_tip;
    ImageGrid grid;
    grid.column_titles = {"input", "lattice", "predicted", "defects", "predicted", "detections"};
    for (std::uint64_t start = first; start < n; start += static_cast<std::uint64_t>(o.batch)) {
        const std::uint64_t count = std::min<std::uint64_t>(static_cast<std::uint64_t>(o.batch), n - start);
        const SampleBlock block = data.read(start, count);
        const std::vector<float> maps = predictor.predict(block.inputs, count, side, side);
        const std::size_t image = side * side;
        for (std::size_t k = 0; k < count; ++k) {
            const auto map = [&](const std::vector<float>& v, std::size_t channel) {
                return std::span<const float>(v).subspan((2 * k + channel) * image, image);
            };
            lattice.add(map(maps, 0), map(block.targets, 0));
            defects.add(map(maps, 1), map(block.targets, 1));
            all.add(std::span<const float>(maps).subspan(2 * k * image, 2 * image),
                    std::span<const float>(block.targets).subspan(2 * k * image, 2 * image));
            const std::uint64_t row = start + k;
            const double tolerance_px = tolerance_nm / (size_nm[row] / static_cast<double>(side));
            const std::vector<Peak> found = find_peaks(map(maps, 1), side, side, o.threshold, tolerance_px);
            std::vector<bool> truth_found;
            const DetectionCounts image_counts = match_detections(found, truth[row], tolerance_px, &truth_found);
            counts += image_counts;
            recall_by_kind.add(truth[row], truth_found);
            if (!tip.empty()) {
                TipFigures& t = by_tip[tip[row]];
                ++t.samples;
                t.defects.add(map(maps, 1), map(block.targets, 1));
                t.counts += image_counts;
                t.recall_by_kind.add(truth[row], truth_found);
            }
            // The top layer alone: its defects against the peaks, those at a lower-layer defect
            // (and at no top one) left out, since the imaged layer hides what lies below it.
            std::vector<TruthDefect> top;
            std::vector<Peak> top_found;
            for (const TruthDefect& t : truth[row])
                if (t.top_layer) top.push_back(t);
            for (const Peak& p : found) {
                const auto near = [&](const TruthDefect& t) { return std::hypot(p.x_px - t.x_px, p.y_px - t.y_px) <= tolerance_px; };
                const bool at_top = std::any_of(top.begin(), top.end(), near);
                const bool at_lower = std::any_of(truth[row].begin(), truth[row].end(),
                                                  [&](const TruthDefect& t) { return !t.top_layer && near(t); });
                if (at_top || !at_lower) top_found.push_back(p);
            }
            top_counts += match_detections(top_found, top, tolerance_px);
            if (!o.examples_png.empty() && grid.row_labels.size() < static_cast<std::size_t>(std::max(0, o.examples)))
                add_example(grid, row, block, k, maps, found, truth[row]);
        }
        if (progress) progress(start + count - first, n - first);
    }
    if (!o.examples_png.empty() && !grid.row_labels.empty()) write_image_grid_png(o.examples_png, grid);
    nlohmann::json detection = counts.to_json();
    detection["threshold"] = o.threshold;
    detection["tolerance_nm"] = tolerance_nm;
    nlohmann::json top_detection = top_counts.to_json();
    top_detection["threshold"] = o.threshold;
    top_detection["tolerance_nm"] = tolerance_nm;
    nlohmann::json tips = nlohmann::json::object();
    for (const auto& [name, t] : by_tip) {
        nlohmann::json d = t.counts.to_json();
        d["threshold"] = o.threshold;
        d["tolerance_nm"] = tolerance_nm;
        tips[name] = {{"samples", t.samples}, {"defects", t.defects.to_json()}, {"detection", d},
                      {"recall_by_defect", t.recall_by_kind.to_json()}};
    }
    return {{"model", o.run.string()},
            {"data", data.file().string()},
            {"samples", n - first},
            {"first_sample", first},
            {"average_symmetries", o.average_symmetries},
            {"maps", {{"lattice", lattice.to_json()}, {"defects", defects.to_json()}, {"both", all.to_json()}}},
            {"detection", detection},
            {"detection_top_layer", top_detection},
            {"recall_by_defect", recall_by_kind.to_json()},
            {"by_tip", tips}};
}

}  // namespace synthstm::ml
