// The tiled pair sum (pair_tiles.hpp) against a direct double loop over every pair with the same
// cut, its error bound against the sum without cut, and its thread independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "support/error_message.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/material.hpp"
#include "synthstm/tunneling/pair_tiles.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

using namespace synthstm;
using test::error_message;

namespace {

constexpr double kKappa = 10.0;
constexpr double kTolerance = 1e-6;

/// Every site of a WSe2 patch with random signed weights (corrections may have either sign)
/// under a small tilted tip of seven atoms over three layers.
struct TileSetup {
    AtomPositions sites, tip;
    Eigen::MatrixXd weights;
    PairTileSettings settings;
};

TileSetup make_tile_setup() {
    TileSetup s;
    const TmdMaterial& m = wse2();
    std::vector<Vec3> p;
    for (const CellIndex& c : cells_in_rectangle(m, -2.0, 2.0, -2.0, 2.0))
        for (Sublattice l : kSublattices) p.push_back(m.position(c.i, c.j, l));
    s.sites = AtomPositions::from_points(p);
    s.tip = AtomPositions::from_points(std::vector<Vec3>{{0, 0, 0},
                                                          {0.13, 0.05, 0.18},
                                                          {-0.11, 0.09, 0.19},
                                                          {0.0, -0.14, 0.17},
                                                          {0.2, 0.2, 0.37},
                                                          {-0.25, 0.1, 0.36},
                                                          {0.05, -0.28, 0.38}});
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    s.weights.resize(s.sites.size(), s.tip.size());
    for (Eigen::Index i = 0; i < s.weights.rows(); ++i)
        for (Eigen::Index j = 0; j < s.weights.cols(); ++j) s.weights(i, j) = u(rng) * (i % 5 == 0 ? 0.0 : 1.0);
    s.settings.kappa_per_nm = kKappa;
    s.settings.cutoff_nm = std::log(1.0 / kTolerance) / (2 * kKappa);
    s.settings.max_gap_nm = 0.5;  // two bands: up to 0.5 and 0.8 nm
    s.settings.band_nm = 0.3;
    s.settings.bands = 2;
    s.settings.tile_nm = 0.1;
    return s;
}

struct Direct {
    double sum = 0, dsum = 0, kept = 0, all = 0, all_dsum = 0;
};

/// Σ over every pair in double with std::exp: those with d ≤ gap + L (the tiles' cut) and all.
Direct direct(const TileSetup& s, const Vec3& apex, double gap) {
    Direct out;
    for (int i = 0; i < s.sites.size(); ++i) {
        for (int j = 0; j < s.tip.size(); ++j) {
            const double dx = s.sites.x_nm[i] - (apex.x() + s.tip.x_nm[j]);
            const double dy = s.sites.y_nm[i] - (apex.y() + s.tip.y_nm[j]);
            const double dz = apex.z() + s.tip.z_nm[j] - s.sites.z_nm[i];
            const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
            const double c = s.weights(i, j);
            const double f = c * std::exp(-2 * kKappa * (d - gap));
            out.all += f;
            out.all_dsum += f * dz / d;
            // The taper over the last 1/(2κ) before the cut, and its slope (dS/du, u = d − gap).
            const double w = 1.0 / (2 * kKappa);
            const double t = std::clamp((d - gap - (s.settings.cutoff_nm - w)) / w, 0.0, 1.0);
            const double taper = 1.0 - t * t * (3.0 - 2.0 * t), slope = -6.0 * t * (1.0 - t) / w;
            out.sum += f * taper;
            out.dsum += f * (taper * dz / d - slope * w * (dz / d - 1.0));
            if (t == 0.0) out.kept += std::abs(c);
        }
    }
    return out;
}

double top_site(const TileSetup& s) { return *std::max_element(s.sites.z_nm.begin(), s.sites.z_nm.end()); }

TEST(PairTiles, MatchTheDirectSumWithTheSameCut) {
    const TileSetup s = make_tile_setup();
    const PairTiles tiles(s.sites, s.tip, s.weights, s.settings);
    const double top = top_site(s);
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> xy(-1.0, 1.0), height(0.2, 0.8);
    for (int k = 0; k < 40; ++k) {
        // Corners and edges of tiles included: multiples of the tile side.
        const double x = k < 4 ? 0.1 * k : xy(rng), y = k < 4 ? -0.1 * k : xy(rng);
        // Both bands, and the top of each.
        const double gap = k == 5 ? s.settings.max_gap_nm : (k == 6 ? s.settings.max_gap_nm + s.settings.band_nm : height(rng));
        const Vec3 apex(x, y, top + gap);
        const auto t = tiles.evaluate(apex);
        ASSERT_TRUE(t.has_value());
        const Direct d = direct(s, apex, gap);
        EXPECT_DOUBLE_EQ(t->min_distance_nm, gap);
        EXPECT_NEAR(t->sum, d.sum, 1e-12 * d.kept) << "apex " << apex.transpose();
        EXPECT_NEAR(t->dsum, d.dsum, 1e-12 * d.kept);
        EXPECT_NEAR(t->kept_abs_weight, d.kept, 1e-12 * d.kept);
        // The cut's bound against the sum over all pairs (relative to e^{−2κ gap}).
        const double bound = PairTiles::kTaperBoundFactor * kTolerance * (tiles.total_abs_weight() - t->kept_abs_weight);
        EXPECT_LE(std::abs(d.all - t->sum), bound);
        EXPECT_GT(t->pairs, 0);
    }
}

// The derivative against central differences of the sum, also where pairs cross the taper:
// the current is smooth in z (a hard cut would jump there).
TEST(PairTiles, DerivativeMatchesDifferencesAcrossTheTaper) {
    const TileSetup s = make_tile_setup();
    const PairTiles tiles(s.sites, s.tip, s.weights, s.settings);
    const double top = top_site(s);
    const double two_kappa = 2 * kKappa;
    for (double z = top + 0.3; z < top + 0.5; z += 0.0137) {
        const Vec3 apex(0.11, -0.23, z);
        const double h = 1e-5;
        // I e^{2κ gap} = sum, so I(z ± h) relative to e^{−2κ gap(z)} is sum(z ± h) e^{∓2κh}.
        const double up = tiles.evaluate(apex + Vec3(0, 0, h))->sum * std::exp(-two_kappa * h);
        const double down = tiles.evaluate(apex - Vec3(0, 0, h))->sum * std::exp(two_kappa * h);
        const auto t = tiles.evaluate(apex);
        const double numeric = (up - down) / (2 * h);
        EXPECT_NEAR(-two_kappa * t->dsum, numeric, 1e-6 * std::abs(numeric) + 1e-9 * t->kept_abs_weight) << "z " << z;
    }
}

TEST(PairTiles, SinglePrecisionAgreesToImagePrecision) {
    const TileSetup s = make_tile_setup();
    const PairTiles tiles(s.sites, s.tip, s.weights, s.settings);
    const double top = top_site(s);
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> xy(-1.0, 1.0), height(0.2, 0.8);
    for (int k = 0; k < 40; ++k) {
        const Vec3 apex(xy(rng), xy(rng), top + height(rng));
        const auto d = tiles.evaluate(apex, TunnelingPrecision::Double);
        const auto f = tiles.evaluate(apex, TunnelingPrecision::Single);
        ASSERT_TRUE(d && f);
        EXPECT_EQ(f->pairs, d->pairs);
        // Relative to the sum of |terms| (the sums of signed weights may cancel).
        EXPECT_NEAR(f->sum, d->sum, 2e-6 * d->kept_abs_weight);
        EXPECT_NEAR(f->dsum, d->dsum, 2e-6 * d->kept_abs_weight);
        EXPECT_NEAR(f->kept_abs_weight, d->kept_abs_weight, 1e-6 * d->kept_abs_weight);
    }
}

TEST(PairTiles, ServeOnlyTheirHeightRangeAndAreEmptyFarAway) {
    const TileSetup s = make_tile_setup();
    const PairTiles tiles(s.sites, s.tip, s.weights, s.settings);
    const double top = top_site(s);
    EXPECT_TRUE(tiles.evaluate(Vec3(0, 0, top + s.settings.max_gap_nm + 0.01)).has_value());
    EXPECT_FALSE(tiles.evaluate(Vec3(0, 0, top + s.settings.max_gap_nm + s.settings.band_nm + 0.01)).has_value());
    EXPECT_FALSE(tiles.evaluate(Vec3(0, 0, top - 0.01)).has_value());
    const auto far = tiles.evaluate(Vec3(50.0, -50.0, top + 0.5));
    ASSERT_TRUE(far.has_value());
    EXPECT_EQ(far->sum, 0.0);
    EXPECT_EQ(far->pairs, 0);
    EXPECT_EQ(tiles.tiles_built(), 1);  // the apex over the sites, not the far one
}

TEST(PairTiles, SameBitsWhateverThreadBuildsTheTiles) {
    const TileSetup s = make_tile_setup();
    const double top = top_site(s);
    std::vector<Vec3> apexes;
    for (int k = 0; k < 200; ++k) apexes.emplace_back(-0.8 + 0.008 * k, 0.3 - 0.004 * k, top + 0.4 + 0.001 * k);
    const PairTiles serial(s.sites, s.tip, s.weights, s.settings);
    std::vector<double> expected;
    for (const Vec3& a : apexes) expected.push_back(serial.evaluate(a)->sum);

    const PairTiles shared(s.sites, s.tip, s.weights, s.settings);
    std::vector<double> got(apexes.size());
    // Two threads walking in opposite orders build the tiles in different orders.
    std::thread backward([&] {
        for (std::size_t k = apexes.size(); k-- > 0;) got[k] = shared.evaluate(apexes[k])->sum;
    });
    std::vector<double> forward_got(apexes.size());
    for (std::size_t k = 0; k < apexes.size(); ++k) forward_got[k] = shared.evaluate(apexes[k])->sum;
    backward.join();
    for (std::size_t k = 0; k < apexes.size(); ++k) {
        EXPECT_EQ(got[k], expected[k]);
        EXPECT_EQ(forward_got[k], expected[k]);
    }
    EXPECT_EQ(shared.tiles_built(), serial.tiles_built());
}

/// Displacements of every site, each component uniform in [−σ, σ] nm (fixed seed).
std::vector<Vec3> displacements(int count, double sigma_nm) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-sigma_nm, sigma_nm);
    std::vector<Vec3> out;
    for (int i = 0; i < count; ++i) out.emplace_back(u(rng), u(rng), u(rng));
    return out;
}

/// Σ_ij C_ij [e^{−2κ(d'_ij − gap)} − e^{−2κ(d_ij − gap)}] over every pair, d' with site i moved by u_i.
double moved_change(const TileSetup& s, const std::vector<Vec3>& u, const Vec3& apex, double gap) {
    double change = 0.0;
    for (int i = 0; i < s.sites.size(); ++i) {
        const Vec3 site(s.sites.x_nm[i], s.sites.y_nm[i], s.sites.z_nm[i]);
        for (int j = 0; j < s.tip.size(); ++j) {
            const Vec3 atom = apex + Vec3(s.tip.x_nm[j], s.tip.y_nm[j], s.tip.z_nm[j]);
            const double d = (atom - site).norm(), moved = (atom - site - u[static_cast<std::size_t>(i)]).norm();
            change += s.weights(i, j) * (std::exp(-2 * kKappa * (moved - gap)) - std::exp(-2 * kKappa * (d - gap)));
        }
    }
    return change;
}

// Displacement tiles sum the first-order change of the pair sum when the sites move: against
// the exact change their error falls as u² (halving every displacement quarters it), and stays
// within the second-order bound of lattice_current.hpp; their z-derivative matches differences.
TEST(PairTiles, DisplacementTermsAreTheFirstOrderChangeOfThePairSum) {
    const TileSetup s = make_tile_setup();
    const double top = top_site(s);
    const double two_kappa = 2 * kKappa;
    double errors[2] = {0.0, 0.0}, changes[2] = {0.0, 0.0};
    for (int halving = 0; halving < 2; ++halving) {
        const double sigma = 0.002 / (1 << halving);  // 2κσ = 0.04, then 0.02
        const std::vector<Vec3> u = displacements(s.sites.size(), sigma);
        double largest_u = 0.0;
        for (const Vec3& v : u) largest_u = std::max(largest_u, v.norm());
        const PairTiles tiles(s.sites, s.tip, s.weights, u, s.settings);
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> xy(-1.0, 1.0), height(0.25, 0.8);
        for (int k = 0; k < 20; ++k) {
            const double gap = height(rng);
            const Vec3 apex(xy(rng), xy(rng), top + gap);
            const auto t = tiles.evaluate(apex);
            ASSERT_TRUE(t.has_value());
            const double exact = moved_change(s, u, apex, gap);
            const double eta = two_kappa * largest_u, r = gap - largest_u;
            const double second_order = 0.5 * std::exp(eta) * eta * (1.0 + 1.0 / (two_kappa * r)) * t->abs_sum;
            const double cut = 1.1 * PairTiles::kTaperBoundFactor * kTolerance * (tiles.total_abs_weight() - t->kept_abs_weight);
            EXPECT_LE(std::abs(t->sum - exact), second_order + cut) << "apex " << apex.transpose();
            errors[halving] += std::abs(t->sum - exact);
            changes[halving] += std::abs(exact);
            // d/dz of the sum against central differences (relative to e^{−2κ gap(z)}, see above).
            const double h = 1e-5;
            const double up = tiles.evaluate(apex + Vec3(0, 0, h))->sum * std::exp(-two_kappa * h);
            const double down = tiles.evaluate(apex - Vec3(0, 0, h))->sum * std::exp(two_kappa * h);
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(-two_kappa * t->dsum, numeric, 1e-6 * std::abs(numeric) + 1e-9 * t->kept_abs_weight);
        }
    }
    EXPECT_NEAR(errors[0] / errors[1], 4.0, 0.6);
    EXPECT_NEAR(changes[0] / changes[1], 2.0, 0.2);  // the change itself is first order
    EXPECT_LT(errors[0], 0.05 * changes[0]);
}

// Plain and displacement pairs in one set of tiles (one lookup per apex) give the sums of the
// two separate sets, each counted from the same top plane, and serve the same heights.
TEST(PairTiles, BothKindsInOneSetMatchTheSeparateSets) {
    const TileSetup s = make_tile_setup();
    const std::vector<Vec3> u = displacements(s.sites.size(), 0.002);
    const double moved_cutoff = s.settings.cutoff_nm - 0.15;
    const PairTiles both(s.sites, s.tip, s.weights, s.sites, 0.5 * s.weights, u, moved_cutoff, s.settings);
    const PairTiles plain(s.sites, s.tip, s.weights, s.settings);
    PairTileSettings moved_settings = s.settings;
    moved_settings.cutoff_nm = moved_cutoff;
    const PairTiles moved(s.sites, s.tip, 0.5 * s.weights, u, moved_settings);
    EXPECT_DOUBLE_EQ(both.top_site_nm(), plain.top_site_nm());
    EXPECT_DOUBLE_EQ(both.total_abs_weight(), plain.total_abs_weight());
    EXPECT_DOUBLE_EQ(both.displacement_total_abs_weight(), moved.total_abs_weight());
    const double top = top_site(s);
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> xy(-1.0, 1.0), height(0.2, 0.8);
    for (int k = 0; k < 30; ++k) {
        const Vec3 apex(xy(rng), xy(rng), top + height(rng));
        for (TunnelingPrecision precision : {TunnelingPrecision::Double, TunnelingPrecision::Single}) {
            PairSumTerms d;
            const auto b = both.evaluate(apex, precision, &d);
            const auto p = plain.evaluate(apex, precision);
            const auto m = moved.evaluate(apex, precision);
            ASSERT_TRUE(b && p && m);
            // (The separate displacement set has its own tile grid: other tiles, other pairs
            // beyond the cut, which add nothing; in single precision other tile centres.)
            const double tol = precision == TunnelingPrecision::Double ? 1e-12 : 2e-6;
            EXPECT_NEAR(b->sum, p->sum, tol * p->kept_abs_weight + 1e-15);
            EXPECT_NEAR(b->dsum, p->dsum, tol * p->kept_abs_weight + 1e-15);
            EXPECT_NEAR(b->kept_abs_weight, p->kept_abs_weight, tol * p->kept_abs_weight + 1e-15);
            EXPECT_NEAR(d.sum, m->sum, tol * m->kept_abs_weight + 1e-15);
            EXPECT_NEAR(d.dsum, m->dsum, tol * m->kept_abs_weight + 1e-15);
            EXPECT_NEAR(d.abs_sum, m->abs_sum, tol * m->abs_sum + 1e-15);
            EXPECT_NEAR(d.kept_abs_weight, m->kept_abs_weight, tol * m->kept_abs_weight + 1e-15);
            EXPECT_GT(d.pairs, 0);
        }
    }
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, s.sites, s.weights, u, 2.0, s.settings); })
                  .find("displacement cut-off"),
              std::string::npos);
}

TEST(PairTiles, BadInputIsRejected) {
    const TileSetup s = make_tile_setup();
    PairTileSettings bad = s.settings;
    bad.tile_nm = 0.0;
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, bad); }).find("tile"), std::string::npos);
    bad = s.settings;
    bad.bands = 0;
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, bad); }).find("bands"), std::string::npos);
    Eigen::MatrixXd wrong = s.weights.leftCols(2);
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, wrong, s.settings); }).find("weights"), std::string::npos);
    // A reference plane so far below the sites that their factors would leave float's range.
    bad = s.settings;
    bad.reference_top_nm = -10.0;
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, bad); }).find("reference plane"),
              std::string::npos);
    bad.reference_top_nm = std::numeric_limits<double>::infinity();
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, bad); }).find("reference plane"),
              std::string::npos);
    // Displacement tiles need one finite displacement per site.
    std::vector<Vec3> u(static_cast<std::size_t>(s.sites.size()), Vec3::Zero());
    u.pop_back();
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, u, s.settings); }).find("displacements"),
              std::string::npos);
    u.emplace_back(std::numeric_limits<double>::quiet_NaN(), 0.0, 0.0);
    EXPECT_NE(error_message([&] { PairTiles(s.sites, s.tip, s.weights, u, s.settings); }).find("non-finite"),
              std::string::npos);
}

}  // namespace
