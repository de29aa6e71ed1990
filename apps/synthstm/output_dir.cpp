#include "output_dir.hpp"

#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::cli {

std::filesystem::path prepare_output_dir(const std::string& path) {
    if (path.empty()) invalid_input("output directory must not be empty");
    const std::filesystem::path dir(path);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) {
        io_error(fmt::format("cannot create output directory {}: {}", dir.string(),
                             ec ? ec.message() : "a file of that name exists"));
    }
    const auto probe = dir / ".synthstm-write-test";
    {
        std::ofstream out(probe);
        if (!out) io_error(fmt::format("output directory {} is not writable", dir.string()));
    }
    std::filesystem::remove(probe, ec);
    return dir;
}

}  // namespace synthstm::cli
