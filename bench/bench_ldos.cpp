// Sample LDOS of the seed's worst case and the lattice Green's function table.
#include <benchmark/benchmark.h>

#include "synthstm/core/random.hpp"
#include "synthstm/ldos/tmatrix.hpp"

using namespace synthstm;

namespace {

/// The seed's worst case: 4 nm field of view, sites within the tip's reach (0.7 nm) around it,
/// defects at the seed's highest densities (4 kinds × 0.25 nm⁻²) in the 8 nm LDOS region.
struct WorstCase {
    std::vector<SiteOrbital> sites;
    std::vector<Defect> defects;
};

WorstCase worst_case(const PeriodicModel& model) {
    const TmdMaterial& m = *model.material;
    WorstCase w;
    for (const CellIndex& c : cells_in_rectangle(m, -0.7, 4.7, -0.7, 4.7))
        for (int a = 0; a < model.orbitals_per_cell(); ++a) w.sites.push_back({c, a});
    const auto region = cells_in_rectangle(m, -2.0, 6.0, -2.0, 6.0);
    const std::vector<DefectDensity> densities = {
        {DefectType::Vacancy, Sublattice::ChalcogenTop, 0.25, 0, 0},
        {DefectType::Vacancy, Sublattice::ChalcogenBottom, 0.25, 0, 0},
        {DefectType::Dopant, Sublattice::ChalcogenTop, 0.25, 0.1, 0.5},
        {DefectType::Dopant, Sublattice::ChalcogenBottom, 0.25, 0.1, 0.5}};
    RandomStream rng(1, 0, StreamPurpose::Defects);
    w.defects = place_defects(m, region, densities, rng);
    return w;
}

/// Energies of the bias window [0, 0.5] eV at the spacing the tunneling integral needs.
std::vector<double> window_energies(int points) {
    std::vector<double> e(points);
    for (int n = 0; n < points; ++n) e[n] = 0.5 * n / (points - 1);
    return e;
}

void BM_SampleLdosTMatrix(benchmark::State& state) {
    const PeriodicModel& model = wse2_single_orbital();
    const WorstCase w = worst_case(model);
    const auto energies = window_energies(static_cast<int>(state.range(0)));
    const LatticeGreensFunction g0(model, energies, 0.1, 256, 48);
    const auto precision = state.range(1) ? TMatrixPrecision::Single : TMatrixPrecision::Double;
    for (auto _ : state) {
        auto s = tmatrix_ldos(g0, model, w.defects, w.sites, precision);
        benchmark::DoNotOptimize(s.ldos_per_eV.data());
    }
    state.counters["sites"] = static_cast<double>(w.sites.size());
    state.counters["defects"] = static_cast<double>(w.defects.size());
    state.counters["energies"] = static_cast<double>(energies.size());
}
// Args: energies in the bias window, single precision (1) or double (0).
BENCHMARK(BM_SampleLdosTMatrix)->Args({11, 1})->Args({11, 0})->Args({21, 1})->Unit(benchmark::kMillisecond);

void BM_LatticeGreensFunctionTable(benchmark::State& state) {
    const PeriodicModel& model = wse2_single_orbital();
    const auto energies = window_energies(21);
    for (auto _ : state) {
        const LatticeGreensFunction g0(model, energies, 0.1, static_cast<int>(state.range(0)), 48, false);
        benchmark::DoNotOptimize(&g0);
    }
}
BENCHMARK(BM_LatticeGreensFunctionTable)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace
