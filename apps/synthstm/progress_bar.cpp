#include "progress_bar.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace synthstm::cli {
namespace {

std::string clock_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const auto s = static_cast<long long>(std::lround(seconds));
    return s >= 3600 ? fmt::format("{}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02d}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::uint64_t total, std::string unit, double interval_s)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), interval_s_(interval_s),
      terminal_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::restart(std::string label, std::uint64_t total) {
    label_ = std::move(label);
    total_ = total;
    start_ = std::chrono::steady_clock::now();
    last_line_s_ = 0;
}

void ProgressBar::update(std::uint64_t done, const std::string& extra) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : NAN;
    if (terminal_) {
        constexpr std::uint64_t width = 30;
        const std::uint64_t filled = total_ ? std::min(width, width * done / total_) : width;
        fmt::print(stderr, "\r{} [{}{}] {}/{} {}  {:.1f}/s  ETA {}  {}   ", label_, std::string(filled, '#'),
                   std::string(width - filled, '-'), done, total_, unit_, rate, clock_text(eta), extra);
        std::fflush(stderr);
        return;
    }
    if (done < total_ && seconds - last_line_s_ < interval_s_) return;
    last_line_s_ = seconds;
    fmt::print(stderr, "{}: {}/{} {}, {:.1f} {}/s, elapsed {}, ETA {}{}\n", label_, done, total_, unit_, rate, unit_,
               clock_text(seconds), done >= total_ ? "0:00" : clock_text(eta), extra.empty() ? "" : ", " + extra);
}

void ProgressBar::finish() {
    if (terminal_) fmt::print(stderr, "\n");
}

}  // namespace synthstm::cli
