#pragma once
/// The files of the single-page app (src/synthstm/gui/assets/), compiled into the program.
#include <span>
#include <string_view>

namespace synthstm::gui {

/// One embedded file.
struct Asset {
    std::string_view path;          ///< URL path, e.g. "/app.js"
    std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
    std::string_view body;          ///< the file's bytes
};

/// Every embedded file ("/index.html" is the page).
std::span<const Asset> assets();

}  // namespace synthstm::gui
