#include "synthstm/ldos/lattice_green.hpp"

#include <cmath>
#include <mutex>

#include <fftw3.h>
#include <fmt/format.h>

#include "synthstm/core/cache.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/core/hash.hpp"

namespace synthstm {
namespace {

std::mutex& fftw_planner_mutex() {
    static std::mutex m;  // FFTW's planner is not thread-safe; execution is
    return m;
}

int wrap_centered(int d, int n) {
    int w = ((d % n) + n) % n;
    return w > n / 2 ? w - n : w;
}

std::string cache_key(const PeriodicModel& model, std::span<const double> energies, double eta, int n, int range) {
    Hasher h;
    h.text("g0-v1").text(model.name).value(model.material->a_nm);
    for (const auto& o : model.orbitals) h.value(static_cast<int>(o.site)).value(o.onsite_eV);
    for (const auto& t : model.hoppings) h.value(t.to).value(t.from).value(t.d1).value(t.d2).value(t.t_eV);
    h.values(energies).value(eta).value(n).value(range);
    return h.hex();
}

}  // namespace

LatticeGreensFunction::LatticeGreensFunction(const PeriodicModel& model, std::span<const double> energies_eV,
                                             double broadening_eV, int k_grid, int range_cells, bool use_cache)
    : energies_(energies_eV.begin(), energies_eV.end()),
      broadening_(broadening_eV),
      k_grid_(k_grid),
      range_(range_cells <= 0 || range_cells >= k_grid / 2 ? k_grid / 2 : range_cells),
      norb_(model.orbitals_per_cell()) {
    if (!(broadening_eV > 0.0)) invalid_input(fmt::format("broadening must be positive, got {} eV", broadening_eV));
    if (k_grid < 3 || k_grid > 4096) invalid_input(fmt::format("k-grid {} is out of range [3, 4096]", k_grid));
    const std::size_t side = 2 * static_cast<std::size_t>(range_) + 1;
    const std::size_t count = energies_.size() * side * side * norb_ * norb_;
    const std::string key = cache_key(model, energies_, broadening_, k_grid_, range_);
    if (use_cache) {
        table_ = std::make_unique_for_overwrite<std::complex<double>[]>(count);
        if (cache_load_into("g0", key, std::span<double>(reinterpret_cast<double*>(table_.get()), 2 * count))) {
            from_cache_ = true;
            return;
        }
    }
    compute(model);
    if (use_cache) {
        cache_store("g0", key, std::span<const double>(reinterpret_cast<const double*>(table_.get()), 2 * count));
    }
}

std::size_t LatticeGreensFunction::index(int e, int d1, int d2, int alpha, int beta) const {
    const std::size_t side = 2 * static_cast<std::size_t>(range_) + 1;
    return (((static_cast<std::size_t>(e) * side + (d2 + range_)) * side + (d1 + range_)) * norb_ + alpha) * norb_ +
           beta;
}

std::size_t LatticeGreensFunction::slice_size() const {
    const std::size_t side = 2 * static_cast<std::size_t>(range_) + 1;
    return side * side * norb_ * norb_;
}

std::size_t LatticeGreensFunction::offset_in_slice(int d1, int d2, int alpha, int beta) const {
    const int w1 = wrap_centered(d1, k_grid_);
    const int w2 = wrap_centered(d2, k_grid_);
    if (std::abs(w1) > range_ || std::abs(w2) > range_) {
        invalid_input(fmt::format("sites {} and {} cells apart lie beyond the Green's function table range ({} cells)",
                                  d1, d2, range_));
    }
    return index(0, w1, w2, alpha, beta);
}

std::complex<double> LatticeGreensFunction::at(int e, int d1, int d2, int alpha, int beta) const {
    return slice(e)[offset_in_slice(d1, d2, alpha, beta)];
}

void LatticeGreensFunction::compute(const PeriodicModel& model) {
    const int n = k_grid_;
    const int nk = n * n;
    const int norb = norb_;
    // Bands ε_b(k) and projectors P_b(k) = u_b u_b† at every grid point, kept for all energies,
    // so that G(k, z) = Σ_b P_b(k) / (z − ε_b(k)) costs norb³ multiply-adds per k and energy.
    const std::size_t nn = static_cast<std::size_t>(norb) * norb;
    std::vector<double> bands(static_cast<std::size_t>(nk) * norb);
    std::vector<std::complex<double>> projectors(static_cast<std::size_t>(nk) * norb * nn);
    for (int m2 = 0; m2 < n; ++m2)
        for (int m1 = 0; m1 < n; ++m1) {
            const int k = m2 * n + m1;
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> solver(
                model.bloch_hamiltonian(static_cast<double>(m1) / n, static_cast<double>(m2) / n));
            for (int b = 0; b < norb; ++b) {
                bands[static_cast<std::size_t>(k) * norb + b] = solver.eigenvalues()(b);
                std::complex<double>* p = &projectors[(static_cast<std::size_t>(k) * norb + b) * nn];
                for (int a = 0; a < norb; ++a)
                    for (int c = 0; c < norb; ++c)
                        p[a * norb + c] = solver.eigenvectors()(a, b) * std::conj(solver.eigenvectors()(c, b));
            }
        }

    const std::size_t side = 2 * static_cast<std::size_t>(range_) + 1;
    const std::size_t count = energies_.size() * side * side * norb * norb;
    table_ = std::make_unique<std::complex<double>[]>(count);
    auto* buffer = static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * nk * norb * norb));
    fftw_plan plan;
    {
        std::lock_guard lock(fftw_planner_mutex());
        // norb² transforms of size n × n at once; G(d) = (1/N²) Σ_k G(k) e^{−ik·d}.
        int dims[2] = {n, n};
        plan = fftw_plan_many_dft(2, dims, norb * norb, buffer, nullptr, 1, nk, buffer, nullptr, 1, nk,
                                  FFTW_FORWARD, FFTW_ESTIMATE);
    }
    auto* g = reinterpret_cast<std::complex<double>*>(buffer);
    const double scale = 1.0 / nk;
    for (std::size_t e = 0; e < energies_.size(); ++e) {
        const std::complex<double> z(energies_[e], broadening_);
        for (int k = 0; k < nk; ++k) {
            for (std::size_t ab = 0; ab < nn; ++ab) g[ab * nk + k] = 0.0;
            for (int b = 0; b < norb; ++b) {
                const std::complex<double> r = 1.0 / (z - bands[static_cast<std::size_t>(k) * norb + b]);
                const std::complex<double>* p = &projectors[(static_cast<std::size_t>(k) * norb + b) * nn];
                for (std::size_t ab = 0; ab < nn; ++ab) g[ab * nk + k] += p[ab] * r;
            }
        }
        fftw_execute(plan);
        for (int d2 = -range_; d2 <= range_; ++d2)
            for (int d1 = -range_; d1 <= range_; ++d1) {
                const int k = ((d2 + n) % n) * n + ((d1 + n) % n);
                for (int a = 0; a < norb; ++a)
                    for (int b = 0; b < norb; ++b) {
                        table_[index(static_cast<int>(e), d1, d2, a, b)] =
                            g[static_cast<std::size_t>(a * norb + b) * nk + k] * scale;
                    }
            }
    }
    {
        std::lock_guard lock(fftw_planner_mutex());
        fftw_destroy_plan(plan);
    }
    fftw_free(buffer);
}

}  // namespace synthstm
