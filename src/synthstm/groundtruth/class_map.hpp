#pragma once
/// Integer class map: per pixel, what the true tip position is over.
///
///   0 background
///   1 top-layer lattice site: nearest top site within site_radius_a · a (no defect nearer, below)
///   2 + 2·sublattice + (dopant ? 1 : 0) for a defect within defect_radius_a · a (the nearest one):
///     2 vacancy top chalcogen, 3 dopant top chalcogen, 4 vacancy bottom chalcogen,
///     5 dopant bottom chalcogen, 6 vacancy metal, 7 dopant metal;
///   8 + sublattice for an antisite: 8 top chalcogen, 9 bottom chalcogen, 10 metal;
///   11 adsorbate: an adsorbed blob covered the pixel when it was scanned (adsorbate mask).
/// A defect takes precedence over a lattice site (a bottom-chalcogen defect lies right under a
/// top site), an adsorbate over both (it hides them). Defaults: site radius 0.3 a (where the
/// lattice map is >= 0.5), defect radius a/2. Lattice sites are taken at their relaxed
/// positions when a relaxation is given.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "synthstm/groundtruth/pixel_positions.hpp"
#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/relaxation.hpp"

namespace synthstm {

/// Number of classes (ids 0 … 11).
inline constexpr int kNumPixelClasses = 12;
/// Class id of background.
inline constexpr std::int32_t kBackgroundClass = 0;
/// Class id of a top-layer lattice site.
inline constexpr std::int32_t kLatticeSiteClass = 1;
/// Class id of a pixel covered by an adsorbate.
inline constexpr std::int32_t kAdsorbateClass = 11;

/// Class id of a defect: 2 + 2·sublattice + (dopant ? 1 : 0); antisites 8 + sublattice.
std::int32_t defect_class(DefectType type, Sublattice sublattice);
/// Name of a class id: "background", "lattice", "vacancy_top", "dopant_top", "vacancy_bottom",
/// "dopant_bottom", "vacancy_metal", "dopant_metal", "antisite_top", "antisite_bottom",
/// "antisite_metal", "adsorbate"; throws InvalidInput for other ids.
std::string class_name(std::int32_t class_id);

/// Radii of the class map, in units of the lattice constant.
struct ClassMapOptions {
    double site_radius_a = 0.3;    ///< lattice-site disc radius / a, > 0
    double defect_radius_a = 0.5;  ///< defect disc radius / a, > 0

    /// Throws InvalidInput naming the first bad parameter.
    void validate() const;
};

/// N×N int32 map, row-major like the positions. adsorbate_mask: empty, or N×N with non-zero
/// where an adsorbate covered the pixel.
std::vector<std::int32_t> class_map(const TmdMaterial& material, std::span<const Defect> defects,
                                    const PixelPositions& positions, const ClassMapOptions& options = {},
                                    const Relaxation* relaxation = nullptr,
                                    std::span<const std::uint8_t> adsorbate_mask = {});

}  // namespace synthstm
