#include "synthstm/tunneling/pair_tiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/tunneling/fast_exp.hpp"
#include "synthstm/tunneling/site_cells.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {

namespace {

/// The pairs of one tile as a structure of arrays in one block: pair point P = r_i − t_j and its
/// weights (C_ij; or m = C_ij u_i and |m| for displacement pairs), one segment per kind of pair;
/// in single precision with x, y relative to the tile's centre (so that float keeps ~1e-7 nm).
template <typename T>
struct Tile {
    static constexpr int kSegments = 2;
    int n[kSegments] = {0, 0};
    std::size_t offset[kSegments] = {0, 0};  // where each segment's columns start
    std::unique_ptr<T[]> data;               // segment s, column k at data + offset[s] + k n[s]
    [[nodiscard]] const T* column(int segment, int k) const {
        return data.get() + offset[segment] + static_cast<std::size_t>(k) * static_cast<std::size_t>(n[segment]);
    }
};

/// One pair's distance and taper: d = |P − apex|, u = d − gap, t_raw = (u − (L − w))/w, the
/// taper S(t) and dS/du, and e^{−2κ min(u, L)} (shared by both kernels below).
template <typename T>
struct PairGeometry {
    T dx, dy, dz, d, t_raw, taper_value, taper_slope, factor;
    [[gnu::always_inline]] PairGeometry(T x, T y, T z, T ax, T ay, T az, T two_kappa, T gap, T cutoff, T taper_start)
        : dx(x - ax), dy(y - ay), dz(az - z) {
        d = std::sqrt(dx * dx + dy * dy + dz * dz);
        const T u = d - gap;
        t_raw = (u - taper_start) * two_kappa;
        const T t = t_raw < T(0) ? T(0) : (t_raw > T(1) ? T(1) : t_raw);
        taper_value = T(1) - t * t * (T(3) - T(2) * t);
        taper_slope = T(-6) * t * (T(1) - t) * two_kappa;  // dS/du
        factor = fast_exp<T>(-two_kappa * (u < cutoff ? u : cutoff));
    }
};

/// The kernel: Σ C e^{−2κ (d − gap)} S(u) over the tile's pairs, u = d − gap, with the taper
/// S = 1 − t²(3 − 2t), t = clamp((u − (L − w))/w, 0, 1), w = 1/(2κ): the cut at u = L is smooth
/// (S and S' continuous), so the current is continuously differentiable in the apex position —
/// a hard cut would make ln I jump by ~1e-7 wherever a pair crosses it, and the
/// constant-current solve (converged to 1e-8) could then straddle a jump. The z-derivative
/// sum is Σ C e^{−2κ (d − gap)} [S (z_apex − z_P)/d − S'/(2κ) ((z_apex − z_P)/d − 1)] (gap grows
/// with z one for one), so that dI/dz = −2κ e^{−2κ gap} dsum. `kept` is Σ|C| over the pairs
/// with S = 1. Branch-free (the distance is clamped for the exp) so that it vectorises; tiles
/// are long, so AVX-512 pays here: 1.8 µs against 2.3 µs (AVX2) for 880 pairs
/// (BM_PairTiles). Hand-written intrinsics with a reciprocal square root estimate were tried:
/// 15 % faster with AVX-512, 35 % slower with AVX2.
template <typename T>
[[gnu::always_inline]] inline void tile_terms(const T* x, const T* y, const T* z, const T* c, int n, T ax, T ay, T az,
                                              T two_kappa, T gap, T cutoff, double& sum, double& dsum, double& kept) {
    T s = 0, sd = 0, k = 0;
    constexpr T kTiny = static_cast<T>(1e-12);
    const T taper = T(1) / two_kappa, taper_start = cutoff - taper;
#pragma omp simd reduction(+ : s, sd, k)
    for (int p = 0; p < n; ++p) {
        const PairGeometry<T> g(x[p], y[p], z[p], ax, ay, az, two_kappa, gap, cutoff, taper_start);
        const T f = c[p] * g.factor;
        const T cosine = g.dz / (g.d > kTiny ? g.d : kTiny);
        const T taper_value = g.taper_value, taper_slope = g.taper_slope, t_raw = g.t_raw;
        s += f * taper_value;
        sd += f * (taper_value * cosine - taper_slope / two_kappa * (cosine - T(1)));
        k += t_raw <= T(0) ? std::abs(c[p]) : T(0);
    }
    sum = s, dsum = sd, kept = k;
}

SYNTHSTM_LONG_VECTOR_CLONES
void tile_terms_of(const double* x, const double* y, const double* z, const double* c, int n, double ax, double ay,
                   double az, double two_kappa, double gap, double cutoff, double& sum, double& dsum, double& kept) {
    tile_terms<double>(x, y, z, c, n, ax, ay, az, two_kappa, gap, cutoff, sum, dsum, kept);
}

SYNTHSTM_LONG_VECTOR_CLONES
void tile_terms_of(const float* x, const float* y, const float* z, const float* c, int n, float ax, float ay,
                   float az, float two_kappa, float gap, float cutoff, double& sum, double& dsum, double& kept) {
    tile_terms<float>(x, y, z, c, n, ax, ay, az, two_kappa, gap, cutoff, sum, dsum, kept);
}

/// The displacement kernel: Σ f S g with f = e^{−2κ (d − gap)}, g = 2κ (m · D)/d, D = apex − P,
/// m = C u (the first-order change of C e^{−2κ d} when the site moves by u). Its z-derivative
/// sum adds the change of g: ∂g/∂z = 2κ (m_z − (m · D/d) cos)/d, so that dI/dz = −2κ e^{−2κ gap}
/// dsum holds as for tile_terms. kept = Σ|m| over the fully kept pairs, abs = Σ |m| f S (the
/// caller multiplies both by 2κ).
template <typename T>
[[gnu::always_inline]] inline void displacement_terms(const T* x, const T* y, const T* z, const T* mx, const T* my,
                                                      const T* mz, const T* mabs, int n, T ax, T ay, T az,
                                                      T two_kappa, T gap, T cutoff, double& sum, double& dsum,
                                                      double& kept, double& abs_sum) {
    T s = 0, sd = 0, k = 0, a = 0;
    constexpr T kTiny = static_cast<T>(1e-12);
    const T taper = T(1) / two_kappa, taper_start = cutoff - taper;
#pragma omp simd reduction(+ : s, sd, k, a)
    for (int p = 0; p < n; ++p) {
        const PairGeometry<T> pg(x[p], y[p], z[p], ax, ay, az, two_kappa, gap, cutoff, taper_start);
        const T f = pg.factor, taper_value = pg.taper_value, taper_slope = pg.taper_slope, t_raw = pg.t_raw;
        const T inverse_d = T(1) / (pg.d > kTiny ? pg.d : kTiny);
        const T cosine = pg.dz * inverse_d;
        const T projection = (mz[p] * pg.dz - mx[p] * pg.dx - my[p] * pg.dy) * inverse_d;  // m · D / d
        const T g = two_kappa * projection;
        s += f * taper_value * g;
        sd += f * ((taper_value * cosine - taper_slope / two_kappa * (cosine - T(1))) * g -
                   taper_value * (mz[p] - projection * cosine) * inverse_d);
        k += t_raw <= T(0) ? mabs[p] : T(0);
        a += f * taper_value * mabs[p];
    }
    sum = s, dsum = sd, kept = k, abs_sum = a;
}

SYNTHSTM_LONG_VECTOR_CLONES
void displacement_terms_of(const double* const* col, int n, double ax, double ay, double az, double two_kappa,
                           double gap, double cutoff, double& sum, double& dsum, double& kept, double& abs_sum) {
    displacement_terms<double>(col[0], col[1], col[2], col[3], col[4], col[5], col[6], n, ax, ay, az, two_kappa, gap,
                               cutoff, sum, dsum, kept, abs_sum);
}

SYNTHSTM_LONG_VECTOR_CLONES
void displacement_terms_of(const float* const* col, int n, float ax, float ay, float az, float two_kappa, float gap,
                           float cutoff, double& sum, double& dsum, double& kept, double& abs_sum) {
    displacement_terms<float>(col[0], col[1], col[2], col[3], col[4], col[5], col[6], n, ax, ay, az, two_kappa, gap,
                              cutoff, sum, dsum, kept, abs_sum);
}

}  // namespace

/// The tiles that serve gap ≤ max_gap: a grid over the pair points' box widened by the largest
/// lateral reach at max_gap (beyond it an apex keeps no pair at all).
struct Band {
    double max_gap_nm = 0.0;
    double largest_reach_nm = 0.0;
    double segment_reach_nm[2] = {0.0, 0.0};  // each kind of pair's largest reach
    double x0 = 0.0, y0 = 0.0;  // corner of the tile grid
    int nx = 0, ny = 0;
    std::unique_ptr<std::atomic<const Tile<double>*>[]> tiles;
    std::unique_ptr<std::atomic<const Tile<float>*>[]> single_tiles;  // made from `tiles` on first use

    [[nodiscard]] std::size_t count() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
    ~Band() {
        for (std::size_t k = 0; k < (tiles ? count() : 0); ++k) {
            delete tiles[k].load();
            delete single_tiles[k].load();
        }
    }
};

struct PairTiles::Store {
    PairTileSettings settings;
    // One kind of pair: every pair that can matter at some gap, as the point P = r_i − t_j,
    // sorted into xy cells: the tile columns (P's coordinates, then C_ij, or m = C_ij u_i and |m|
    // for displacement pairs) and δ, the pair's vertical offset beyond the gap (its lateral reach
    // at gap h is √((L − δ)(2h + L + δ)), L the segment's cut).
    struct Segment {
        bool displacement = false;
        double cutoff_nm = 0.0;
        std::vector<std::vector<double>> columns;
        std::vector<double> delta;
        std::unique_ptr<SiteCells> cells;
        double total_abs = 0.0;
        [[nodiscard]] std::size_t size() const { return delta.size(); }
    };
    std::vector<Segment> segments;   // the plain (or only) kind first
    double top_nm = 0.0;             // highest site of all segments (or the reference plane)
    double lowest_tip_nm = 0.0;      // lowest tip atom relative to the apex reference
    std::vector<std::unique_ptr<Band>> bands;
    std::atomic<int> built{0};

    /// One segment from sites, weights and (for displacement pairs) displacements.
    void add_segment(const AtomPositions& s, const AtomPositions& t, const Eigen::MatrixXd& w, const std::vector<Vec3>* u,
                     double cutoff_nm) {
        Segment& g = segments.emplace_back();
        g.displacement = u != nullptr;
        g.cutoff_nm = cutoff_nm;
        const double L = cutoff_nm;
        std::vector<std::vector<double>> raw(g.displacement ? 7 : 4);
        std::vector<double> offset;
        for (int j = 0; j < t.size(); ++j) {
            const double above = t.z_nm[j] - lowest_tip_nm;
            if (above >= L) continue;  // no pair of this tip atom is ever kept
            for (int i = 0; i < s.size(); ++i) {
                const double d = above + (top_nm - s.z_nm[i]);
                if (d >= L || w(i, j) == 0.0) continue;
                if (g.displacement && (*u)[static_cast<std::size_t>(i)].isZero(0.0)) continue;
                raw[0].push_back(s.x_nm[i] - t.x_nm[j]);
                raw[1].push_back(s.y_nm[i] - t.y_nm[j]);
                raw[2].push_back(s.z_nm[i] - t.z_nm[j]);
                if (g.displacement) {
                    const Vec3 m = w(i, j) * (*u)[static_cast<std::size_t>(i)];
                    raw[3].push_back(m.x()), raw[4].push_back(m.y()), raw[5].push_back(m.z()), raw[6].push_back(m.norm());
                } else {
                    raw[3].push_back(w(i, j));
                }
                offset.push_back(d);
            }
        }
        // Σ w over every pair (the kept ones are a subset): |C_ij|, or 2κ |m| for displacements.
        if (g.displacement) {
            for (int i = 0; i < s.size(); ++i)
                g.total_abs += 2.0 * settings.kappa_per_nm * (*u)[static_cast<std::size_t>(i)].norm() * w.row(i).cwiseAbs().sum();
        } else {
            g.total_abs = w.cwiseAbs().sum();
        }
        if (offset.empty()) return;
        g.cells = std::make_unique<SiteCells>(raw[0], raw[1], 0.2);
        g.columns.resize(raw.size());
        for (std::size_t k = 0; k < raw.size(); ++k) {
            g.columns[k].reserve(offset.size());
            for (int p : g.cells->order()) g.columns[k].push_back(raw[k][static_cast<std::size_t>(p)]);
        }
        g.delta.reserve(offset.size());
        for (int p : g.cells->order()) g.delta.push_back(offset[static_cast<std::size_t>(p)]);
    }

    /// The band geometry over every segment's pair points.
    void make_bands() {
        const PairTileSettings& st = settings;
        for (int b = 0; b < st.bands; ++b) {
            auto band = std::make_unique<Band>();
            band->max_gap_nm = st.max_gap_nm + b * st.band_nm;
            bands.push_back(std::move(band));
        }
        double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
        bool any = false;
        for (const Segment& g : segments) {
            if (g.size() == 0) continue;
            any = true;
            const auto [x0, x1] = std::minmax_element(g.columns[0].begin(), g.columns[0].end());
            const auto [y0, y1] = std::minmax_element(g.columns[1].begin(), g.columns[1].end());
            xmin = std::min(xmin, *x0), xmax = std::max(xmax, *x1), ymin = std::min(ymin, *y0), ymax = std::max(ymax, *y1);
        }
        if (!any) return;  // nothing within reach anywhere: the bands have no tiles
        std::vector<double> smallest_delta;
        for (const Segment& g : segments)
            smallest_delta.push_back(g.size() == 0 ? 0.0 : *std::min_element(g.delta.begin(), g.delta.end()));
        for (auto& band : bands) {
            const double h = band->max_gap_nm;
            for (const Segment& g : segments) {
                if (g.size() == 0) continue;
                // (L − δ)(2h + L + δ) falls with δ above δ = −h, its maximum (L + h)²: δ < 0 for a
                // site above the reference plane, δ < −h for one above the apex's lowest atom.
                const double L = g.cutoff_nm;
                const double d = std::max(smallest_delta[static_cast<std::size_t>(&g - segments.data())], -h);
                band->segment_reach_nm[&g - segments.data()] = std::sqrt((L - d) * (2 * h + L + d));
                band->largest_reach_nm = std::max(band->largest_reach_nm, band->segment_reach_nm[&g - segments.data()]);
            }
            band->x0 = xmin - band->largest_reach_nm, band->y0 = ymin - band->largest_reach_nm;
            band->nx = static_cast<int>((xmax + band->largest_reach_nm - band->x0) / st.tile_nm) + 1;
            band->ny = static_cast<int>((ymax + band->largest_reach_nm - band->y0) / st.tile_nm) + 1;
            if (static_cast<double>(band->nx) * band->ny > 1 << 24)
                invalid_input(fmt::format("pair tiles: {} × {} tiles of {} nm are too many", band->nx, band->ny, st.tile_nm));
            band->tiles = std::make_unique<std::atomic<const Tile<double>*>[]>(band->count());
            band->single_tiles = std::make_unique<std::atomic<const Tile<float>*>[]>(band->count());
            for (std::size_t k = 0; k < band->count(); ++k) {
                band->tiles[k].store(nullptr);
                band->single_tiles[k].store(nullptr);
            }
        }
    }

    Store(const AtomPositions& t, const PairTileSettings& st, double top_site_nm) : settings(st) {
        top_nm = std::isfinite(st.reference_top_nm) ? st.reference_top_nm : top_site_nm;
        lowest_tip_nm = *std::min_element(t.z_nm.begin(), t.z_nm.end());
    }

    /// Every pair that an apex in tile (ix, iy) of the band keeps at some gap ≤ its max_gap: per
    /// segment the pair points within their reach of the tile's square.
    [[nodiscard]] Tile<double>* build(const Band& band, int ix, int iy) const {
        const double t = settings.tile_nm, h = band.max_gap_nm;
        const double xlo = band.x0 + ix * t, ylo = band.y0 + iy * t, xhi = xlo + t, yhi = ylo + t;
        auto* tile = new Tile<double>;
        // Kept pair indices per segment, gathered branch-free: every candidate is written, n
        // advances when kept.
        thread_local std::vector<int> kept[Tile<double>::kSegments];
        std::size_t total = 0;
        for (std::size_t sg = 0; sg < segments.size(); ++sg) {
            const Segment& g = segments[sg];
            std::vector<int>& list = kept[sg];
            list.clear();
            if (g.size() == 0) continue;
            const double L = g.cutoff_nm;
            const double* px = g.columns[0].data();
            const double* py = g.columns[1].data();
            const double* delta = g.delta.data();
            const double radius = band.segment_reach_nm[sg] + t * std::numbers::sqrt2 / 2;
            g.cells->for_each_range_in_disc(xlo + t / 2, ylo + t / 2, radius, [&](int begin, int end) {
                std::size_t n = list.size();
                list.resize(n + static_cast<std::size_t>(end - begin));
                for (int p = begin; p < end; ++p) {
                    const double ex = std::max({xlo - px[p], 0.0, px[p] - xhi});
                    const double ey = std::max({ylo - py[p], 0.0, py[p] - yhi});
                    list[n] = p;
                    n += ex * ex + ey * ey <= (L - delta[p]) * (2 * h + L + delta[p]) ? 1 : 0;
                }
                list.resize(n);
            });
            tile->n[sg] = static_cast<int>(list.size());
            tile->offset[sg] = total;
            total += g.columns.size() * list.size();
        }
        tile->data = std::make_unique_for_overwrite<double[]>(total);
        for (std::size_t sg = 0; sg < segments.size(); ++sg) {
            double* out = tile->data.get() + tile->offset[sg];
            for (const std::vector<double>& v : segments[sg].columns)
                for (int p : kept[sg]) *out++ = v[static_cast<std::size_t>(p)];
        }
        return tile;
    }

    /// The tile's pairs in single precision, x and y relative to its centre.
    [[nodiscard]] Tile<float>* single(const Band& band, int ix, int iy) {
        const Tile<double>& t = tile<double>(band, ix, iy);
        const double cx = band.x0 + (ix + 0.5) * settings.tile_nm, cy = band.y0 + (iy + 0.5) * settings.tile_nm;
        auto* tile = new Tile<float>;
        std::size_t total = 0;
        for (std::size_t sg = 0; sg < segments.size(); ++sg) {
            tile->n[sg] = t.n[sg];
            tile->offset[sg] = total;
            total += segments[sg].columns.size() * static_cast<std::size_t>(t.n[sg]);
        }
        tile->data = std::make_unique_for_overwrite<float[]>(total);
        for (std::size_t sg = 0; sg < segments.size(); ++sg) {
            const auto n = static_cast<std::size_t>(t.n[sg]);
            float* out = tile->data.get() + tile->offset[sg];
            const int sgi = static_cast<int>(sg);
            for (std::size_t p = 0; p < n; ++p) {
                out[p] = static_cast<float>(t.column(sgi, 0)[p] - cx);
                out[n + p] = static_cast<float>(t.column(sgi, 1)[p] - cy);
            }
            for (std::size_t k = 2; k < segments[sg].columns.size(); ++k)
                for (std::size_t p = 0; p < n; ++p) out[k * n + p] = static_cast<float>(t.column(sgi, static_cast<int>(k))[p]);
        }
        return tile;
    }

    /// Tile (ix, iy) of the band in precision T, built by whichever thread asks first.
    template <typename T>
    [[nodiscard]] const Tile<T>& tile(const Band& band, int ix, int iy) {
        const std::size_t k = static_cast<std::size_t>(iy) * static_cast<std::size_t>(band.nx) + static_cast<std::size_t>(ix);
        std::atomic<const Tile<T>*>& slot = [&]() -> std::atomic<const Tile<T>*>& {
            if constexpr (std::is_same_v<T, double>) return band.tiles[k];
            else return band.single_tiles[k];
        }();
        const Tile<T>* existing = slot.load(std::memory_order_acquire);
        if (existing != nullptr) return *existing;
        const Tile<T>* fresh;
        if constexpr (std::is_same_v<T, double>) fresh = build(band, ix, iy);
        else fresh = single(band, ix, iy);
        if (slot.compare_exchange_strong(existing, fresh, std::memory_order_acq_rel)) {
            if constexpr (std::is_same_v<T, double>) built.fetch_add(1, std::memory_order_relaxed);
            return *fresh;
        }
        delete fresh;  // another thread built the same tile first
        return *existing;
    }
};

namespace {

/// Throws InvalidInput for mismatched sizes or bad settings.
void check(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
           const PairTileSettings& settings) {
    sites_nm.validate("sample");
    tip_nm.validate("tip");
    if (weights.rows() != sites_nm.size() || weights.cols() != tip_nm.size())
        invalid_input(fmt::format("pair tiles: weights are {} × {} for {} sites and {} tip atoms", weights.rows(),
                                  weights.cols(), sites_nm.size(), tip_nm.size()));
    if (!weights.allFinite()) invalid_input("pair tiles: weights have non-finite entries");
    const auto positive = [](double v) { return v > 0.0 && std::isfinite(v); };
    if (!positive(settings.kappa_per_nm) || !positive(settings.cutoff_nm) || !positive(settings.max_gap_nm) ||
        !positive(settings.tile_nm) || !positive(settings.band_nm))
        invalid_input(fmt::format("pair tiles: κ {}, cut-off {} nm, largest gap {} nm, band {} nm and tile {} nm must be "
                                  "positive", settings.kappa_per_nm, settings.cutoff_nm, settings.max_gap_nm,
                                  settings.band_nm, settings.tile_nm));
    if (!std::isnan(settings.reference_top_nm) && !std::isfinite(settings.reference_top_nm))
        invalid_input("pair tiles: the reference plane must be finite");
    if (settings.bands < 1 || settings.bands > 64)
        invalid_input(fmt::format("pair tiles: {} height bands, need 1–64", settings.bands));
    // Counted from a lower plane, a pair's factor e^{−2κ(d − gap)} reaches e^{2κ(top − plane)}
    // (d ≥ gap − (top − plane)): it must stay within single precision's exp range.
    if (std::isfinite(settings.reference_top_nm)) {
        const double above = *std::max_element(sites_nm.z_nm.begin(), sites_nm.z_nm.end()) - settings.reference_top_nm;
        if (2.0 * settings.kappa_per_nm * above > 0.9 * fast_exp_max_arg<float>())
            invalid_input(fmt::format("pair tiles: sites {} nm above the reference plane at κ {} nm⁻¹ leave single "
                                      "precision's range", above, settings.kappa_per_nm));
    }
}

}  // namespace

PairTiles::PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
                     const PairTileSettings& settings) {
    check(sites_nm, tip_nm, weights, settings);
    store_ = std::make_unique<Store>(tip_nm, settings, *std::max_element(sites_nm.z_nm.begin(), sites_nm.z_nm.end()));
    store_->add_segment(sites_nm, tip_nm, weights, nullptr, settings.cutoff_nm);
    store_->make_bands();
}

namespace {
void check_displacements(const AtomPositions& sites_nm, const std::vector<Vec3>& displacement_nm) {
    if (static_cast<int>(displacement_nm.size()) != sites_nm.size())
        invalid_input(fmt::format("pair tiles: {} displacements for {} sites", displacement_nm.size(), sites_nm.size()));
    for (const Vec3& u : displacement_nm)
        if (!u.allFinite()) invalid_input("pair tiles: displacements have non-finite entries");
}
}  // namespace

PairTiles::PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
                     const std::vector<Vec3>& displacement_nm, const PairTileSettings& settings) {
    check(sites_nm, tip_nm, weights, settings);
    check_displacements(sites_nm, displacement_nm);
    store_ = std::make_unique<Store>(tip_nm, settings, *std::max_element(sites_nm.z_nm.begin(), sites_nm.z_nm.end()));
    store_->add_segment(sites_nm, tip_nm, weights, &displacement_nm, settings.cutoff_nm);
    store_->make_bands();
}

PairTiles::PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
                     const AtomPositions& moved_sites_nm, const Eigen::MatrixXd& moved_weights,
                     const std::vector<Vec3>& displacement_nm, double displacement_cutoff_nm,
                     const PairTileSettings& settings) {
    check(sites_nm, tip_nm, weights, settings);
    check(moved_sites_nm, tip_nm, moved_weights, settings);
    check_displacements(moved_sites_nm, displacement_nm);
    if (!(displacement_cutoff_nm > 0.0 && displacement_cutoff_nm <= settings.cutoff_nm))
        invalid_input(fmt::format("pair tiles: the displacement cut-off {} nm must lie in (0, {}]", displacement_cutoff_nm,
                                  settings.cutoff_nm));
    const double top = std::max(*std::max_element(sites_nm.z_nm.begin(), sites_nm.z_nm.end()),
                                *std::max_element(moved_sites_nm.z_nm.begin(), moved_sites_nm.z_nm.end()));
    store_ = std::make_unique<Store>(tip_nm, settings, top);
    store_->add_segment(sites_nm, tip_nm, weights, nullptr, settings.cutoff_nm);
    store_->add_segment(moved_sites_nm, tip_nm, moved_weights, &displacement_nm, displacement_cutoff_nm);
    store_->make_bands();
}

PairTiles::~PairTiles() = default;
PairTiles::PairTiles(PairTiles&&) noexcept = default;
PairTiles& PairTiles::operator=(PairTiles&&) noexcept = default;

namespace {

/// One segment's sums over a tile (tile-centred x, y for single precision).
template <typename T>
void segment_terms(const Tile<T>& tile, int segment, bool displacement, T ax, T ay, T az, T two_kappa, T gap,
                   T cutoff, PairSumTerms& out) {
    const int n = tile.n[segment];
    out.pairs = n;
    if (displacement) {
        const T* columns[7];
        for (int k = 0; k < 7; ++k) columns[k] = tile.column(segment, k);
        displacement_terms_of(columns, n, ax, ay, az, two_kappa, gap, cutoff, out.sum, out.dsum, out.kept_abs_weight,
                              out.abs_sum);
        out.kept_abs_weight *= static_cast<double>(two_kappa);
        out.abs_sum *= static_cast<double>(two_kappa);
    } else {
        tile_terms_of(tile.column(segment, 0), tile.column(segment, 1), tile.column(segment, 2), tile.column(segment, 3), n,
                      ax, ay, az, two_kappa, gap, cutoff, out.sum, out.dsum, out.kept_abs_weight);
    }
}

}  // namespace

std::optional<PairSumTerms> PairTiles::evaluate(const Vec3& apex_nm, TunnelingPrecision precision,
                                                PairSumTerms* displacement) const {
    Store& s = *store_;
    const double gap = apex_nm.z() + s.lowest_tip_nm - s.top_nm;
    if (!(gap >= 0.0)) return std::nullopt;
    // The lowest band that serves this gap keeps the fewest extra pairs.
    const Band* band = nullptr;
    for (const auto& b : s.bands)
        if (gap <= b->max_gap_nm) {
            band = b.get();
            break;
        }
    if (band == nullptr) return std::nullopt;
    const double fx = std::floor((apex_nm.x() - band->x0) / s.settings.tile_nm);
    const double fy = std::floor((apex_nm.y() - band->y0) / s.settings.tile_nm);
    PairSumTerms out;
    out.min_distance_nm = gap;
    if (displacement != nullptr) *displacement = out;
    if (!(fx >= 0.0 && fx < band->nx && fy >= 0.0 && fy < band->ny)) return out;  // beyond every pair's reach
    const int ix = static_cast<int>(fx), iy = static_cast<int>(fy);
    const double two_kappa = 2.0 * s.settings.kappa_per_nm;
    const int segments = static_cast<int>(s.segments.size());
    if (precision == TunnelingPrecision::Single) {
        const Tile<float>& tile = s.tile<float>(*band, ix, iy);
        const double cx = band->x0 + (ix + 0.5) * s.settings.tile_nm, cy = band->y0 + (iy + 0.5) * s.settings.tile_nm;
        for (int sg = 0; sg < segments; ++sg) {
            if (sg > 0 && displacement == nullptr) break;
            PairSumTerms& terms = sg == 0 ? out : *displacement;
            segment_terms<float>(tile, sg, s.segments[sg].displacement, static_cast<float>(apex_nm.x() - cx),
                                 static_cast<float>(apex_nm.y() - cy), static_cast<float>(apex_nm.z()),
                                 static_cast<float>(two_kappa), static_cast<float>(gap),
                                 static_cast<float>(s.segments[sg].cutoff_nm), terms);
        }
        return out;
    }
    const Tile<double>& tile = s.tile<double>(*band, ix, iy);
    for (int sg = 0; sg < segments; ++sg) {
        if (sg > 0 && displacement == nullptr) break;
        PairSumTerms& terms = sg == 0 ? out : *displacement;
        segment_terms<double>(tile, sg, s.segments[sg].displacement, apex_nm.x(), apex_nm.y(), apex_nm.z(), two_kappa, gap,
                              s.segments[sg].cutoff_nm, terms);
    }
    return out;
}

double PairTiles::total_abs_weight() const { return store_->segments[0].total_abs; }

double PairTiles::displacement_total_abs_weight() const {
    return store_->segments.size() > 1 ? store_->segments[1].total_abs : 0.0;
}

double PairTiles::top_site_nm() const { return store_->top_nm; }

int PairTiles::tiles_built() const { return store_->built.load(std::memory_order_relaxed); }

}  // namespace synthstm
