#include "synthstm/ldos/kpm_scale.hpp"

#include <algorithm>

namespace synthstm {

SpectralScale spectral_scale(const SparseHamiltonian& h, double margin) {
    const auto [lo, hi] = gershgorin_bounds(h);
    SpectralScale s;
    s.centre_eV = 0.5 * (lo + hi);
    s.half_width_eV = std::max(0.5 * (hi - lo), 1e-3) * (1.0 + margin);
    return s;
}

SparseHamiltonian scaled_hamiltonian(const SparseHamiltonian& h, const SpectralScale& scale) {
    SparseHamiltonian identity(h.rows(), h.cols());
    identity.setIdentity();
    SparseHamiltonian out = (h - scale.centre_eV * identity) / scale.half_width_eV;
    out.makeCompressed();
    return out;
}

}  // namespace synthstm
