#pragma once
/// A tip as a cloud of atoms: its own (body) frame, its orientation in the lab, its apex.
/// Convention: +z points from the sample up into the tip, so the apex is the lowest atom, and
/// the apex reference point (the atom that DESIGN §3.2's r refers to) sits at the origin.
#include <string>
#include <vector>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// The atoms of one tip. Invariant: atoms_nm[i] = orientation · body_atoms_nm[i], and atom
/// apex_index is at the origin in both frames.
struct TipGeometry {
    std::string name;                            ///< stable variant name, e.g. "w111-sharp"
    std::string description;                     ///< one line for people
    std::vector<Vec3> atoms_nm;                  ///< lab-frame positions (after transformed())
    std::vector<Vec3> body_atoms_nm;             ///< the same atoms as built, never rotated
    Rotation orientation = Rotation::Identity();  ///< maps body frame to lab frame
    int apex_index = 0;                          ///< the apex reference atom, at the origin
    std::vector<int> apex_indices;               ///< lowest atom of each apex, reference first

    /// Number of atoms.
    [[nodiscard]] int size() const { return static_cast<int>(atoms_nm.size()); }
};

/// A tip from a cloud of atoms in its own frame (+z up into the tip). Atoms are sorted by
/// height, then x, then y; the first (the lowest; ties: smallest x, then smallest y) becomes the
/// apex reference atom (index 0) and is moved to the origin. Throws InvalidInput when the cloud
/// is empty or a coordinate is not finite.
TipGeometry make_tip(std::string name, std::vector<Vec3> atoms_nm, std::string description = {});

/// The tip rotated by rotation_rad about z, then tilted by tilt_rad about the in-plane axis at
/// azimuth tilt_axis_azimuth_rad (core/geometry rotation_tilt), on top of its current orientation.
/// Rotation is about the apex reference atom, which stays exactly at the origin; after a large
/// tilt it need not be the lowest atom any more. body_atoms_nm is unchanged.
TipGeometry transformed(const TipGeometry& tip, double rotation_rad, double tilt_rad,
                        double tilt_axis_azimuth_rad);

/// Indices of the lab-frame atoms at most height_nm above the lowest atom, sorted.
std::vector<int> apex_atoms(const TipGeometry& tip, double height_nm);

/// Lab-frame atoms grouped into height layers, lowest first: a layer starts at its lowest atom
/// and holds every atom less than tolerance_nm above it. Indices within a layer are sorted.
std::vector<std::vector<int>> height_layers(const TipGeometry& tip, double tolerance_nm = 1e-3);

}  // namespace synthstm
