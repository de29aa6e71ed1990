#pragma once
// Internal to io/: encoding a finished Cairo image surface as a PNG file.
#include <filesystem>

#include <cairo.h>

namespace synthstm {

/// Marks the surface's pixels as changed, encodes it as PNG, destroys it and writes the file
/// atomically (complete or not at all); throws Io naming the path.
void save_surface_png(cairo_surface_t* surface, const std::filesystem::path& path);

}  // namespace synthstm
