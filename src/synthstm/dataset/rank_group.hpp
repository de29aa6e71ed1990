#pragma once
/// The processes that write one dataset together: a single process, or the ranks of an MPI job
/// (`mpirun -n R synthstm generate …`, or srun under Slurm). MPI is optional at build time
/// (SYNTHSTM_MPI) and initialised only by the commands that use it, and only when the process
/// was started by an MPI launcher.
#include <memory>
#include <string>

namespace synthstm {

/// The error of one rank.
struct RankError {
    int rank = -1;        ///< the failing rank, −1 when none failed
    std::string message;  ///< its error
};

/// A group of cooperating processes. Every call is collective (all ranks call it, in order).
class RankGroup {
public:
    virtual ~RankGroup() = default;
    /// This process's rank, 0 … size − 1.
    [[nodiscard]] virtual int rank() const = 0;
    /// Number of processes.
    [[nodiscard]] virtual int size() const = 0;
    /// Every rank passes its error ("" for none) and receives the error of the lowest failing rank
    /// (rank −1 when none failed); it doubles as a barrier.
    virtual RankError first_error(const std::string& mine) = 0;
};

/// One process alone.
std::unique_ptr<RankGroup> single_process_group();

/// The MPI job this process was launched in (MPI is initialised here and finalised when the group
/// is destroyed), or a single process when no MPI launcher started it. Throws InvalidInput when an
/// MPI launcher started several ranks of a program built without MPI.
std::unique_ptr<RankGroup> launched_group();

/// True when this program was built with MPI.
bool built_with_mpi();

}  // namespace synthstm
