#pragma once
/// A picture of a tip apex: side (x–z) and bottom (x–y) views of its lowest atoms.
#include <filesystem>
#include <string>
#include <vector>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// Side (x–z) and bottom (x–y) views of the atoms within view_height_nm of the apex (z = 0),
/// coloured by height; the atoms listed in apex_atoms get a red outline. `name` titles the
/// panels. Throws Io naming the path when it cannot be written.
void write_apex_picture(const std::filesystem::path& path, const std::string& name, const std::vector<Vec3>& atoms_nm,
                        const std::vector<int>& apex_atoms, double view_height_nm);

}  // namespace synthstm
