#pragma once
/// LDOS of a tip's apex atoms by KPM (Jackson kernel), kept in the disk cache (category
/// "tip-ldos") because one tip is reused for many samples.
///
/// Orientation: the LDOS of an atom, summed over its orbitals, does not change when the whole
/// tip is rotated, so tip_ldos works in the tip's body frame: the apex atoms are chosen by their
/// body-frame height, the Hamiltonian is assembled from body_atoms_nm, and the cache key hashes
/// body_atoms_nm. A rotated or tilted copy (transformed()) therefore has the same apex atoms,
/// bit-for-bit the same LDOS and the same cache entry as the tip it came from.
#include <string>
#include <vector>

#include "synthstm/ldos/spectrum.hpp"
#include "synthstm/tightbinding/cluster_model.hpp"
#include "synthstm/tip/tip_geometry.hpp"

namespace synthstm {

/// The LDOS of a tip's apex atoms.
struct TipLdos {
    std::vector<int> atoms;          ///< indices into the tip's atoms, the apex reference atom first
    std::vector<Vec3> positions_nm;  ///< their lab-frame positions (apex reference point at the origin)
    LdosSpectrum ldos;               ///< ldos_per_eV(row, energy) of atom atoms[row], summed over its orbitals
    std::string cache_key;           ///< the key of its "tip-ldos" cache entry
    bool from_cache = false;         ///< whether it was read from the cache rather than computed
};

/// Height above the apex reference atom (body frame) within which atoms count as apex atoms.
inline constexpr double kDefaultApexHeight_nm = 0.5;

/// LDOS (per atom, summed over orbitals) of the atoms at most apex_height_nm above the apex
/// reference atom in the tip's body frame, by KPM with the Jackson kernel on the Hamiltonian
/// model.assemble(body_atoms_nm). The cache key hashes the body-frame positions, the model's
/// fingerprint, the grid, the broadening and apex_height_nm; use_cache = false neither reads nor
/// writes the cache. Throws InvalidInput for a bad grid, broadening, height or tip.
TipLdos tip_ldos(const TipGeometry& tip, const ClusterModel& model, const EnergyGrid& grid, double broadening_eV,
                 double apex_height_nm = kDefaultApexHeight_nm, bool use_cache = true);

}  // namespace synthstm
