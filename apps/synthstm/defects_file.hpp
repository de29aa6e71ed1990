#pragma once
// Reading a defects file (JSON) for `synthstm ldos --defects`.
#include <filesystem>
#include <vector>

#include "synthstm/lattice/defects.hpp"

namespace synthstm::cli {

/// Reads {"defects": [{"type": "vacancy"|"dopant", "site": "Se_top", "cell": [i, j],
/// "onsite_eV": V}, ...]} (or a bare array of such objects). Throws InvalidInput naming the
/// file, the entry and the problem.
std::vector<Defect> read_defects_file(const std::filesystem::path& path, const TmdMaterial& material);

}  // namespace synthstm::cli
