// synthstm bench: whole samples per second and the median time of each stage.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/simulate_sample.hpp"

namespace synthstm::cli {
namespace {

struct BenchOptions {
    std::string preset = "wse2-main";
    std::string config_file;
    std::vector<std::string> sets;
    int samples = 20;
    int threads = 1;
    std::uint64_t seed = 1;
    bool json = false;
};

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void run_bench(const BenchOptions& o) {
    if (o.samples < 1) invalid_input(fmt::format("--samples must be at least 1, got {}", o.samples));
    if (o.threads < 1) invalid_input(fmt::format("--threads must be at least 1, got {}", o.threads));
    Config config = o.config_file.empty() ? Config::preset(o.preset) : Config::from_file(o.config_file);
    for (const auto& s : o.sets) config.set(s);

    // One-time tables (G0 per bias grid, the apex LDOS of every tip variant the config can draw)
    // are built before timing, as in a long run: one small sample per variant.
    std::vector<std::string> tips;
    const nlohmann::json tip_spec = config.to_json()["tip"];
    if (tip_spec.is_object() && tip_spec.contains("choice"))
        for (const auto& t : tip_spec["choice"]) tips.push_back(t.get<std::string>());
    else if (tip_spec.is_string())
        tips.push_back(tip_spec.get<std::string>());
    for (const auto& tip : tips) {
        Config warm = config;
        warm.set("tip=" + tip);
        warm.set("resolution_px=8");
        (void)simulate_sample(warm.draw(o.seed, 0), o.seed, 0);
    }

    std::vector<StageTimes> times(static_cast<std::size_t>(o.samples));
    std::atomic<int> next{0};
    std::string first_error;
    std::mutex error_mutex;
    const auto t0 = std::chrono::steady_clock::now();
    // Samples are independent: each thread takes the next index (parallel across samples).
    const auto worker = [&] {
        for (int k = next++; k < o.samples; k = next++) {
            try {
                const auto index = static_cast<std::uint64_t>(k + 1);
                times[k] = simulate_sample(config.draw(o.seed, index), o.seed, index).times;
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mutex);
                if (first_error.empty()) first_error = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < o.threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!first_error.empty()) invalid_input(first_error);

    const auto stage = [&](double StageTimes::*member) {
        std::vector<double> v;
        for (const auto& t : times) v.push_back(t.*member);
        return median(v);
    };
    nlohmann::json j;
    j["samples_per_s"] = o.samples / seconds;
    j["stage_ms"] = {{"sample_ldos", stage(&StageTimes::sample_ldos_ms)},
                     {"tip", stage(&StageTimes::tip_ms)},
                     {"constant_current", stage(&StageTimes::constant_current_ms)},
                     {"feedback_scan", stage(&StageTimes::feedback_scan_ms)},
                     {"ground_truth", stage(&StageTimes::ground_truth_ms)}};
    j["threads"] = o.threads;
    j["samples"] = o.samples;
    j["seconds"] = seconds;
    j["preset"] = o.config_file.empty() ? o.preset : o.config_file;
    j["hardware_threads"] = std::thread::hardware_concurrency();
    if (o.json) {
        std::cout << j.dump() << "\n";
        return;
    }
    fmt::print("{} samples in {:.2f} s on {} threads: {:.2f} samples/s\nmedian per sample (ms):\n", o.samples, seconds,
               o.threads, o.samples / seconds);
    for (const auto& [name, ms] : j["stage_ms"].items()) fmt::print("  {:<18} {:10.2f}\n", name, ms.get<double>());
}

}  // namespace

void register_bench(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* cmd = app.add_subcommand("bench", "Simulate samples and report samples/s and per-stage medians");
    cmd->add_option("--preset", o->preset, "built-in preset")->capture_default_str();
    cmd->add_option("--config", o->config_file, "JSON config file instead of a preset");
    cmd->add_option("--set", o->sets, "override a key: --set key=value (repeatable)");
    cmd->add_option("--samples", o->samples, "samples to time (after a small warm-up sample per tip variant)")
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "threads, parallel across samples")->capture_default_str();
    cmd->add_option("--seed", o->seed, "dataset seed")->capture_default_str();
    cmd->add_flag("--json", o->json, "print {\"samples_per_s\", \"stage_ms\": {...}, \"threads\", ...}");
    cmd->callback([o] { run_bench(*o); });
}

}  // namespace synthstm::cli
