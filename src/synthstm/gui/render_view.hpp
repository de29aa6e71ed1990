#pragma once
/// One sample as the GUI shows it: every channel and ground-truth map as a PNG data URL, the
/// defect positions for an overlay, the drawn parameters, the z-piezo hysteresis loop of the
/// drawn Bouc–Wen parameters, and the drawn tip's apex with its LDOS.
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "synthstm/config/config.hpp"

namespace synthstm::gui {

/// Called with a fraction in [0, 1] and what is being done; returns false to stop the render.
using RenderProgress = std::function<bool(double, const std::string&)>;

/// Simulates sample `index` of `seed` and returns {seed, index, pixels, size_nm, images: [{name,
/// caption, unit, min, max, png}], defects: [{row_px, col_px, class, in_image}], parameters,
/// derived, stage_ms, hysteresis_png, sample_ldos_png (pristine sublattices, bias window), tip: {name, atoms, apex_atoms, apex_png, ldos_png}}.
/// Throws InvalidInput as simulate_sample does, and InvalidInput "cancelled" when progress
/// returns false.
nlohmann::json render_view(const Config& config, std::uint64_t seed, std::uint64_t index, const RenderProgress& progress);

/// "data:image/png;base64,…" of the PNG bytes.
std::string png_data_url(const std::string& png_bytes);

}  // namespace synthstm::gui
