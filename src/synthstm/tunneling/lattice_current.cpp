#include "synthstm/tunneling/lattice_current.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <mutex>
#include <numbers>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/core/vector_clones.hpp"
#include "synthstm/tunneling/fast_exp.hpp"

namespace synthstm {

namespace {

using Complex = std::complex<double>;

/// F(G, h)/F(0, h): the weight of a reciprocal vector of length g relative to the lateral
/// average, for a pair at height h. It falls with g and, for g > 0, with h.
double relative_weight(double g, double h, double alpha) {
    const double beta = std::sqrt(alpha * alpha + g * g);
    const double r = alpha / beta;
    return std::exp(-h * (beta - alpha)) * (1.0 + h * beta) / (1.0 + h * alpha) * r * r * r;
}

/// Bound on Σ_{|G| > g_cut} F(|G|, h)/F(0, h). Each G owns its Wigner–Seitz cell (area 4π²/A_c,
/// every point within `reach` of G), and the weight w(g' − reach) at any point g' of that cell is
/// at least w(|G|) since w falls; so the sum is at most A_c/(4π²) ∫_{g' > g_cut − reach}
/// w(g' − reach) d²g', evaluated by the trapezoid rule on a fine grid (w is smooth).
/// TailBounds integrates once and answers for any g_cut: the integral from the grid point at or
/// below g_cut − reach (so never less than the integral from g_cut − reach itself).
class TailBounds {
public:
    TailBounds(double reach, double h, double alpha, double cell_area)
        : reach_(reach), step_(0.02 / std::max(h, 0.02)), scale_(cell_area / (2.0 * std::numbers::pi)) {
        // w varies on the scale 1/h; integrate until the integrand is 1e-30 of the running sum.
        double sum = 0.0;
        double f = 0.0;  // the integrand at g = 0 (it carries the factor g)
        cumulative_.push_back(0.0);
        for (double g = 0.0; g < 1e5; g += step_) {
            const double f2 = relative_weight(std::max(0.0, g + step_ - reach), h, alpha) * (g + step_);
            sum += 0.5 * step_ * (f + f2);
            cumulative_.push_back(sum);
            f = f2;
            if (f2 < 1e-30 * std::max(sum, 1e-300)) break;
        }
    }
    /// The bound for the cut at g_cut.
    [[nodiscard]] double operator()(double g_cut) const {
        const double g0 = std::max(0.0, g_cut - reach_);
        const auto k = static_cast<std::size_t>(std::floor(g0 / step_));
        if (k + 1 >= cumulative_.size()) return 0.0;
        return scale_ * (cumulative_.back() - cumulative_[k]);
    }

private:
    double reach_, step_, scale_;
    std::vector<double> cumulative_;  // ∫_0^{k·step}
};

/// The G sum at height z: S = Σ_G f_G (p + q z) Re-part of e^{iG·ρ}, f_G = e^{−(β−α)z} of the
/// term's shell, and dS/dz + αS = Σ_G f_G (q − (β − α)(p + q z)). The phases come from the power
/// tables u1^n, u2^n (re, im). A loop over arrays with gathers: AVX-512/AVX2 pay here.
SYNTHSTM_LONG_VECTOR_CLONES
void reciprocal_sum(int count, const int* n1, const int* n2, const int* shell, const double* p_re, const double* p_im,
                    const double* q_re, const double* q_im, const double* re1, const double* im1, const double* re2,
                    const double* im2, const double* factor, const double* decay, double z, double& sum,
                    double& dsum) {
    double s = 0.0, ds = 0.0;
#pragma omp simd reduction(+ : s, ds)
    for (int t = 0; t < count; ++t) {
        const double a_re = re1[n1[t]], a_im = im1[n1[t]], b_re = re2[n2[t]], b_im = im2[n2[t]];
        const double ph_re = a_re * b_re - a_im * b_im;
        const double ph_im = a_re * b_im + a_im * b_re;
        const double p = p_re[t] * ph_re - p_im[t] * ph_im;
        const double q = q_re[t] * ph_re - q_im[t] * ph_im;
        const double f = factor[shell[t]];
        const double bracket = p + q * z;
        s += f * bracket;
        ds += f * (q - decay[shell[t]] * bracket);
    }
    sum = s, dsum = ds;
}

/// e^{−decay·z} for every shell (decay ≥ 0, z > 0: arguments in [−700, 0] are exact enough; a
/// factor below e^{−700} is 0 to the sum anyway).
SYNTHSTM_LONG_VECTOR_CLONES
void shell_factors(int count, const double* decay, double z, double* factor) {
#pragma omp simd
    for (int s = 0; s < count; ++s) {
        const double x = -decay[s] * z;
        factor[s] = x > -fast_exp_max_arg<double>() ? fast_exp<double>(x) : 0.0;
    }
}

}  // namespace

struct LatticeCurrentModel::DeepSum {
    std::once_flag built;
    std::unique_ptr<ReciprocalSum> sum;  // null when it cannot be built (then the exact sum serves)
};

LatticeCurrentModel::LatticeCurrentModel(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                                         const AtomPositions& tip_nm, const AtomPositions& correction_sites_nm,
                                         const Eigen::MatrixXd& correction_weights, const CurrentModel* exact,
                                         const LatticeCurrentSettings& settings, const DisplacedCorrections* tiled)
    : exact_(exact) {
    const double kappa = settings.kappa_per_nm;
    if (!(kappa > 0.0) || !std::isfinite(kappa)) invalid_input(fmt::format("kappa_per_nm must be positive, got {}", kappa));
    if (!(settings.relative_tolerance > 0.0 && settings.relative_tolerance < 1.0))
        invalid_input(fmt::format("lattice current: relative tolerance must be in (0, 1), got {}", settings.relative_tolerance));
    if (!(settings.min_height_nm >= 0.05) || !std::isfinite(settings.min_height_nm))
        invalid_input(fmt::format("lattice current: the minimum height must be at least 0.05 nm, got {}", settings.min_height_nm));
    if (!(settings.site_tolerance >= 0.0) || !std::isfinite(settings.site_tolerance))
        invalid_input(fmt::format("lattice current: site tolerance must not be negative, got {}", settings.site_tolerance));
    if (exact_ == nullptr) invalid_input("lattice current: an exact model is needed below the minimum height");
    if (!(settings.tile_bands >= 0 && settings.tile_band_nm > 0.0 && std::isfinite(settings.tile_band_nm)))
        invalid_input(fmt::format("lattice current: {} tile bands of {} nm: need a non-negative count and a positive step",
                                  settings.tile_bands, settings.tile_band_nm));
    tip_nm.validate("tip");
    const int sites = static_cast<int>(surface.basis_nm.size());
    if (sites == 0 || pristine_weights.rows() != sites || pristine_weights.cols() != tip_nm.size())
        invalid_input(fmt::format("lattice current: pristine weights are {} × {} for {} basis sites and {} tip atoms",
                                  pristine_weights.rows(), pristine_weights.cols(), sites, tip_nm.size()));
    if (!pristine_weights.allFinite()) invalid_input("lattice current: pristine weights have non-finite entries");

    alpha_ = 2.0 * kappa;
    min_height_nm_ = settings.min_height_nm;
    lowest_tip_nm_ = *std::min_element(tip_nm.z_nm.begin(), tip_nm.z_nm.end());
    top_plane_nm_ = -std::numeric_limits<double>::infinity();
    for (const Vec3& b : surface.basis_nm) top_plane_nm_ = std::max(top_plane_nm_, b.z());

    // Reciprocal lattice: b_i · a_j = 2π δ_ij in the plane.
    const Vec3& a1 = surface.a1_nm;
    const Vec3& a2 = surface.a2_nm;
    const double signed_area = a1.x() * a2.y() - a1.y() * a2.x();
    const double cell_area = std::abs(signed_area);
    if (!(cell_area > 0.0)) invalid_input("lattice current: the primitive vectors are parallel");
    const double two_pi = 2.0 * std::numbers::pi;
    b1_ = Vec3(a2.y(), -a2.x(), 0.0) * (two_pi / signed_area);
    b2_ = Vec3(-a1.y(), a1.x(), 0.0) * (two_pi / signed_area);
    surface_ = surface;
    pristine_weights_ = pristine_weights;
    tip_nm_ = tip_nm;
    relative_tolerance_ = settings.relative_tolerance;
    // The smallest pair height the G sum must serve: the apex at min_height over the top plane.
    main_ = reciprocal_sum_for(min_height_nm_);
    if (!(settings.deep_min_height_nm == 0.0 ||
          (settings.deep_min_height_nm >= 0.05 && settings.deep_min_height_nm < settings.min_height_nm)))
        invalid_input(fmt::format("lattice current: the deep minimum height {} nm must be 0 or in [0.05, {}) nm",
                                  settings.deep_min_height_nm, settings.min_height_nm));
    deep_min_height_nm_ = settings.deep_min_height_nm;
    deep_ = std::make_unique<DeepSum>();
    const int tips = tip_nm.size();
    const double norm = two_pi * alpha_ / cell_area;

    // The |C⁰| sum for the tail bound: the laterally averaged current with |weights|.
    for (int s = 0; s < sites; ++s) {
        for (int j = 0; j < tips; ++j) {
            const double delta = tip_nm.z_nm[j] - surface.basis_nm[static_cast<std::size_t>(s)].z();
            const double e = norm * std::abs(pristine_weights(s, j)) * std::exp(-alpha_ * delta) / (alpha_ * alpha_ * alpha_);
            abs_average_p_ += e * (1.0 + alpha_ * delta);
            abs_average_q_ += e * alpha_;
        }
    }

    correction_sites_ = correction_sites_nm.size();
    if (correction_sites_ > 0) {
        TunnelingSettings ts;
        ts.kappa_per_nm = kappa;
        ts.relative_tolerance = settings.relative_tolerance;
        defects_.emplace(correction_sites_nm, tip_nm, correction_weights, ts);
        PairTileSettings tiles;
        tiles.kappa_per_nm = kappa;
        tiles.cutoff_nm = ts.cutoff_length_nm();
        tiles.tile_nm = settings.tile_nm;
        tiles.max_gap_nm = settings.tile_max_gap_nm;
        tiles.band_nm = settings.tile_band_nm;
        tiles.bands = settings.tile_bands;
        if (settings.tile_bands > 0 && tiled == nullptr) {
            defect_tiles_.emplace(correction_sites_nm, tip_nm, correction_weights, tiles);
            tile_kinds_ = TileKinds::Plain;
        } else if (settings.tile_bands > 0) {
            first_order_sites_ = tiled->sites.size();
            const bool exact = tiled->exact_sites.size() > 0;
            if (first_order_sites_ > 0) {
                for (const Vec3& u : tiled->displacement_nm) largest_displacement_nm_ = std::max(largest_displacement_nm_, u.norm());
                largest_first_order_ = alpha_ * largest_displacement_nm_;
                if (!(largest_first_order_ > 0.0 && largest_first_order_ < 1.0))
                    invalid_input(fmt::format("lattice current: first-order displacements up to {} nm are out of range",
                                              largest_displacement_nm_));
                // A term's weight is 2κ|u| |C| ≤ η |C|: cut ln(1/η)/(2κ) sooner for the same tolerance.
                // (Not below the taper's width: nearer pairs would be tapered too.)
                const double moved_cutoff = std::max(tiles.cutoff_nm + std::log(largest_first_order_) / alpha_, 1.0 / alpha_);
                // A dropped or tapered pair's whole change, not only its first order: ≤ the weight ×
                // (e^η − 1)/η, plus the second-order share ½ e^η η (1 + 1/(α r)) where it is
                // tapered, r ≥ the cut less the taper's width.
                const double eta = largest_first_order_;
                const double r_cut = std::max(moved_cutoff - 1.0 / alpha_, 1.0 / alpha_);
                const double whole = std::expm1(eta) / eta + 0.5 * std::exp(eta) * eta * (1.0 + 1.0 / (alpha_ * r_cut));
                displacement_tolerance_ = whole * PairTiles::kTaperBoundFactor * std::exp(-alpha_ * moved_cutoff);
                // Both kinds in one set of tiles: one lookup and one tile per apex position.
                if (exact) {
                    defect_tiles_.emplace(tiled->exact_sites, tip_nm, tiled->exact_weights, tiled->sites, tiled->weights,
                                          tiled->displacement_nm, moved_cutoff, tiles);
                    tile_kinds_ = TileKinds::Both;
                } else {
                    PairTileSettings moved = tiles;
                    moved.cutoff_nm = moved_cutoff;
                    defect_tiles_.emplace(tiled->sites, tip_nm, tiled->weights, tiled->displacement_nm, moved);
                    tile_kinds_ = TileKinds::Displacement;
                }
            } else if (exact) {
                defect_tiles_.emplace(tiled->exact_sites, tip_nm, tiled->exact_weights, tiles);
                tile_kinds_ = TileKinds::Plain;
            }
        }
        if (defect_tiles_) {
            tile_scale_ = std::exp(alpha_ * (defect_tiles_->top_site_nm() - lowest_tip_nm_));
            tile_tolerance_ = PairTiles::kTaperBoundFactor * std::exp(-alpha_ * tiles.cutoff_nm);
        }
    }
    site_tolerance_ = settings.site_tolerance;
}

LatticeCurrentModel::~LatticeCurrentModel() = default;
LatticeCurrentModel::LatticeCurrentModel(LatticeCurrentModel&&) noexcept = default;
LatticeCurrentModel& LatticeCurrentModel::operator=(LatticeCurrentModel&&) noexcept = default;

LatticeCurrentModel::ReciprocalSum LatticeCurrentModel::reciprocal_sum_for(double h_min) const {
    const Vec3& a1 = surface_.a1_nm;
    const Vec3& a2 = surface_.a2_nm;
    const double cell_area = std::abs(a1.x() * a2.y() - a1.y() * a2.x());
    const double two_pi = 2.0 * std::numbers::pi;
    // Farthest point of a reciprocal Wigner–Seitz cell from its centre: at most half the longest
    // of b1, b2, b1 ± b2 (a generous bound that holds for any cell shape).
    const double reach = 0.5 * std::max({b1_.norm(), b2_.norm(), (b1_ + b2_).norm(), (b1_ - b2_).norm()});
    ReciprocalSum out;
    const TailBounds tail_bound(reach, h_min, alpha_, cell_area);
    double g_cut = 0.0;
    while (tail_bound(g_cut) > relative_tolerance_) g_cut += 0.25 * reach;
    out.tail_bound = tail_bound(g_cut);

    // Enumerate G = n1 b1 + n2 b2 with |G| ≤ g_cut, one of each ±G pair.
    const double b_min = std::min(b1_.norm(), b2_.norm());
    // |n1 b1 + n2 b2| ≥ |n_i| · (height of the reciprocal cell), so this bound on |n| is safe.
    const double cell_height = two_pi * two_pi / cell_area / std::max(b1_.norm(), b2_.norm());
    out.max_index = static_cast<int>(std::ceil(g_cut / std::min(cell_height, b_min))) + 1;
    if (out.max_index > kMaxIndex)
        invalid_input(fmt::format("lattice current: min_height {} nm needs too many reciprocal vectors", h_min));
    struct Candidate {
        int n1, n2;
        double g;
    };
    std::vector<Candidate> candidates;
    for (int n1 = -out.max_index; n1 <= out.max_index; ++n1) {
        for (int n2 = -out.max_index; n2 <= out.max_index; ++n2) {
            // Half plane: n1 > 0, or n1 = 0 and n2 ≥ 0 (G = 0 once).
            if (n1 < 0 || (n1 == 0 && n2 < 0)) continue;
            const double g = (double(n1) * b1_ + double(n2) * b2_).norm();
            if (g <= g_cut) candidates.push_back({n1, n2, g});
        }
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.g < b.g; });
    std::vector<double> shell_beta;  // β of each shell, in order of |G|

    // Coefficients: Σ_sj C⁰_sj (2πα/A_c) e^{−β(z + Δ)} (1 + β(z + Δ))/β³ e^{iG·(t_j − b_s)},
    // Δ = z_tj − z_s, = e^{−βz} (p + q z) with the p and q below.
    const int sites = static_cast<int>(surface_.basis_nm.size());
    const int tips = tip_nm_.size();
    const double norm = two_pi * alpha_ / cell_area;
    Terms& terms = out.terms;
    for (const Candidate& c : candidates) {
        const Vec3 G = double(c.n1) * b1_ + double(c.n2) * b2_;
        const double beta = std::sqrt(alpha_ * alpha_ + c.g * c.g);
        if (shell_beta.empty() || beta > shell_beta.back() * (1.0 + 1e-12)) shell_beta.push_back(beta);
        Complex p, q;
        const double beta3 = beta * beta * beta;
        for (int s = 0; s < sites; ++s) {
            const Vec3& b = surface_.basis_nm[static_cast<std::size_t>(s)];
            for (int j = 0; j < tips; ++j) {
                const double w = pristine_weights_(s, j);
                if (w == 0.0) continue;
                const double delta = tip_nm_.z_nm[j] - b.z();
                const double phase = G.x() * (tip_nm_.x_nm[j] - b.x()) + G.y() * (tip_nm_.y_nm[j] - b.y());
                const Complex e = std::polar(norm * w * std::exp(-beta * delta) / beta3, phase);
                p += e * (1.0 + beta * delta);
                q += e * beta;
            }
        }
        if (c.n1 != 0 || c.n2 != 0) p *= 2.0, q *= 2.0;  // the −G partner: twice the real part
        terms.n1.push_back(c.n1 + out.max_index);
        terms.n2.push_back(c.n2 + out.max_index);
        terms.shell.push_back(static_cast<int>(shell_beta.size()) - 1);
        terms.p_re.push_back(p.real()), terms.p_im.push_back(p.imag());
        terms.q_re.push_back(q.real()), terms.q_im.push_back(q.imag());
    }
    if (shell_beta.size() > static_cast<std::size_t>(kMaxShells))
        invalid_input(fmt::format("lattice current: min_height {} nm needs {} shells of reciprocal vectors, at most {}",
                                  h_min, shell_beta.size(), kMaxShells));
    for (const double beta : shell_beta) out.shell_decay.push_back(beta - alpha_);
    return out;
}

const LatticeCurrentModel::ReciprocalSum* LatticeCurrentModel::deep() const {
    DeepSum& d = *deep_;
    std::call_once(d.built, [&] {
        try {
            d.sum = std::make_unique<ReciprocalSum>(reciprocal_sum_for(deep_min_height_nm_));
        } catch (const Error&) {
            d.sum.reset();  // more vectors than the buffers hold: the exact sum serves these heights
        }
    });
    return d.sum.get();
}

TunnelingCurrent LatticeCurrentModel::current(const Vec3& apex_nm) const {
    return evaluate(apex_nm, TunnelingPrecision::Double);
}

TunnelingCurrent LatticeCurrentModel::image_current(const Vec3& apex_nm) const {
    return evaluate(apex_nm, TunnelingPrecision::Single);
}

TunnelingCurrent LatticeCurrentModel::evaluate(const Vec3& apex_nm, TunnelingPrecision precision) const {
    if (!apex_nm.allFinite()) invalid_input("tip position must be finite");
    const double z = apex_nm.z();
    // Every pair at least min_height apart vertically (or deep_min_height: the longer sum), or
    // the exact sum.
    const double height = z + lowest_tip_nm_ - top_plane_nm_;
    const ReciprocalSum* g_sum = &main_;
    if (height < min_height_nm_) {
        g_sum = deep_min_height_nm_ > 0.0 && height >= deep_min_height_nm_ ? deep() : nullptr;
        if (g_sum == nullptr) return exact_->current(apex_nm);
    }
    const ReciprocalSum& g = *g_sum;

    // e^{iG·ρ} = u1^n1 u2^n2: two sincos, then products (tables of re and im, index n + max_index).
    const Complex u1 = std::polar(1.0, b1_.x() * apex_nm.x() + b1_.y() * apex_nm.y());
    const Complex u2 = std::polar(1.0, b2_.x() * apex_nm.x() + b2_.y() * apex_nm.y());
    double re1[2 * kMaxIndex + 1], im1[2 * kMaxIndex + 1], re2[2 * kMaxIndex + 1], im2[2 * kMaxIndex + 1];
    const int m = g.max_index;
    re1[m] = re2[m] = 1.0, im1[m] = im2[m] = 0.0;
    Complex w1 = 1.0, w2 = 1.0;
    for (int n = 1; n <= m; ++n) {
        w1 *= u1, w2 *= u2;
        re1[m + n] = re1[m - n] = w1.real(), im1[m + n] = w1.imag(), im1[m - n] = -w1.imag();
        re2[m + n] = re2[m - n] = w2.real(), im2[m + n] = w2.imag(), im2[m - n] = -w2.imag();
    }

    // S = Σ_shell e^{−(β − α) z} Σ_G (p + q z) e^{iG·ρ}, I_lattice = e^{−αz} S.
    double factor[kMaxShells];
    shell_factors(static_cast<int>(g.shell_decay.size()), g.shell_decay.data(), z, factor);
    double sum = 0.0, dsum = 0.0;  // S and dS/dz + αS (the derivative of the bracket)
    reciprocal_sum(g.terms.size(), g.terms.n1.data(), g.terms.n2.data(), g.terms.shell.data(), g.terms.p_re.data(),
                   g.terms.p_im.data(), g.terms.q_re.data(), g.terms.q_im.data(), re1, im1, re2, im2, factor,
                   g.shell_decay.data(), z, sum, dsum);

    // I = e^{−αz} (S + I_defects e^{αz}); dI/dz = e^{−αz} (dS − αS + …).
    double scaled = sum;                 // I e^{αz}
    double dscaled = dsum - alpha_ * sum;  // (dI/dz) e^{αz}
    TunnelingCurrent out;
    out.min_distance_nm = z + lowest_tip_nm_ - top_plane_nm_;
    const double average_abs = abs_average_p_ + abs_average_q_ * z;  // e^{αz} × Σ|C⁰| F(0)/A_c
    double bound_scaled = g.tail_bound * average_abs;
    PairSumTerms moved;
    std::optional<PairSumTerms> tiled;
    if (defect_tiles_) tiled = defect_tiles_->evaluate(apex_nm, precision, tile_kinds_ == TileKinds::Both ? &moved : nullptr);
    if (tiled) {
        // Terms relative to e^{−α gap}, gap = z + lowest tip − top site: × e^{αz} is e^{α(top − lowest)}.
        const double scale = tile_scale_;
        if (tile_kinds_ == TileKinds::Displacement) moved = *tiled;
        if (tile_kinds_ != TileKinds::Displacement) {
            scaled += scale * tiled->sum;
            dscaled -= scale * alpha_ * tiled->dsum;
            bound_scaled += scale * tile_tolerance_ * std::max(0.0, defect_tiles_->total_abs_weight() - tiled->kept_abs_weight);
            out.pairs += tiled->pairs;
        }
        if (tile_kinds_ != TileKinds::Plain) {
            const double total = tile_kinds_ == TileKinds::Both ? defect_tiles_->displacement_total_abs_weight()
                                                                : defect_tiles_->total_abs_weight();
            scaled += scale * moved.sum;
            dscaled -= scale * alpha_ * moved.dsum;
            bound_scaled += scale * displacement_tolerance_ * std::max(0.0, total - moved.kept_abs_weight);
            // The second-order rest: ½ e^{η} η (1 + 1/(α r)) × the term's weight 2κ|u||C| e^{−αd},
            // r ≥ gap − |u| the shortest pair distance (gap counted from the tiles' top site).
            const double r = std::max(moved.min_distance_nm - largest_displacement_nm_, 1e-3);
            const double eta = largest_first_order_;
            bound_scaled += scale * 0.5 * std::exp(eta) * eta * (1.0 + 1.0 / (alpha_ * r)) * moved.abs_sum;
            out.pairs += moved.pairs;
        }
    } else if (defects_) {
        const TunnelingCurrent d = defects_->current(apex_nm);
        if (d.current != 0.0 || std::isfinite(d.ln_abs_current)) {
            const double shift = d.ln_abs_current + alpha_ * z;  // ln |I_defects e^{αz}|
            const double mag = std::exp(shift);
            const double ratio = d.dln_current_dz_per_nm;
            const double sgn = d.current < 0 ? -1.0 : 1.0;
            scaled += sgn * mag;
            dscaled += sgn * mag * ratio;
            bound_scaled += d.cutoff_error_bound * std::exp(alpha_ * z);
        }
        out.pairs += d.pairs;
        out.min_distance_nm = std::min(out.min_distance_nm, d.min_distance_nm);
    }
    // Dropped corrections: at most ε times the lattice share.
    bound_scaled += site_tolerance_ * std::abs(sum);
    if (scaled == 0.0) {
        out.ln_abs_current = -std::numeric_limits<double>::infinity();
        out.dln_current_dz_per_nm = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    const double ln_scale = -alpha_ * z;
    out.ln_abs_current = ln_scale + std::log(std::abs(scaled));
    out.current = std::copysign(std::exp(out.ln_abs_current), scaled);
    out.dcurrent_dz_per_nm = dscaled * std::exp(ln_scale);
    out.dln_current_dz_per_nm = dscaled / scaled;
    out.cutoff_error_bound = bound_scaled * std::exp(ln_scale);
    return out;
}

LatticeCurrentModel lattice_current_model(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                                          const AtomPositions& tip_nm, const AtomPositions& region_sites_nm,
                                          const std::vector<int>& region_sublattice,
                                          const Eigen::MatrixXd& region_weights,
                                          const std::vector<Vec3>& vacancies_nm,
                                          const std::vector<int>& vacancy_sublattice,
                                          const CurrentModel* exact, const LatticeCurrentSettings& settings) {
    return lattice_current_model(surface, pristine_weights, tip_nm, region_sites_nm, region_sites_nm, region_sublattice,
                                 region_weights, vacancies_nm, vacancy_sublattice, exact, settings);
}

LatticeCurrentModel lattice_current_model(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                                          const AtomPositions& tip_nm, const AtomPositions& region_sites_nm,
                                          const AtomPositions& region_lattice_sites_nm,
                                          const std::vector<int>& region_sublattice,
                                          const Eigen::MatrixXd& region_weights,
                                          const std::vector<Vec3>& vacancies_nm,
                                          const std::vector<int>& vacancy_sublattice,
                                          const CurrentModel* exact, const LatticeCurrentSettings& settings) {
    const int sites = region_sites_nm.size();
    if (static_cast<int>(region_sublattice.size()) != sites || region_weights.rows() != sites ||
        region_weights.cols() != pristine_weights.cols() || region_lattice_sites_nm.size() != sites)
        invalid_input("lattice current: region sites, sublattices and weights do not match");
    if (vacancies_nm.size() != vacancy_sublattice.size())
        invalid_input("lattice current: vacancies and their sublattices do not match");
    const int basis = static_cast<int>(pristine_weights.rows());
    const auto check_sublattice = [&](int s) {
        if (s < 0 || s >= basis) invalid_input(fmt::format("lattice current: sublattice index {} out of range", s));
    };
    // A displacement δ changes a site's factor by about 2κδ: below ε it counts as in place.
    const double two_kappa = 2.0 * settings.kappa_per_nm;
    const double moved_nm = settings.site_tolerance / two_kappa;
    if (!(settings.first_order_displacement >= 0.0 && settings.first_order_displacement <= 0.1))
        invalid_input(fmt::format("lattice current: first-order displacement limit {} must lie in [0, 0.1]",
                                  settings.first_order_displacement));
    // The exact list (moved sites as −C⁰ where the lattice puts them and C where they are) for the
    // pair sum; for the tiles the small displacements as first-order terms at the lattice site
    // (C e^{−2κd'} − C⁰ e^{−2κd} = ΔC e^{−2κd} + C (e^{−2κd'} − e^{−2κd})). Rows are named here
    // (no vector per site: thousands of sites per sample) and copied once at the end.
    enum class Row : std::uint8_t { Pristine, Own, Change };  // −C⁰_s, C_i, C_i − C⁰_s
    struct Entry {
        Vec3 position;
        Row row;
        int index;  // region site (or vacancy, for Pristine: the sublattice)
    };
    std::vector<Entry> kept, tile_kept;
    std::vector<int> first_order_sites;
    std::vector<Vec3> first_order, displacement;
    const int tips = static_cast<int>(pristine_weights.cols());
    for (int i = 0; i < sites; ++i) {
        const int s = region_sublattice[static_cast<std::size_t>(i)];
        check_sublattice(s);
        const Vec3 here(region_sites_nm.x_nm[i], region_sites_nm.y_nm[i], region_sites_nm.z_nm[i]);
        const Vec3 lattice(region_lattice_sites_nm.x_nm[i], region_lattice_sites_nm.y_nm[i],
                           region_lattice_sites_nm.z_nm[i]);
        double largest_change = 0.0, scale = 0.0;
        for (int j = 0; j < tips; ++j) {
            largest_change = std::max(largest_change, std::abs(region_weights(i, j) - pristine_weights(s, j)));
            scale = std::max(scale, std::abs(pristine_weights(s, j)));
        }
        const bool changed = largest_change > settings.site_tolerance * scale;
        const double u = (here - lattice).norm();
        if (u > moved_nm) {
            kept.push_back({lattice, Row::Pristine, s});
            kept.push_back({here, Row::Own, i});
            if (two_kappa * u <= settings.first_order_displacement) {
                first_order.push_back(lattice);
                first_order_sites.push_back(i);
                displacement.push_back(here - lattice);
                if (changed) tile_kept.push_back({lattice, Row::Change, i});
            } else {
                tile_kept.push_back({lattice, Row::Pristine, s});
                tile_kept.push_back({here, Row::Own, i});
            }
            continue;
        }
        if (changed) {
            kept.push_back({here, Row::Change, i});
            tile_kept.push_back({here, Row::Change, i});
        }
    }
    for (std::size_t v = 0; v < vacancies_nm.size(); ++v) {
        check_sublattice(vacancy_sublattice[v]);
        kept.push_back({vacancies_nm[v], Row::Pristine, vacancy_sublattice[v]});
        tile_kept.push_back({vacancies_nm[v], Row::Pristine, vacancy_sublattice[v]});
    }
    const auto positions = [](const std::vector<Entry>& entries) {
        AtomPositions p;
        for (const Entry& e : entries) p.x_nm.push_back(e.position.x()), p.y_nm.push_back(e.position.y()), p.z_nm.push_back(e.position.z());
        return p;
    };
    const auto matrix = [&](const std::vector<Entry>& entries) {
        Eigen::MatrixXd m(static_cast<Eigen::Index>(entries.size()), tips);
        for (std::size_t k = 0; k < entries.size(); ++k) {
            const Entry& e = entries[k];
            const auto row = static_cast<Eigen::Index>(k);
            switch (e.row) {
                case Row::Pristine: m.row(row) = -pristine_weights.row(e.index); break;
                case Row::Own: m.row(row) = region_weights.row(e.index); break;
                case Row::Change:
                    m.row(row) = region_weights.row(e.index) - pristine_weights.row(region_sublattice[static_cast<std::size_t>(e.index)]);
                    break;
            }
        }
        return m;
    };
    if (first_order.empty())
        return LatticeCurrentModel(surface, pristine_weights, tip_nm, positions(kept), matrix(kept), exact, settings);
    Eigen::MatrixXd first_order_weights(static_cast<Eigen::Index>(first_order_sites.size()), tips);
    for (std::size_t k = 0; k < first_order_sites.size(); ++k)
        first_order_weights.row(static_cast<Eigen::Index>(k)) = region_weights.row(first_order_sites[k]);
    const DisplacedCorrections tiled{positions(tile_kept), matrix(tile_kept), AtomPositions::from_points(first_order),
                                     first_order_weights, displacement};
    return LatticeCurrentModel(surface, pristine_weights, tip_nm, positions(kept), matrix(kept), exact, settings, &tiled);
}

}  // namespace synthstm
