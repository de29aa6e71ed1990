#include "synthstm/core/hash.hpp"

#include <fmt/format.h>

namespace synthstm {

std::string Hasher::hex() const { return fmt::format("{:016x}", state_); }

}  // namespace synthstm
