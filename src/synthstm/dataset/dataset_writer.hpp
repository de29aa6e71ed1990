#pragma once
/// synthstm generate: a dataset of N samples in shards, resumable, on threads and MPI ranks.
///
/// Sample k uses only the random streams of (seed, k), so its arrays are the same bytes for any
/// thread count, shard size, rank count or resume point. Shard s (samples [s·K, (s+1)·K)) belongs
/// to rank s mod R; each rank simulates its missing shards on a pool of threads (one whole sample
/// per thread) and writes each shard from one thread, in index order, under a temporary name
/// renamed when complete. Rank 0 checks DIR/manifest.json first (a directory holding another
/// dataset is refused) and writes DIR/dataset.h5 over all shards at the end.
#include <cstdint>
#include <filesystem>
#include <functional>

#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/rank_group.hpp"

namespace synthstm {

/// How far this rank is.
struct GenerateProgress {
    std::uint64_t done = 0;     ///< samples simulated by this rank in this run
    std::uint64_t total = 0;    ///< samples this rank simulates in this run
    double seconds = 0.0;       ///< since simulation started
    bool finished = false;      ///< the last report
};

/// Options that do not change the dataset.
struct GenerateOptions {
    int threads = 1;                                             ///< worker threads per rank
    std::function<void(const GenerateProgress&)> progress;      ///< called from the calling thread
    double progress_interval_s = 0.5;                            ///< least time between reports
};

/// What a run did.
struct GenerateSummary {
    std::uint64_t shards_total = 0;     ///< shards of the dataset
    std::uint64_t shards_skipped = 0;   ///< shards found complete (all ranks)
    std::uint64_t shards_written = 0;   ///< shards written by this rank
    std::uint64_t samples_written = 0;  ///< samples simulated by this rank
    double seconds = 0.0;               ///< wall time of this rank
};

/// Name of the manifest inside the output directory.
inline constexpr const char* kManifestFileName = "manifest.json";

/// Generates (or completes) the dataset in `dir` (which must exist and be writable). Collective
/// over `group`. Throws InvalidInput when dir holds a different dataset, Io when a file cannot be
/// written (no final-named file is then left incomplete), and the first sample's error.
GenerateSummary generate_dataset(const std::filesystem::path& dir, const DatasetSpec& spec,
                                 const GenerateOptions& options, RankGroup& group);

}  // namespace synthstm
