#include "synthstm/dataset/rank_group.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

#if SYNTHSTM_HAVE_MPI
#include <mpi.h>
#endif

namespace synthstm {
namespace {

class SingleProcess final : public RankGroup {
public:
    [[nodiscard]] int rank() const override { return 0; }
    [[nodiscard]] int size() const override { return 1; }
    RankError first_error(const std::string& mine) override { return {mine.empty() ? -1 : 0, mine}; }
};

/// The number of ranks an MPI launcher announced in the environment (0: not launched by one).
int launcher_size() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
        if (const char* v = std::getenv(name); v && *v) return std::max(1, std::atoi(v));
    }
    // PMIx (e.g. srun --mpi=pmix) may announce only the rank.
    for (const char* name : {"PMIX_RANK", "PMI_RANK"}) {
        if (const char* v = std::getenv(name); v && *v) return 1;
    }
    return 0;
}

#if SYNTHSTM_HAVE_MPI
/// MPI_COMM_WORLD; MPI is initialised (calls from the main thread only) for the group's lifetime.
class MpiGroup final : public RankGroup {
public:
    MpiGroup() {
        int provided = 0;
        if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            io_error("MPI_Init_thread failed");
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiGroup() override { MPI_Finalize(); }
    MpiGroup(const MpiGroup&) = delete;
    MpiGroup& operator=(const MpiGroup&) = delete;
    [[nodiscard]] int rank() const override { return rank_; }
    [[nodiscard]] int size() const override { return size_; }
    RankError first_error(const std::string& mine) override {
        int candidate = mine.empty() ? size_ : rank_, failing = size_;
        MPI_Allreduce(&candidate, &failing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (failing == size_) return {};
        int length = failing == rank_ ? static_cast<int>(mine.size()) : 0;
        MPI_Bcast(&length, 1, MPI_INT, failing, MPI_COMM_WORLD);
        std::string message = failing == rank_ ? mine : std::string(static_cast<std::size_t>(length), '\0');
        MPI_Bcast(message.data(), length, MPI_CHAR, failing, MPI_COMM_WORLD);
        return {failing, message};
    }

private:
    int rank_ = 0, size_ = 1;
};
#endif

}  // namespace

std::unique_ptr<RankGroup> single_process_group() { return std::make_unique<SingleProcess>(); }

bool built_with_mpi() { return SYNTHSTM_HAVE_MPI != 0; }

std::unique_ptr<RankGroup> launched_group() {
    const int ranks = launcher_size();
    if (ranks == 0) return single_process_group();
#if SYNTHSTM_HAVE_MPI
    return std::make_unique<MpiGroup>();
#else
    if (ranks > 1)
        invalid_input(fmt::format("started as one of {} MPI ranks, but this synthstm was built without MPI "
                                  "(install libopenmpi-dev and rebuild, or run without mpirun)",
                                  ranks));
    return single_process_group();
#endif
}

}  // namespace synthstm
