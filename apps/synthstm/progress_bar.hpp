#pragma once
// A progress display on stderr for the learning commands: a bar redrawn in place on a terminal,
// otherwise one plain line at most every `interval_s` seconds (and at the end).
#include <chrono>
#include <cstdint>
#include <string>

namespace synthstm::cli {

/// Shows "label [####----] done/total unit  rate/s  ETA  extra".
class ProgressBar {
public:
    /// A bar for `total` units named `unit` (e.g. "samples").
    ProgressBar(std::string label, std::uint64_t total, std::string unit, double interval_s = 10.0);
    /// Restarts the clock and sets a new label and total (the next epoch).
    void restart(std::string label, std::uint64_t total);
    /// Sets the label and total, keeping the clock.
    void relabel(std::string label, std::uint64_t total) {
        label_ = std::move(label);
        total_ = total;
    }
    /// Shows `done` of the total with an extra text (e.g. the running loss).
    void update(std::uint64_t done, const std::string& extra);
    /// Ends the line on a terminal.
    void finish();

private:
    std::string label_, unit_;
    std::uint64_t total_;
    double interval_s_;
    bool terminal_;
    std::chrono::steady_clock::time_point start_;
    double last_line_s_ = 0;  // the first plain line comes after one interval
};

}  // namespace synthstm::cli
