// synthstm tip list | show: filled in with the tip stage.
#include "commands.hpp"

namespace synthstm::cli {
void register_tip(CLI::App&) {}
}  // namespace synthstm::cli
