#pragma once
// Shared by the scan tests: an LDOS that is 1 /eV at every energy, so the current is pure geometry.
#include "synthstm/ldos/spectrum.hpp"

namespace synthstm::test {

inline LdosSpectrum flat_ldos(int rows) {
    LdosSpectrum s;
    s.energy_eV = {-1.0, 0.0, 1.0};
    s.ldos_per_eV = Eigen::MatrixXd::Ones(rows, 3);
    s.method = "test";
    s.broadening_eV = 0.1;
    return s;
}

}  // namespace synthstm::test
