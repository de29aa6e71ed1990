#include "synthstm/gui/job_queue.hpp"

#include <atomic>
#include <chrono>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::gui {

using Clock = std::chrono::steady_clock;

struct JobQueue::Job final : JobContext {
    std::string id;
    std::string kind;
    JobWork work;
    mutable std::mutex mutex;
    JobState state = JobState::Queued;
    double fraction = 0.0;
    std::string message = "waiting for a worker";
    nlohmann::json result;
    nlohmann::json error;
    std::atomic<bool> cancel_requested{false};
    Clock::time_point submitted = Clock::now();

    void progress(double f, const std::string& m) override {
        std::lock_guard lock(mutex);
        fraction = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
        message = m;
    }
    [[nodiscard]] bool cancelled() const override { return cancel_requested.load(); }
};

const char* job_state_name(JobState state) {
    switch (state) {
        case JobState::Queued: return "queued";
        case JobState::Running: return "running";
        case JobState::Done: return "done";
        case JobState::Failed: return "failed";
        case JobState::Cancelled: return "cancelled";
    }
    return "unknown";
}

JobQueue::JobQueue(int workers, std::size_t max_pending, std::size_t max_kept)
    : max_pending_(max_pending), max_kept_(max_kept) {
    if (workers < 1) invalid_input(fmt::format("the GUI needs at least one worker, got {}", workers));
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

JobQueue::~JobQueue() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        for (auto& [id, job] : jobs_) job->cancel_requested = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

std::optional<std::string> JobQueue::submit(const std::string& kind, JobWork work) {
    std::lock_guard lock(mutex_);
    if (pending_ >= max_pending_) return std::nullopt;
    auto job = std::make_shared<Job>();
    job->id = fmt::format("{}", next_id_++);
    job->kind = kind;
    job->work = std::move(work);
    jobs_[job->id] = job;
    queue_.push_back(job);
    ++pending_;
    wake_.notify_one();
    return job->id;
}

std::optional<nlohmann::json> JobQueue::status(const std::string& id) const {
    std::shared_ptr<Job> job;
    {
        std::lock_guard lock(mutex_);
        const auto it = jobs_.find(id);
        if (it == jobs_.end()) return std::nullopt;
        job = it->second;
    }
    std::lock_guard lock(job->mutex);
    nlohmann::json j = {{"id", job->id},
                        {"kind", job->kind},
                        {"state", job_state_name(job->state)},
                        {"progress", job->fraction},
                        {"message", job->message},
                        {"seconds", std::chrono::duration<double>(Clock::now() - job->submitted).count()}};
    if (job->state == JobState::Done) j["result"] = job->result;
    if (job->state == JobState::Failed) j["error"] = job->error;
    return j;
}

bool JobQueue::cancel(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    const std::shared_ptr<Job> job = it->second;
    job->cancel_requested = true;
    std::lock_guard job_lock(job->mutex);
    if (job->state == JobState::Queued || job->state == JobState::Running) {
        job->state = JobState::Cancelled;
        job->message = "cancelled";
    } else {
        jobs_.erase(it);  // finished: its result is dropped
    }
    return true;
}

void JobQueue::work() {
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            job = queue_.front();
            queue_.pop_front();
        }
        {
            std::lock_guard lock(job->mutex);
            if (job->state == JobState::Queued) {
                job->state = JobState::Running;
                job->message = "started";
            }
        }
        nlohmann::json result;
        nlohmann::json error;
        if (!job->cancelled()) {
            try {
                result = job->work(*job);
            } catch (const Error& e) {
                error = {{"error", e.what()}};
            } catch (const std::exception& e) {
                error = {{"error", fmt::format("internal error: {}", e.what())}};
            } catch (...) {
                error = {{"error", "internal error"}};
            }
        }
        {
            std::lock_guard lock(job->mutex);
            if (job->state != JobState::Cancelled) {
                job->state = error.is_null() ? JobState::Done : JobState::Failed;
                job->fraction = 1.0;
                job->message = error.is_null() ? "done" : "failed";
                job->result = std::move(result);
                job->error = std::move(error);
            }
            job->work = nullptr;
        }
        std::lock_guard lock(mutex_);
        --pending_;
        finished_order_.push_back(job->id);
        forget_old_locked();
    }
}

void JobQueue::forget_old_locked() {
    while (finished_order_.size() > max_kept_) {
        jobs_.erase(finished_order_.front());
        finished_order_.pop_front();
    }
}

}  // namespace synthstm::gui
