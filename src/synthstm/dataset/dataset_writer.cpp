#include "synthstm/dataset/dataset_writer.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/shard.hpp"

namespace synthstm {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// An error as text that keeps its kind across ranks: one letter, then the message.
std::string encode(const Error& e) {
    const char kind = e.kind() == ErrorKind::InvalidInput ? 'I' : e.kind() == ErrorKind::Io ? 'O' : 'X';
    return kind + std::string(e.what());
}

/// Runs `work`, returning its error encoded ("" when it succeeded).
template <class Work>
std::string capture(Work&& work) {
    try {
        work();
        return "";
    } catch (const Error& e) {
        return encode(e);
    } catch (const fs::filesystem_error& e) {
        return 'O' + std::string(e.what());
    } catch (const std::exception& e) {
        return 'X' + std::string(e.what());
    }
}

/// Collective: rethrows the first rank's error on every rank (prefixed with its rank on the others).
void agree(RankGroup& group, const std::string& mine) {
    const RankError e = group.first_error(mine);
    if (e.rank < 0) return;
    const ErrorKind kind = e.message[0] == 'I' ? ErrorKind::InvalidInput
                           : e.message[0] == 'O' ? ErrorKind::Io
                                                 : ErrorKind::Internal;
    const std::string text = e.message.substr(1);
    throw Error(kind, e.rank == group.rank() || group.size() == 1 ? text : fmt::format("rank {}: {}", e.rank, text));
}

/// Rank 0: refuses a directory holding another dataset, records this one's manifest, removes
/// temporaries a killed run left behind.
void prepare_directory(const fs::path& dir, const DatasetSpec& spec) {
    const fs::path manifest_path = dir / kManifestFileName;
    if (fs::exists(manifest_path)) {
        std::ifstream in(manifest_path);
        nlohmann::json manifest;
        try {
            manifest = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            io_error(fmt::format("{} is not valid JSON ({}); remove the directory or choose another --out",
                                 manifest_path.string(), e.what()));
        }
        if (const std::string diff = spec.difference(manifest); !diff.empty())
            invalid_input(fmt::format("{} holds a different dataset ({}); use another --out directory or the same "
                                      "settings to resume",
                                      dir.string(), diff));
    } else {
        bool has_shards = false;
        if (fs::exists(dir / kShardDirName))
            for (const auto& entry : fs::directory_iterator(dir / kShardDirName)) has_shards |= entry.is_regular_file();
        if (has_shards || fs::exists(dir / kDatasetFileName))
            invalid_input(fmt::format("{} holds dataset files but no {}; use an empty --out directory", dir.string(),
                                      kManifestFileName));
        write_file_durably(manifest_path, spec.manifest().dump(2) + "\n");
    }
    std::error_code ec;
    fs::create_directories(dir / kShardDirName, ec);
    if (ec) io_error(fmt::format("cannot create {}: {}", (dir / kShardDirName).string(), ec.message()));
    for (const auto& entry : fs::directory_iterator(dir / kShardDirName))
        if (entry.path().extension() == ".tmp") fs::remove(entry.path());
    fs::remove(temporary_path(dir / kDatasetFileName), ec);
    fs::remove(temporary_path(manifest_path), ec);
}

/// The samples of this rank's missing shards, simulated on a pool of threads and written shard by
/// shard, in index order, by the calling thread.
class ShardProducer {
public:
    ShardProducer(const fs::path& dir, const DatasetSpec& spec, const GenerateOptions& options,
                  std::vector<std::uint64_t> shards)
        : dir_(dir), spec_(spec), options_(options), shards_(std::move(shards)), columns_(dataset_columns(spec)),
          config_(Config::from_json(spec.config, "the dataset's config")) {
        for (std::uint64_t s : shards_) {
            const auto [first, end] = spec_.shard_range(s);
            for (std::uint64_t k = first; k < end; ++k) tasks_.push_back(k);
        }
        // Workers may run this far ahead of the oldest unwritten sample (bounded memory).
        window_ = spec_.shard_size + 2 * static_cast<std::uint64_t>(options_.threads);
    }

    /// Simulates and writes everything; returns the samples written.
    std::uint64_t run() {
        const auto t0 = Clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < options_.threads; ++t) pool.emplace_back([this] { work(); });
        try {
            write_all(t0);
        } catch (...) {
            stop_all();
            for (auto& t : pool) t.join();
            throw;
        }
        for (auto& t : pool) t.join();
        report(t0, true);
        return tasks_.size();
    }

private:
    void work() {
        for (;;) {
            std::size_t task = 0;
            {
                std::unique_lock lock(mutex_);
                space_.wait(lock, [&] { return stop_ || next_ >= tasks_.size() || next_ < written_ + window_; });
                if (stop_ || next_ >= tasks_.size()) return;
                task = next_++;
            }
            const std::uint64_t index = tasks_[task];
            SampleRecord record;
            std::exception_ptr failure;
            try {
                const SimulatedSample sample = simulate_sample(config_.draw(spec_.seed, index), spec_.seed, index, {1});
                record = make_record(sample, index, columns_);
            } catch (const Error& e) {
                failure = std::make_exception_ptr(Error(e.kind(), fmt::format("sample {}: {}", index, e.what())));
            } catch (...) {
                failure = std::current_exception();
            }
            std::lock_guard lock(mutex_);
            if (failure) {
                if (!failure_) failure_ = failure;
                stop_ = true;
                space_.notify_all();
            } else {
                ready_.emplace(task, std::move(record));
            }
            done_.notify_all();
        }
    }

    void stop_all() {
        std::lock_guard lock(mutex_);
        stop_ = true;
        space_.notify_all();
    }

    void write_all(Clock::time_point t0) {
        std::size_t first_task = 0;
        for (std::uint64_t s : shards_) {
            const auto [first, end] = spec_.shard_range(s);
            const std::size_t count = end - first;
            std::vector<SampleRecord> records;
            {
                std::unique_lock lock(mutex_);
                for (;;) {
                    if (failure_) std::rethrow_exception(failure_);
                    std::size_t have = 0;
                    for (auto it = ready_.lower_bound(first_task); it != ready_.end() && it->first < first_task + count; ++it)
                        ++have;
                    if (have == count) break;
                    done_.wait_for(lock, std::chrono::duration<double>(options_.progress_interval_s));
                    lock.unlock();
                    report(t0, false);
                    lock.lock();
                }
                for (std::size_t t = first_task; t < first_task + count; ++t) {
                    records.push_back(std::move(ready_.at(t)));
                    ready_.erase(t);
                }
            }
            write_shard(dir_ / kShardDirName / shard_file_name(s), spec_, columns_, records);
            first_task += count;
            std::lock_guard lock(mutex_);
            written_ = first_task;
            space_.notify_all();
        }
    }

    void report(Clock::time_point t0, bool finished) {
        if (!options_.progress) return;
        const double now = seconds_since(t0);
        if (!finished && now - last_report_s_ < options_.progress_interval_s) return;
        last_report_s_ = now;
        std::uint64_t done = 0;
        {
            std::lock_guard lock(mutex_);
            done = written_ + ready_.size();
        }
        options_.progress({done, tasks_.size(), now, finished});
    }

    const fs::path& dir_;
    const DatasetSpec& spec_;
    const GenerateOptions& options_;
    std::vector<std::uint64_t> shards_;
    std::vector<Column> columns_;
    Config config_;
    std::vector<std::uint64_t> tasks_;  // sample indices, in order
    std::uint64_t window_ = 0;

    std::mutex mutex_;
    std::condition_variable space_, done_;
    std::size_t next_ = 0;     // next task to start
    std::size_t written_ = 0;  // tasks written to shards
    std::map<std::size_t, SampleRecord> ready_;
    std::exception_ptr failure_;
    bool stop_ = false;
    double last_report_s_ = -1e9;
};

}  // namespace

GenerateSummary generate_dataset(const fs::path& dir, const DatasetSpec& spec, const GenerateOptions& options,
                                 RankGroup& group) {
    if (options.threads < 1) invalid_input(fmt::format("--threads must be at least 1, got {}", options.threads));
    const auto t0 = Clock::now();
    GenerateSummary summary;
    summary.shards_total = spec.shard_count();

    agree(group, group.rank() == 0 ? capture([&] { prepare_directory(dir, spec); }) : "");

    // Shard s belongs to rank s mod R; a shard with its final name is complete.
    std::vector<std::uint64_t> mine;
    for (std::uint64_t s = 0; s < summary.shards_total; ++s) {
        const bool complete = fs::exists(dir / kShardDirName / shard_file_name(s));
        summary.shards_skipped += complete ? 1 : 0;
        if (!complete && s % static_cast<std::uint64_t>(group.size()) == static_cast<std::uint64_t>(group.rank()))
            mine.push_back(s);
    }
    agree(group, capture([&] {
              if (mine.empty()) return;
              summary.samples_written = ShardProducer(dir, spec, options, mine).run();
              summary.shards_written = mine.size();
          }));

    agree(group, group.rank() == 0 ? capture([&] {
        std::vector<ShardInfo> infos;
        for (std::uint64_t s = 0; s < summary.shards_total; ++s) {
            const ShardInfo info = read_shard_info(dir / kShardDirName / shard_file_name(s));
            const auto [first, end] = spec.shard_range(s);
            if (info.first != first || info.end != end)
                io_error(fmt::format("shard {} holds samples [{}, {}) instead of [{}, {}); delete it and rerun",
                                     shard_file_name(s), info.first, info.end, first, end));
            infos.push_back(info);
        }
        write_dataset_file(dir, spec, dataset_columns(spec), infos);
    })
                                     : "");
    summary.seconds = seconds_since(t0);
    return summary;
}

}  // namespace synthstm
