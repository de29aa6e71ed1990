// synthstm generate: a dataset of N samples as HDF5 shards plus one file presenting them all.
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "config_source.hpp"
#include "output_dir.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/dataset_writer.hpp"

namespace synthstm::cli {
namespace {

struct GenerateCommand {
    ConfigSource source;
    std::uint64_t samples = 0;
    std::string out;
    std::uint64_t seed = 0;
    int threads = 1;
    std::uint64_t shard_size = 64;
    std::vector<std::string> channels;
    bool quiet = false;
};

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const auto s = static_cast<long long>(std::lround(seconds));
    return s >= 3600 ? fmt::format("{}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02d}", s / 60, s % 60);
}

/// Progress on stderr: a bar redrawn in place on a terminal, a plain line every 10 s otherwise.
class ProgressPrinter {
public:
    explicit ProgressPrinter(std::string label) : label_(std::move(label)), terminal_(::isatty(STDERR_FILENO) == 1) {}

    void operator()(const GenerateProgress& p) {
        const double rate = p.seconds > 0 ? p.done / p.seconds : 0.0;
        const double eta = rate > 0 ? (p.total - p.done) / rate : NAN;
        if (terminal_) {
            constexpr int width = 30;
            const int filled = p.total ? static_cast<int>(width * p.done / p.total) : width;
            fmt::print(stderr, "\r{} [{}{}] {}/{} samples  {:.2f}/s  ETA {}   ", label_, std::string(filled, '#'),
                       std::string(width - filled, '-'), p.done, p.total, rate, duration_text(eta));
            if (p.finished) fmt::print(stderr, "\n");
            std::fflush(stderr);
            return;
        }
        if (!p.finished && p.seconds - last_line_s_ < 10.0) return;
        last_line_s_ = p.seconds;
        fmt::print(stderr, "{}: {}/{} samples ({:.0f}%), {:.2f} samples/s, elapsed {}, ETA {}\n", label_, p.done, p.total,
                   p.total ? 100.0 * p.done / p.total : 100.0, rate, duration_text(p.seconds),
                   p.finished ? "0:00" : duration_text(eta));
    }

private:
    std::string label_;
    bool terminal_;
    double last_line_s_ = 0.0;
};

void run_generate(const GenerateCommand& o) {
    Config config = o.source.load();
    const DatasetSpec spec = DatasetSpec::make(config, o.seed, o.samples, o.shard_size, o.channels);
    if (o.threads < 1) invalid_input(fmt::format("--threads must be at least 1, got {}", o.threads));

    // MPI is initialised here, and only when an MPI launcher started this process.
    const std::unique_ptr<RankGroup> group = launched_group();
    const auto dir = prepare_output_dir(o.out);
    GenerateOptions options;
    options.threads = o.threads;
    if (!o.quiet && group->rank() == 0) {
        const std::string label = group->size() > 1 ? fmt::format("generate (rank 0 of {})", group->size()) : "generate";
        options.progress = ProgressPrinter(label);
    }
    const GenerateSummary s = generate_dataset(dir, spec, options, *group);
    if (group->rank() != 0) return;
    fmt::print("wrote {}: {} samples in {} shards ({} written now{}, {} found complete) in {:.1f} s\n",
               (dir / kDatasetFileName).string(), spec.samples, s.shards_total, s.shards_total - s.shards_skipped,
               group->size() > 1 ? fmt::format(" by {} ranks", group->size()) : "", s.shards_skipped, s.seconds);
}

}  // namespace

void register_generate(CLI::App& app) {
    auto o = std::make_shared<GenerateCommand>();
    CLI::App* cmd = app.add_subcommand(
        "generate", "Simulate a dataset of N samples into DIR: HDF5 shards (DIR/shards/) and DIR/dataset.h5 presenting "
                    "them as one; rerun the same command to resume; mpirun -n R splits it across ranks");
    o->source.add_options(*cmd);
    cmd->add_option("-n,--samples", o->samples, "number of samples N")->required();
    cmd->add_option("--out", o->out, "output directory")->required();
    cmd->add_option("--seed", o->seed, "dataset seed (sample k uses the random streams of (seed, k))")->required();
    cmd->add_option("--threads", o->threads, "worker threads, each simulating whole samples (same data for any count)")
        ->capture_default_str();
    cmd->add_option("--shard-size", o->shard_size, "samples per shard file")->capture_default_str();
    cmd->add_option("--channels", o->channels,
                    "extra float32 channels under inputs/, comma-separated: " +
                        fmt::format("{}", fmt::join(sample_channel_names(), ", ")))
        ->delimiter(',');
    cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
    cmd->footer(schema_help());
    cmd->callback([o] { run_generate(*o); });
}

}  // namespace synthstm::cli
