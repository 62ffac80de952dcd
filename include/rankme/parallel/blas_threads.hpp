#pragma once
// How many OpenBLAS threads each rank runs, chosen so that threads x ranks on a node fill its cores and
// never oversubscribe them by accident; and the warning when a launch would.
//
// Why it matters: mpirun binds each rank to one core by default, so `mpirun -n 1` with 2 BLAS threads
// runs them both on that core at half speed (8.1 s instead of 4.4 s measured on a 2-core machine).

#include <optional>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

// Where the thread count came from, in order of precedence.
enum class ThreadSource {
  command_line,          // --threads
  openblas_num_threads,  // OPENBLAS_NUM_THREADS
  slurm_cpus_per_task,   // SLURM_CPUS_PER_TASK
  omp_num_threads,       // OMP_NUM_THREADS
  cores_per_rank,        // nothing asked: this rank's share of the node, within its affinity mask
};

// "--threads", "OPENBLAS_NUM_THREADS", "SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS" or "cores per rank".
const char* to_string(ThreadSource source);

// Everything the choice depends on, gathered by plan_blas_threads() (or written by a test).
struct ThreadInputs {
  std::optional<int> requested;  // --threads; must be >= 1 when given
  // The environment variables as found (unset: nullopt; set but empty counts as unset).
  std::optional<std::string> openblas_num_threads;
  std::optional<std::string> slurm_cpus_per_task;
  std::optional<std::string> omp_num_threads;
  int node_cores = 1;      // logical CPUs on this node; < 1 (unknown) counts as 1
  int affinity_cores = 1;  // CPUs in this process's affinity mask; < 1 (unknown) counts as node_cores
  int ranks_on_node = 1;   // ranks of the job on this node; < 1 counts as 1
};

struct ThreadPlan {
  int threads = 1;
  ThreadSource source = ThreadSource::cores_per_rank;
  // Bare sentences, for "rankme: warning: " / "rankme: note: " lines. Warnings: a value that was ignored,
  // or threads that will share cores. Notes: cores the launch keeps from this rank (its binding).
  std::vector<std::string> warnings;
  std::vector<std::string> notes;
  // The facts the choice was made from, after the fallbacks above (for describe_thread_plan).
  int node_cores = 1;
  int affinity_cores = 1;
  int ranks_on_node = 1;
};

// The choice itself; no MPI, no environment, no system calls. The first of these that is set and valid
// wins: --threads, OPENBLAS_NUM_THREADS, SLURM_CPUS_PER_TASK, OMP_NUM_THREADS (its first entry, as in
// OpenMP's "4,2"). A variable consulted but not a whole number >= 1 is skipped with a warning naming it.
// Otherwise: max(1, min(affinity cores, node cores / ranks on node)), with a note when the affinity mask
// is what made it smaller (mpirun's default binding). An asked-for count is honoured as given, but warned
// about when threads x ranks on node > node cores, or else when threads > affinity cores.
// Throws std::invalid_argument when `requested` is < 1.
ThreadPlan choose_blas_threads(const ThreadInputs& inputs);

// Gathers ThreadInputs for this rank (environment, sysconf, sched_getaffinity, and the ranks sharing
// its node from MPI_Comm_split_type) and chooses. Collective over `world`: every rank must call it.
ThreadPlan plan_blas_threads(const Communicator& world, std::optional<int> requested);

// One line for --verbose, e.g. "rankme: 2 BLAS thread(s) per rank (cores per rank: 2 cores on this node,
// 1 rank on it, affinity 2 cores)".
std::string describe_thread_plan(const ThreadPlan& plan);

// openblas_set_num_threads; throws std::invalid_argument when `threads` < 1.
void apply_blas_threads(int threads);

// openblas_get_num_threads: the threads OpenBLAS will use for the next call.
int current_blas_threads();

// CPUs this process may run on (mpirun's or srun's binding, a cgroup cpuset); 0 when unknown.
int cores_in_affinity_mask();

// Ranks of `comm` that share this rank's node (MPI_Comm_split_type). Collective over `comm`.
int ranks_sharing_node(const Communicator& comm);

// For its lifetime, OpenBLAS runs `threads` threads (no more than the affinity mask has cores: threads
// that would share a core only slow each other down); then the previous count again. For one rank's
// solo work while the other ranks of its node wait (the LAPACK eigensolve on rank 0).
class BorrowedBlasThreads {
 public:
  explicit BorrowedBlasThreads(int threads);
  ~BorrowedBlasThreads();
  BorrowedBlasThreads(const BorrowedBlasThreads&) = delete;
  BorrowedBlasThreads& operator=(const BorrowedBlasThreads&) = delete;

 private:
  int previous_;
};

}  // namespace rankme
