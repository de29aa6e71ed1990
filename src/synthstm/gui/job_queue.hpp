#pragma once
/// Background jobs of the GUI server: a bounded pool of worker threads runs submitted work,
/// each job reports progress, can be cancelled (the caller stops waiting and its result is
/// dropped), and finished jobs are kept for a while so that their results can be fetched.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthstm::gui {

/// Where a job is.
enum class JobState { Queued, Running, Done, Failed, Cancelled };

/// The lowercase name of a state ("queued", "running", ...).
const char* job_state_name(JobState state);

/// What a running job sees: it reports progress and asks whether it was cancelled.
class JobContext {
public:
    virtual ~JobContext() = default;
    /// Reports how far the job is (fraction in [0, 1]) and what it is doing.
    virtual void progress(double fraction, const std::string& message) = 0;
    /// True once the job was cancelled; long work should stop early.
    [[nodiscard]] virtual bool cancelled() const = 0;
};

/// The work of a job: returns its result, throws synthstm::Error for a failure meant for people.
using JobWork = std::function<nlohmann::json(JobContext&)>;

/// A pool of worker threads with a bounded queue of jobs.
class JobQueue {
public:
    /// Starts `workers` threads; at most `max_pending` jobs may wait or run at once, and at most
    /// `max_kept` finished jobs are remembered (the oldest are forgotten first).
    JobQueue(int workers, std::size_t max_pending, std::size_t max_kept);
    /// Cancels what waits, lets the running jobs finish, joins the workers.
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    /// Queues a job and returns its id; std::nullopt when max_pending jobs are already waiting or running.
    std::optional<std::string> submit(const std::string& kind, JobWork work);
    /// {id, kind, state, progress, message, seconds[, result | error]}; std::nullopt for an unknown id.
    [[nodiscard]] std::optional<nlohmann::json> status(const std::string& id) const;
    /// Cancels a job (a finished job is forgotten); false for an unknown id.
    bool cancel(const std::string& id);

private:
    struct Job;
    void work();
    void forget_old_locked();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Job>> queue_;
    std::map<std::string, std::shared_ptr<Job>> jobs_;
    std::deque<std::string> finished_order_;
    std::vector<std::thread> workers_;
    std::size_t max_pending_;
    std::size_t max_kept_;
    std::size_t pending_ = 0;
    std::uint64_t next_id_ = 1;
    bool stop_ = false;
};

}  // namespace synthstm::gui
