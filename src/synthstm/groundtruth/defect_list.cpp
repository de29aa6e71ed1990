#include "synthstm/groundtruth/defect_list.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/groundtruth/site_search.hpp"

namespace synthstm {
namespace {

/// Bilinear value and derivatives at (r, c) in the cell whose lower corner is (i, j).
struct Bilinear {
    double x, y;          // position
    double xr, yr;        // d/d row
    double xc, yc;        // d/d col
};

/// The bilinear interpolant of cell (i, j) at fractions (fr, fc), extended beyond [0, 1].
Bilinear bilinear_in_cell(const PixelPositions& p, int i, int j, double fr, double fc) {
    const std::size_t i00 = p.index(i, j), i01 = p.index(i, j + 1), i10 = p.index(i + 1, j),
                      i11 = p.index(i + 1, j + 1);
    auto eval = [&](std::span<const double> v, double& val, double& dr, double& dc) {
        val = (1 - fr) * (1 - fc) * v[i00] + (1 - fr) * fc * v[i01] + fr * (1 - fc) * v[i10] + fr * fc * v[i11];
        dr = (1 - fc) * (v[i10] - v[i00]) + fc * (v[i11] - v[i01]);
        dc = (1 - fr) * (v[i01] - v[i00]) + fr * (v[i11] - v[i10]);
    };
    Bilinear b{};
    eval(p.x_nm, b.x, b.xr, b.xc);
    eval(p.y_nm, b.y, b.yr, b.yc);
    return b;
}

Bilinear bilinear(const PixelPositions& p, double r, double c) {
    const int n = p.pixels;
    const int i = std::clamp(static_cast<int>(std::floor(r)), 0, n - 2);
    const int j = std::clamp(static_cast<int>(std::floor(c)), 0, n - 2);
    return bilinear_in_cell(p, i, j, r - i, c - j);
}

/// Newton for the point (fr, fc) of cell (i, j) whose interpolated position is (x, y); the
/// fractions, or nothing when it does not converge inside the cell (edges included).
std::optional<std::array<double, 2>> solve_in_cell(const PixelPositions& p, int i, int j, double x, double y) {
    double fr = 0.5, fc = 0.5;
    for (int it = 0; it < 30; ++it) {
        const Bilinear b = bilinear_in_cell(p, i, j, fr, fc);
        const double ex = x - b.x, ey = y - b.y;
        const double det = b.xr * b.yc - b.xc * b.yr;
        if (det == 0.0 || !std::isfinite(det)) return std::nullopt;
        const double dr = (ex * b.yc - ey * b.xc) / det;
        const double dc = (b.xr * ey - b.yr * ex) / det;
        fr += dr, fc += dc;
        if (!(std::abs(fr - 0.5) < 2.0 && std::abs(fc - 0.5) < 2.0)) return std::nullopt;  // diverging
        if (std::hypot(dr, dc) < 1e-13) break;
    }
    const double eps = 1e-9;
    if (fr < -eps || fr > 1 + eps || fc < -eps || fc > 1 + eps) return std::nullopt;
    const Bilinear b = bilinear_in_cell(p, i, j, fr, fc);
    if (std::hypot(b.x - x, b.y - y) > 1e-12) return std::nullopt;
    return std::array{fr, fc};
}

double distance2(const PixelPositions& p, int row, int col, double x, double y) {
    const std::size_t k = p.index(row, col);
    const double dx = p.x_nm[k] - x;
    const double dy = p.y_nm[k] - y;
    return dx * dx + dy * dy;
}

/// The pixel whose true position is nearest to (x, y): exhaustive on a grid of stride s
/// (s = 1 for N <= 64), then exhaustive within ±2s of the coarse winner.
std::pair<int, int> nearest_pixel(const PixelPositions& p, double x, double y) {
    const int n = p.pixels;
    const int stride = std::max(1, n / 64);
    double best = std::numeric_limits<double>::infinity();
    int br = 0;
    int bc = 0;
    auto consider = [&](int r, int c) {
        const double d2 = distance2(p, r, c, x, y);
        if (d2 < best) {
            best = d2;
            br = r;
            bc = c;
        }
    };
    for (int r = 0; r < n; r = (r + stride < n || r == n - 1) ? r + stride : n - 1) {
        for (int c = 0; c < n; c = (c + stride < n || c == n - 1) ? c + stride : n - 1) consider(r, c);
    }
    if (stride > 1) {
        const int r0 = br;
        const int c0 = bc;
        for (int r = std::max(0, r0 - 2 * stride); r <= std::min(n - 1, r0 + 2 * stride); ++r) {
            for (int c = std::max(0, c0 - 2 * stride); c <= std::min(n - 1, c0 + 2 * stride); ++c) consider(r, c);
        }
    }
    return {br, bc};
}

}  // namespace

std::array<double, 2> interpolate_position_nm(const PixelPositions& positions, double row_px, double col_px) {
    const Bilinear b = bilinear(positions, row_px, col_px);
    return {b.x, b.y};
}

std::vector<DefectLabel> defect_list(const TmdMaterial& material, std::span<const Defect> defects,
                                     const PixelPositions& positions) {
    validate_lattice_constant(material);
    positions.validate();
    const double n = positions.pixels;
    std::vector<DefectLabel> labels;
    labels.reserve(defects.size());
    for (const Defect& d : defects) {
        DefectLabel l;
        l.type = d.type;
        l.sublattice = d.site.sublattice;
        l.cell = d.site.cell;
        l.onsite_eV = d.type != DefectType::Vacancy ? d.onsite_eV : 0.0;
        l.class_id = defect_class(d.type, d.site.sublattice);
        const Vec3 r = material.position(d.site.cell.i, d.site.cell.j, d.site.sublattice);
        l.x_nm = r.x();
        l.y_nm = r.y();
        l.z_nm = r.z();

        auto [row, col] = nearest_pixel(positions, l.x_nm, l.y_nm);
        double rp = row;
        double cp = col;
        // Newton on the bilinear interpolant; steps limited to one pixel so that a jittered
        // (non-monotonic) trajectory cannot throw the iterate far away.
        for (int it = 0; it < 60; ++it) {
            const Bilinear b = bilinear(positions, rp, cp);
            const double ex = l.x_nm - b.x;
            const double ey = l.y_nm - b.y;
            const double det = b.xr * b.yc - b.xc * b.yr;
            if (det == 0.0 || !std::isfinite(det)) break;
            double dr = (ex * b.yc - ey * b.xc) / det;
            double dc = (b.xr * ey - b.yr * ex) / det;
            const double step = std::hypot(dr, dc);
            if (step > 1.0) {
                dr /= step;
                dc /= step;
            }
            rp += dr;
            cp += dc;
            if (step < 1e-13) break;
        }
        Bilinear b = bilinear(positions, rp, cp);
        if (std::hypot(b.x - l.x_nm, b.y - l.y_nm) > 1e-12) {
            // Jitter larger than the pixel spacing folds the pixel grid over the sample, and
            // Newton on the whole interpolant can circle without a root: then every cell near
            // the nearest pixel is solved on its own, and the root nearest to it is the label
            // (the tip passed over the defect there; with folds it may pass more than once).
            const int reach = 4;
            double best = std::numeric_limits<double>::infinity();
            for (int i = std::max(0, row - reach); i <= std::min(positions.pixels - 2, row + reach - 1); ++i)
                for (int j = std::max(0, col - reach); j <= std::min(positions.pixels - 2, col + reach - 1); ++j)
                    if (const auto f = solve_in_cell(positions, i, j, l.x_nm, l.y_nm)) {
                        const double r_cell = i + (*f)[0], c_cell = j + (*f)[1];
                        const double d = std::hypot(r_cell - row, c_cell - col);
                        if (d < best) best = d, rp = r_cell, cp = c_cell;
                    }
            b = bilinear(positions, rp, cp);
            // No cell holds it (the defect lies beyond the scanned area): the nearest pixel, if
            // the wandering iterate is no nearer.
            const std::size_t k = positions.index(row, col);
            if (!std::isfinite(best) &&
                std::hypot(positions.x_nm[k] - l.x_nm, positions.y_nm[k] - l.y_nm) < std::hypot(b.x - l.x_nm, b.y - l.y_nm)) {
                rp = row, cp = col;
                b = bilinear(positions, rp, cp);
            }
        }
        l.row_px = rp;
        l.col_px = cp;
        l.residual_nm = std::hypot(b.x - l.x_nm, b.y - l.y_nm);
        l.in_image = rp >= -0.5 && rp <= n - 0.5 && cp >= -0.5 && cp <= n - 0.5;
        labels.push_back(l);
    }
    return labels;
}

}  // namespace synthstm
