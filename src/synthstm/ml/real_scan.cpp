#include "synthstm/ml/real_scan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/gwy.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/io/sxm.hpp"

namespace synthstm::ml {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains(const std::string& text, const std::string& part) { return lower(text).find(lower(part)) != std::string::npos; }

/// Whether a channel title names a height image.
bool looks_like_height(const std::string& name, const std::string& unit) {
    return unit == "m" || contains(name, "z") || contains(name, "height") || contains(name, "topo");
}

RealScan from_sxm(const std::filesystem::path& path, const ScanSelection& sel) {
    const SxmScan scan = read_sxm(path);
    const bool backward = sel.direction == "backward";
    std::vector<std::string> names;
    for (const SxmFrame& f : scan.frames) {
        names.push_back(fmt::format("{} {}", f.name, f.backward ? "backward" : "forward"));
        if (f.backward != backward) continue;
        const bool wanted = sel.channel.empty() ? looks_like_height(f.name, f.unit) : lower(f.name) == lower(sel.channel) ||
                                                                                           contains(f.name, sel.channel);
        if (!wanted) continue;
        RealScan r;
        r.rows = scan.rows;
        r.cols = scan.cols;
        r.values.assign(f.values.begin(), f.values.end());
        r.width_nm = scan.width_m * 1e9;
        r.height_nm = scan.height_m * 1e9;
        r.channel = names.back();
        r.unit = f.unit;
        return r;
    }
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    invalid_input(fmt::format("{}: no {} channel{} (the file holds: {})", path.string(), sel.direction,
                              sel.channel.empty() ? " of heights" : " '" + sel.channel + "'", list));
}

RealScan from_gwy(const std::filesystem::path& path, const ScanSelection& sel) {
    const std::vector<GwyChannelData> channels = read_gwy(path, false);
    if (channels.empty()) invalid_input(fmt::format("{} holds no image channel", path.string()));
    const GwyChannelData* pick = nullptr;
    for (const GwyChannelData& c : channels) {
        // Titles without a direction are taken for either; others must name the one asked for.
        const bool named_backward = contains(c.title, "backward") || contains(c.title, "bwd");
        const bool named_forward = contains(c.title, "forward") || contains(c.title, "fwd");
        if ((sel.direction == "backward" && named_forward) || (sel.direction == "forward" && named_backward)) continue;
        if (sel.channel.empty() ? looks_like_height(c.title, c.unit_z) : contains(c.title, sel.channel)) {
            pick = &c;
            break;
        }
    }
    if (!pick && sel.channel.empty()) pick = &channels.front();
    if (!pick) invalid_input(fmt::format("{}: no channel '{}'", path.string(), sel.channel));
    const double to_nm = pick->unit_xy == "m" ? 1e9 : 1.0;
    RealScan r;
    r.rows = pick->yres;
    r.cols = pick->xres;
    r.values.assign(pick->values.begin(), pick->values.end());
    r.width_nm = pick->xreal * to_nm;
    r.height_nm = pick->yreal * to_nm;
    r.channel = pick->title.empty() ? fmt::format("/{}/data", pick->id) : pick->title;
    r.unit = pick->unit_z;
    return r;
}

RealScan from_png(const std::filesystem::path& path, const ScanSelection& sel) {
    if (!sel.size_nm) invalid_input(fmt::format("{}: a PNG has no physical size, give --size-nm", path.string()));
    const GreyImage g = read_png_grey(path);
    RealScan r;
    r.rows = g.rows;
    r.cols = g.cols;
    r.values = g.values;
    r.width_nm = *sel.size_nm;
    r.height_nm = *sel.size_nm * static_cast<double>(g.rows) / static_cast<double>(g.cols);
    r.channel = "grey";
    return r;
}

}  // namespace

RealScan read_real_scan(const std::filesystem::path& path, const ScanSelection& sel) {
    if (sel.direction != "forward" && sel.direction != "backward")
        invalid_input(fmt::format("--direction must be forward or backward, got '{}'", sel.direction));
    if (sel.size_nm && !(*sel.size_nm > 0)) invalid_input(fmt::format("--size-nm must be positive, got {}", *sel.size_nm));
    if (!std::filesystem::exists(path)) invalid_input(fmt::format("{} does not exist", path.string()));
    const std::string ext = lower(path.extension().string());
    RealScan r;
    if (ext == ".sxm") r = from_sxm(path, sel);
    else if (ext == ".gwy") r = from_gwy(path, sel);
    else if (ext == ".png") r = from_png(path, sel);
    else invalid_input(fmt::format("{}: unknown scan format '{}' (read: .gwy, .sxm, .png)", path.string(), ext));
    if (sel.size_nm && ext != ".png") {
        r.height_nm *= *sel.size_nm / r.width_nm;
        r.width_nm = *sel.size_nm;
    }
    if (r.rows < 2 || r.cols < 2) invalid_input(fmt::format("{}: the image is only {} × {} pixels", path.string(), r.cols, r.rows));
    if (!(r.width_nm > 0) || !(r.height_nm > 0))
        invalid_input(fmt::format("{}: the physical size is not positive (give --size-nm)", path.string()));
    if (!std::all_of(r.values.begin(), r.values.end(), [](float v) { return std::isfinite(v); }))
        invalid_input(fmt::format("{}: channel {} holds non-finite values", path.string(), r.channel));
    return r;
}

void level_plane(std::vector<float>& v, std::size_t rows, std::size_t cols) {
    Eigen::Matrix3d a = Eigen::Matrix3d::Zero();
    Eigen::Vector3d b = Eigen::Vector3d::Zero();
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const Eigen::Vector3d x(1.0, static_cast<double>(c), static_cast<double>(r));
            a += x * x.transpose();
            b += x * static_cast<double>(v[r * cols + c]);
        }
    const Eigen::Vector3d p = a.ldlt().solve(b);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            v[r * cols + c] -= static_cast<float>(p[0] + p[1] * static_cast<double>(c) + p[2] * static_cast<double>(r));
}

void level_lines(std::vector<float>& v, std::size_t rows, std::size_t cols, bool lines_are_columns) {
    const std::size_t lines = lines_are_columns ? cols : rows;
    const std::size_t length = lines_are_columns ? rows : cols;
    if (lines < 2 || length == 0) return;
    const auto at = [&](std::size_t line, std::size_t k) -> float& {
        return lines_are_columns ? v[k * cols + line] : v[line * cols + k];
    };
    std::vector<double> offset(lines, 0.0);
    std::vector<float> diff(length);
    for (std::size_t l = 1; l < lines; ++l) {
        for (std::size_t k = 0; k < length; ++k) diff[k] = at(l, k) - at(l - 1, k);
        std::nth_element(diff.begin(), diff.begin() + static_cast<std::ptrdiff_t>(length / 2), diff.end());
        offset[l] = offset[l - 1] + diff[length / 2];
    }
    // The straight-line part of the summed offsets is a tilt across the lines: keep it out.
    double sl = 0, so = 0, sll = 0, slo = 0;
    for (std::size_t l = 0; l < lines; ++l) {
        const auto x = static_cast<double>(l);
        sl += x, so += offset[l], sll += x * x, slo += x * offset[l];
    }
    const auto n = static_cast<double>(lines);
    const double slope = (n * slo - sl * so) / (n * sll - sl * sl);
    const double intercept = (so - slope * sl) / n;
    for (std::size_t l = 0; l < lines; ++l) {
        const auto shift = static_cast<float>(offset[l] - intercept - slope * static_cast<double>(l));
        for (std::size_t k = 0; k < length; ++k) at(l, k) -= shift;
    }
}

std::vector<float> resample(const std::vector<float>& v, std::size_t rows, std::size_t cols, std::size_t new_rows,
                            std::size_t new_cols) {
    std::vector<float> out(new_rows * new_cols);
    const auto coordinate = [](std::size_t i, std::size_t from, std::size_t to) {
        const double x = (static_cast<double>(i) + 0.5) * static_cast<double>(from) / static_cast<double>(to) - 0.5;
        return std::clamp(x, 0.0, static_cast<double>(from - 1));
    };
    for (std::size_t r = 0; r < new_rows; ++r) {
        const double y = coordinate(r, rows, new_rows);
        const auto r0 = static_cast<std::size_t>(y);
        const std::size_t r1 = std::min(r0 + 1, rows - 1);
        const double fy = y - static_cast<double>(r0);
        for (std::size_t c = 0; c < new_cols; ++c) {
            const double x = coordinate(c, cols, new_cols);
            const auto c0 = static_cast<std::size_t>(x);
            const std::size_t c1 = std::min(c0 + 1, cols - 1);
            const double fx = x - static_cast<double>(c0);
            const double top = (1 - fx) * v[r0 * cols + c0] + fx * v[r0 * cols + c1];
            const double bottom = (1 - fx) * v[r1 * cols + c0] + fx * v[r1 * cols + c1];
            out[r * new_cols + c] = static_cast<float>((1 - fy) * top + fy * bottom);
        }
    }
    return out;
}

}  // namespace synthstm::ml
