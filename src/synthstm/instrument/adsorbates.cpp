#include "synthstm/instrument/adsorbates.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void AdsorbateSettings::validate() const {
    const auto in_range = [](double v, double lo, double hi, const char* key) {
        if (!std::isfinite(v) || v < lo || v > hi) invalid_input(fmt::format("{} = {} must lie in [{}, {}]", key, v, lo, hi));
    };
    in_range(per_nm2, 0.0, 2.0, "adsorbate_per_nm2");
    in_range(height_nm, 0.0, 2.0, "adsorbate_height_nm");
    in_range(width_nm, 0.05, 5.0, "adsorbate_width_nm");
    in_range(hop_probability, 0.0, 1.0, "adsorbate_hop_probability");
    in_range(hop_nm, 0.0, 10.0, "adsorbate_hop_nm");
    if (!(follow_gain > 0.0 && follow_gain <= 1.0))
        invalid_input(fmt::format("adsorbates: follow gain {} must lie in (0, 1]", follow_gain));
    if (updates_per_pixel < 1)
        invalid_input(fmt::format("feedback_updates_per_pixel = {} must be at least 1", updates_per_pixel));
}

AdsorbateRecord apply_adsorbates(std::span<double> recorded_forward, std::span<double> recorded_backward,
                                 std::span<double> true_forward, std::span<double> true_backward,
                                 const ScanFrame& frame, const ScanTrajectory& trajectory,
                                 const AdsorbateSettings& s, RandomStream& rng) {
    s.validate();
    frame.validate();
    const int n = frame.pixels;
    const std::size_t count = std::size_t(n) * std::size_t(n);
    for (std::span<double> image : {recorded_forward, recorded_backward, true_forward, true_backward})
        if (image.size() != count) invalid_input("adsorbates: the images do not match the frame");
    if (trajectory.pixels != n) invalid_input("adsorbates: the trajectory does not match the frame");

    AdsorbateRecord record;
    record.mask.assign(count, 0);
    // The blobs cover the area the tip visits, plus a width so that edges see blobs come and go.
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    for (const PassTrajectory& pass : trajectory.passes)
        for (std::size_t k = 0; k < pass.x_nm.size(); ++k) {
            x_lo = std::min(x_lo, pass.x_nm[k]);
            x_hi = std::max(x_hi, pass.x_nm[k]);
            y_lo = std::min(y_lo, pass.y_nm[k]);
            y_hi = std::max(y_hi, pass.y_nm[k]);
        }
    const double pad = s.width_nm;
    x_lo -= pad, x_hi += pad, y_lo -= pad, y_hi += pad;
    const auto blobs = rng.poisson(s.per_nm2 * (x_hi - x_lo) * (y_hi - y_lo));
    std::vector<Adsorbate> now;
    for (std::uint64_t b = 0; b < blobs; ++b) {
        Adsorbate a;
        a.x_nm = rng.uniform(x_lo, x_hi);
        a.y_nm = rng.uniform(y_lo, y_hi);
        a.height_nm = s.height_nm * rng.uniform(0.8, 1.2);
        a.width_nm = s.width_nm * rng.uniform(0.8, 1.2);
        now.push_back(a);
    }
    record.placed = now;
    if (now.empty()) {
        record.final = now;
        return record;
    }

    // The direction of the forward pass along the fast axis, in the sample frame.
    const double sign = frame.fast_forward ? 1.0 : -1.0;
    const std::array<double, 2> fast_image = frame.fast_axis == ScanAxis::X ? std::array<double, 2>{sign, 0.0}
                                                                            : std::array<double, 2>{0.0, sign};
    const auto origin = image_to_sample_nm(frame, {0.0, 0.0});
    const auto tip = image_to_sample_nm(frame, fast_image);
    const double forward_x = tip[0] - origin[0], forward_y = tip[1] - origin[1];

    const double shape = 4.0 * std::numbers::ln2;
    std::span<double> recorded[2] = {recorded_forward, recorded_backward};
    std::span<double> truth[2] = {true_forward, true_backward};
    double followed = 0.0;  // the controller's share of the blobs' height, continuous through the scan
    for (int line = 0; line < n; ++line) {
        for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
            const PassTrajectory& path = trajectory.pass(pass);
            const double direction = pass == ScanPass::Forward ? 1.0 : -1.0;
            for (int k = 0; k < n; ++k) {
                const PixelIndex px = scan_pixel(frame, line, pass, k);
                const std::size_t i = trajectory.index(px.row, px.col);
                const double x = path.x_nm[i], y = path.y_nm[i];
                double height = 0.0;
                bool covered = false;
                for (const Adsorbate& a : now) {
                    const double d2 = (x - a.x_nm) * (x - a.x_nm) + (y - a.y_nm) * (y - a.y_nm);
                    height += a.height_nm * std::exp(-shape * d2 / (a.width_nm * a.width_nm));
                    covered = covered || 4.0 * d2 < a.width_nm * a.width_nm;
                }
                double mean = 0.0;
                for (int u = 0; u < s.updates_per_pixel; ++u) {
                    followed += s.follow_gain * (height - followed);
                    mean += followed / s.updates_per_pixel;
                }
                recorded[static_cast<int>(pass)][i] += mean;
                truth[static_cast<int>(pass)][i] += mean;
                if (pass == ScanPass::Forward && covered) record.mask[i] = 1;
                // The tip pushes the blobs it is on along its motion.
                for (Adsorbate& a : now) {
                    const double d2 = (x - a.x_nm) * (x - a.x_nm) + (y - a.y_nm) * (y - a.y_nm);
                    if (4.0 * d2 >= a.width_nm * a.width_nm) continue;
                    if (rng.uniform() >= s.hop_probability) continue;
                    const double distance = -s.hop_nm * std::log1p(-rng.uniform());
                    a.x_nm += direction * distance * forward_x;
                    a.y_nm += direction * distance * forward_y;
                    ++record.hops;
                }
            }
        }
    }
    record.final = now;
    return record;
}

}  // namespace synthstm
