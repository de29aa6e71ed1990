#pragma once
/// The three-band (d_z², d_xy, d_x²−y²) nearest-neighbour model of the metal sites of group-VI
/// TMD monolayers: G.-B. Liu, W.-Y. Shan, Y. Yao, W. Yao, D. Xiao, Phys. Rev. B 88, 085433
/// (2013), Table II (GGA, NN). Orbitals sit on the metal only; chalcogen sites have none.
#include "synthstm/tightbinding/periodic_model.hpp"

namespace synthstm {

/// Parameters of the NN three-band model (eV), in the paper's names.
struct ThreeBandParameters {
    double eps1, eps2, t0, t1, t2, t11, t12, t22;
};

/// Builds the model on a material's lattice from the paper's parameters. The hopping matrix
/// along a1 is [[t0, t1, t2], [−t1, t11, t12], [t2, −t12, t22]]; the bonds along C3·a1 and
/// C3²·a1 follow by rotating the d orbitals, and the opposite bonds are the transposes.
PeriodicModel three_band_model(std::string name, const TmdMaterial& material, const ThreeBandParameters& p);

/// "wse2-liu3": WSe2 parameters of Liu et al. (2013).
const PeriodicModel& wse2_three_band();
/// "mos2-liu3": MoS2 parameters of Liu et al. (2013).
const PeriodicModel& mos2_three_band();

}  // namespace synthstm
