#pragma once
/// The built-in tungsten tips (DESIGN §3.1): a (111) cube corner and a (001) pyramid of bcc W,
/// their dulled apexes and double (two-apex) tips, each under a stable name.
///
/// Geometry (a = kTungstenLattice_nm = 0.3165 nm, +z up into the tip):
/// - w111: the bcc sites of a 4 × 4 × 4 nm cube [0, 4]³ (edges along the crystal axes), rotated
///   so that the body diagonal [111] points up and the corner (0,0,0) is the apex. Along [111]
///   the layers near the corner are 0.0914 nm apart and hold 1, 3, 1, 6, 3, 10, 6, … atoms.
/// - w001: the bcc sites with 0 ≤ z ≤ 3 nm and |x|, |y| ≤ z ([001] along z), a 6 × 6 × 3 nm
///   pyramid with an atom at its apex. Layer k (z = k a/2) holds (k + 1)² atoms: 1, 4, 9, 16, 25, …
/// - Dulled variants remove the lowest layers and, where named, all but some atoms of the next.
/// - Double tips: the w001 pyramid with layers 0–3 removed and layer 4 (z = 2a: 5 × 5 sites, the
///   hollow sites under the 6 × 6 facet of layer 5) reduced to two adatoms, each bound to 4 facet
///   atoms. The asymmetric one removes layers 0–2, keeps one atom of layer 3 and of layer 4 the
///   four above it plus one adatom. Every atom is a site of the one bcc lattice, so the hopping
///   model applies unchanged.
///
/// Every tip is moved so that its lowest atom (ties: smallest x, then y, in the tip's frame) is
/// at the origin: that atom is the apex reference point (index 0).
///
/// | name              | atoms | lowest layers (atoms) | apex                                           |
/// |-------------------|-------|-----------------------|------------------------------------------------|
/// | w111-sharp        | 4394  | 1, 3, 1, 6            | single atom on the [111] axis                  |
/// | w111-offcentre    | 4391  | 1, 1, 6, 3            | single atom 0.258 nm off the axis              |
/// | w111-trimer       | 4393  | 3, 1, 6, 3            | 3-atom layer (0.448 nm sides)                  |
/// | w111-blunt6       | 4389  | 6, 3, 10, 6           | 6-atom triangular layer                        |
/// | w111-blunt10      | 4380  | 10, 6, 15, 10         | 10-atom triangular layer                       |
/// | w001-sharp        | 2470  | 1, 4, 9, 16           | single atom on the [001] axis                  |
/// | w001-offcentre    | 2466  | 1, 9, 16, 25          | single atom 0.224 nm off the axis              |
/// | w001-dimer        | 2467  | 2, 9, 16, 25          | two atoms 0.3165 nm apart                      |
/// | w001-tetramer     | 2469  | 4, 9, 16, 25          | 4-atom square layer (0.3165 nm sides)          |
/// | w001-blunt9       | 2465  | 9, 16, 25, 36         | 9-atom (3 × 3) square layer                    |
/// | w001-double-1.0nm | 2417  | 2, 36, 49, 64         | two adatoms 1.001 nm (√10 a) apart             |
/// | w001-double-1.3nm | 2417  | 2, 36, 49, 64         | two adatoms 1.305 nm (√17 a) apart             |
/// | w001-double-asym  | 2421  | 1, 5, 36, 49          | an atom under a tetramer, 0.158 nm below an    |
/// |                   |       |                       | adatom 1.361 nm (√18.5 a) away                 |
///
/// Layers are counted from the geometry (height_layers, 1e-3 nm tolerance); layer spacing is
/// a/(2√3) = 0.0914 nm for w111 and a/2 = 0.158 nm for w001. The w111 cube keeps [1̄10] along
/// the lab direction (1, −1, 0)/√2 (rotation_between turns it about that axis).
#include <string>
#include <string_view>
#include <vector>

#include "synthstm/tip/tip_geometry.hpp"

namespace synthstm {

/// Names of all built-in tip variants, in a fixed order.
std::vector<std::string> tip_variant_names();

/// Builds the named tip variant; throws InvalidInput listing the names for an unknown one.
TipGeometry build_tip(std::string_view name);

}  // namespace synthstm
