// The tunnelling pair sum (DESIGN §3.2) at one tip position, and the C_ij(V) precomputation,
// for the seed's worst case: every site of the three sublattices within the tip's reach of a
// 4 nm field of view (900 sites) under the 14 lowest atoms of the w111-sharp tip.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/material.hpp"
#include "synthstm/tip/tip_variants.hpp"
#include "synthstm/tunneling/bias_window.hpp"
#include "synthstm/tunneling/pair_tiles.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

using namespace synthstm;

namespace {

struct Junction {
    AtomPositions sample;
    AtomPositions tip;
    LdosSpectrum sample_ldos;
    LdosSpectrum tip_ldos;
};

/// Sites of [−0.7, 4.7]² nm (all sublattices), the w111-sharp apex atoms within 0.46 nm (14),
/// LDOS on 201-point grids over [−1, 1] eV with site-dependent Lorentzians.
Junction junction() {
    Junction j;
    const TmdMaterial& m = wse2();
    std::vector<Vec3> sites;
    for (const CellIndex& c : cells_in_rectangle(m, -0.7, 4.7, -0.7, 4.7))
        for (Sublattice s : kSublattices) sites.push_back(m.position(c.i, c.j, s));
    j.sample = AtomPositions::from_points(sites);
    const TipGeometry tip = build_tip("w111-sharp");
    std::vector<Vec3> apex;
    for (int i : apex_atoms(tip, 0.46)) apex.push_back(tip.atoms_nm[i]);
    j.tip = AtomPositions::from_points(apex);
    const EnergyGrid grid{-1.0, 1.0, 201};
    const auto fill = [&](LdosSpectrum& s, int rows, double shift) {
        s.energy_eV = grid.energies();
        s.ldos_per_eV.resize(rows, grid.points);
        for (int r = 0; r < rows; ++r) {
            const double centre = 0.3 * std::sin(1.3 * r + shift);
            for (int n = 0; n < grid.points; ++n) {
                const double e = s.energy_eV[n] - centre;
                s.ldos_per_eV(r, n) = 0.1 / std::numbers::pi / (e * e + 0.01);
            }
        }
    };
    fill(j.sample_ldos, j.sample.size(), 0.0);
    fill(j.tip_ldos, j.tip.size(), 1.0);
    return j;
}

void BM_TunnelingCurrent(benchmark::State& state) {
    const Junction j = junction();
    TunnelingSettings settings;
    settings.precision = state.range(0) ? TunnelingPrecision::Single : TunnelingPrecision::Double;
    settings.relative_tolerance = state.range(1) ? 1e-6 : 0.0;
    const TunnelingModel model = tunneling_model(j.sample, j.sample_ldos, j.tip, j.tip_ldos, 0.5, settings);
    const Vec3 apex(2.0, 2.0, 0.5);  // centre of the field of view, 0.5 nm above the top Se plane
    long pairs = 0;
    for (auto _ : state) {
        const TunnelingCurrent c = model.current(apex);
        benchmark::DoNotOptimize(c.current);
        benchmark::DoNotOptimize(c.dln_current_dz_per_nm);
        pairs = c.pairs;
    }
    state.counters["sites"] = j.sample.size();
    state.counters["tip_atoms"] = j.tip.size();
    state.counters["pairs"] = static_cast<double>(pairs);
    state.counters["pairs_per_s"] =
        benchmark::Counter(static_cast<double>(pairs), benchmark::Counter::kIsIterationInvariantRate);
}
// Args: single precision (1) or double (0); default cut-off 1e-6 (1) or none (0).
BENCHMARK(BM_TunnelingCurrent)->Args({0, 1})->Args({1, 1})->Args({0, 0})->Args({1, 0})->Unit(benchmark::kMicrosecond);

/// The correction pairs of a scan as the lattice current sums them (pair_tiles.hpp): the same
/// junction with every site a correction (the worst case), apex 0.45 nm over the top plane,
/// positions walking a 64 × 64 raster over 1 nm (tiles built in the first pass, as in a scan).
void BM_PairTiles(benchmark::State& state) {
    const Junction j = junction();
    const Eigen::MatrixXd weights = pair_weights(j.sample_ldos, j.tip_ldos, 0.5);
    PairTileSettings settings;
    settings.kappa_per_nm = 10.0;
    settings.cutoff_nm = std::log(1e6) / 20.0;
    settings.max_gap_nm = 0.75;
    const PairTiles tiles(j.sample, j.tip, weights, settings);
    const double top = *std::max_element(j.sample.z_nm.begin(), j.sample.z_nm.end());
    const double lowest = *std::min_element(j.tip.z_nm.begin(), j.tip.z_nm.end());
    long pairs = 0, evaluations = 0;
    int k = 0;
    for (auto _ : state) {
        const Vec3 apex(1.5 + (k % 64) / 64.0, 1.5 + (k / 64 % 64) / 64.0, top - lowest + 0.45);
        const auto terms = tiles.evaluate(apex);
        benchmark::DoNotOptimize(terms->sum);
        pairs += terms->pairs;
        ++evaluations, ++k;
    }
    state.counters["pairs"] = static_cast<double>(pairs) / static_cast<double>(evaluations);
    state.counters["tiles"] = tiles.tiles_built();
    state.counters["pairs_per_s"] = benchmark::Counter(static_cast<double>(pairs), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PairTiles)->Unit(benchmark::kMicrosecond);

void BM_PairWeights(benchmark::State& state) {
    const Junction j = junction();
    for (auto _ : state) {
        const Eigen::MatrixXd c = pair_weights(j.sample_ldos, j.tip_ldos, 0.5);
        benchmark::DoNotOptimize(c.data());
    }
}
BENCHMARK(BM_PairWeights)->Unit(benchmark::kMillisecond);

}  // namespace
