#include "rankme/parallel/blas_threads.hpp"

#include <cblas.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace rankme {

namespace {

// "1 core", "2 cores".
std::string counted(long long count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// One environment variable's say: nullopt when unset or blank (OpenBLAS treats blank as unset too), or
// when invalid, which also adds a warning. OMP_NUM_THREADS may list one count per nesting level ("4,2");
// the BLAS runs at the outer level, so only the first entry counts.
std::optional<int> thread_count_from(const char* name, const std::optional<std::string>& value,
                                     bool first_of_list, std::vector<std::string>& warnings) {
  if (!value || trimmed(*value).empty()) return std::nullopt;
  std::string_view text = *value;
  if (first_of_list) text = text.substr(0, text.find(','));
  text = trimmed(text);
  int count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || count < 1) {
    warnings.push_back(std::string("ignoring ") + name + "='" + *value + "': not a whole number >= 1");
    return std::nullopt;
  }
  return count;
}

// The launch line that gives a rank `threads` cores, for the source the count came from.
std::string launch_advice(ThreadSource source, int threads) {
  const std::string n = std::to_string(threads);
  if (source == ThreadSource::slurm_cpus_per_task) {
    return "launch with `srun --cpus-per-task=" + n + "` or `mpirun --map-by slot:PE=" + n + "`";
  }
  return "launch with `mpirun --bind-to none` or `--map-by slot:PE=" + n + "`";
}

}  // namespace

const char* to_string(ThreadSource source) {
  switch (source) {
    case ThreadSource::command_line: return "--threads";
    case ThreadSource::openblas_num_threads: return "OPENBLAS_NUM_THREADS";
    case ThreadSource::slurm_cpus_per_task: return "SLURM_CPUS_PER_TASK";
    case ThreadSource::omp_num_threads: return "OMP_NUM_THREADS";
    case ThreadSource::cores_per_rank: return "cores per rank";
  }
  return "?";
}

ThreadPlan choose_blas_threads(const ThreadInputs& inputs) {
  if (inputs.requested && *inputs.requested < 1) {
    throw std::invalid_argument("--threads must be at least 1, not " + std::to_string(*inputs.requested));
  }
  ThreadPlan plan;
  plan.node_cores = std::max(1, inputs.node_cores);
  plan.affinity_cores = inputs.affinity_cores >= 1 ? inputs.affinity_cores : plan.node_cores;
  plan.ranks_on_node = std::max(1, inputs.ranks_on_node);
  const int cores_per_rank = std::max(1, plan.node_cores / plan.ranks_on_node);

  // Precedence: what the user asked of rankme, then of the BLAS by name, then the job's allocation per
  // task, then the generic OpenMP setting (often a site-wide default of 1, so it yields to SLURM).
  std::optional<int> asked = inputs.requested;
  plan.source = ThreadSource::command_line;
  const struct {
    ThreadSource source;
    const std::optional<std::string>& value;
  } variables[] = {{ThreadSource::openblas_num_threads, inputs.openblas_num_threads},
                   {ThreadSource::slurm_cpus_per_task, inputs.slurm_cpus_per_task},
                   {ThreadSource::omp_num_threads, inputs.omp_num_threads}};
  for (const auto& variable : variables) {
    if (asked) break;  // a variable not consulted is not warned about either
    asked = thread_count_from(to_string(variable.source), variable.value,
                              variable.source == ThreadSource::omp_num_threads, plan.warnings);
    plan.source = variable.source;
  }

  if (!asked) {
    plan.source = ThreadSource::cores_per_rank;
    plan.threads = std::max(1, std::min(plan.affinity_cores, cores_per_rank));
    if (plan.affinity_cores < cores_per_rank) {
      plan.notes.push_back(counted(plan.threads, "BLAS thread") + ": this rank is bound to " +
                           counted(plan.affinity_cores, "core") + " (its affinity mask), though the node has " +
                           counted(cores_per_rank, "core") + " per rank; to use them, " +
                           launch_advice(plan.source, cores_per_rank));
    }
    return plan;
  }

  // Honour the count asked for, but say when its threads will share cores. Too many threads for the node
  // is the root problem when both apply (unbinding would not help), so it is the one reported.
  plan.threads = *asked;
  const std::string threads_from = counted(plan.threads, "BLAS thread") + " (from " + to_string(plan.source) + ")";
  const long long node_threads = static_cast<long long>(plan.threads) * plan.ranks_on_node;
  if (plan.threads > 1 && node_threads > plan.node_cores) {
    plan.warnings.push_back(threads_from + " x " + counted(plan.ranks_on_node, "rank") + " on this node = " +
                            counted(node_threads, "thread") + " for " + counted(plan.node_cores, "core") +
                            ": they will share cores and run slower; use --threads " +
                            std::to_string(cores_per_rank));
  } else if (plan.threads > plan.affinity_cores) {
    plan.warnings.push_back(threads_from + " but this rank may run on only " +
                            counted(plan.affinity_cores, "core") + " (its affinity mask): they will share " +
                            "cores; " + launch_advice(plan.source, plan.threads) + ", or use --threads " +
                            std::to_string(plan.affinity_cores));
  }
  return plan;
}

std::string describe_thread_plan(const ThreadPlan& plan) {
  std::string source = to_string(plan.source);
  if (plan.source == ThreadSource::command_line) source += " " + std::to_string(plan.threads);
  if (plan.source != ThreadSource::command_line && plan.source != ThreadSource::cores_per_rank) {
    source += "=" + std::to_string(plan.threads);
  }
  return "rankme: " + counted(plan.threads, "BLAS thread") + " per rank (" + source + ": " +
         counted(plan.node_cores, "core") + " on this node, " + counted(plan.ranks_on_node, "rank") +
         " on it, affinity " + counted(plan.affinity_cores, "core") + ")";
}

namespace {

std::optional<std::string> environment_value(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

// Online logical CPUs; 0 when unknown.
int cores_on_node() {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (online > 0) return static_cast<int>(std::min<long>(online, 1 << 20));
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

// The set is grown until the kernel accepts its size, for machines with more than CPU_SETSIZE CPUs.
int cores_in_affinity_mask() {
  for (int cpus = CPU_SETSIZE; cpus <= (1 << 20); cpus *= 2) {
    cpu_set_t* set = CPU_ALLOC(cpus);
    if (!set) return 0;
    const std::size_t size = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(size, set);
    const bool known = sched_getaffinity(0, size, set) == 0;
    const int count = known ? CPU_COUNT_S(size, set) : 0;
    const bool too_small = !known && errno == EINVAL;
    CPU_FREE(set);
    if (!too_small) return count;
  }
  return 0;
}

int ranks_sharing_node(const Communicator& comm) { return comm.split_by_node().size(); }

ThreadPlan plan_blas_threads(const Communicator& world, std::optional<int> requested) {
  ThreadInputs inputs;
  inputs.requested = requested;
  inputs.openblas_num_threads = environment_value("OPENBLAS_NUM_THREADS");
  inputs.slurm_cpus_per_task = environment_value("SLURM_CPUS_PER_TASK");
  inputs.omp_num_threads = environment_value("OMP_NUM_THREADS");
  inputs.node_cores = cores_on_node();
  inputs.affinity_cores = cores_in_affinity_mask();
  inputs.ranks_on_node = ranks_sharing_node(world);
  return choose_blas_threads(inputs);
}

void apply_blas_threads(int threads) {
  if (threads < 1) throw std::invalid_argument("BLAS threads must be at least 1, not " + std::to_string(threads));
  openblas_set_num_threads(threads);
}

int current_blas_threads() { return openblas_get_num_threads(); }

BorrowedBlasThreads::BorrowedBlasThreads(int threads) : previous_(current_blas_threads()) {
  const int affinity = cores_in_affinity_mask();
  const int borrowed = std::max(1, affinity > 0 ? std::min(threads, affinity) : threads);
  if (borrowed != previous_) apply_blas_threads(borrowed);
}

BorrowedBlasThreads::~BorrowedBlasThreads() {
  if (current_blas_threads() != previous_) openblas_set_num_threads(previous_);
}

}  // namespace rankme
