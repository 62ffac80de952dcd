#include "rankme/parallel/blas_threads.hpp"

#include <cblas.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace rankme {
namespace {

// A node of `cores` logical CPUs shared by `ranks` ranks, each allowed on `affinity` of them.
ThreadInputs node(int cores, int ranks, int affinity) {
  ThreadInputs inputs;
  inputs.node_cores = cores;
  inputs.ranks_on_node = ranks;
  inputs.affinity_cores = affinity;
  return inputs;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- precedence -------------------------------------------------------------------------------------

TEST(BlasThreads, CommandLineWinsOverEveryVariable) {
  ThreadInputs inputs = node(8, 1, 8);
  inputs.requested = 3;
  inputs.openblas_num_threads = "2";
  inputs.slurm_cpus_per_task = "4";
  inputs.omp_num_threads = "5";
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 3);
  EXPECT_EQ(plan.source, ThreadSource::command_line);
  EXPECT_TRUE(plan.warnings.empty());
  EXPECT_TRUE(plan.notes.empty());
}

TEST(BlasThreads, OpenblasNumThreadsWinsOverSlurmAndOmp) {
  ThreadInputs inputs = node(8, 1, 8);
  inputs.openblas_num_threads = "2";
  inputs.slurm_cpus_per_task = "4";
  inputs.omp_num_threads = "5";
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 2);
  EXPECT_EQ(plan.source, ThreadSource::openblas_num_threads);
}

TEST(BlasThreads, SlurmCpusPerTaskWinsOverOmp) {
  ThreadInputs inputs = node(8, 2, 4);
  inputs.slurm_cpus_per_task = "4";
  inputs.omp_num_threads = "1";
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 4);
  EXPECT_EQ(plan.source, ThreadSource::slurm_cpus_per_task);
  EXPECT_TRUE(plan.warnings.empty());  // 4 x 2 ranks = 8 cores, each rank allowed on its 4
}

TEST(BlasThreads, OmpNumThreadsAloneAndItsFirstNestingLevel) {
  ThreadInputs inputs = node(8, 1, 8);
  inputs.omp_num_threads = "6";
  EXPECT_EQ(choose_blas_threads(inputs).threads, 6);
  EXPECT_EQ(choose_blas_threads(inputs).source, ThreadSource::omp_num_threads);
  inputs.omp_num_threads = " 4,2 ";
  EXPECT_EQ(choose_blas_threads(inputs).threads, 4);
  EXPECT_TRUE(choose_blas_threads(inputs).warnings.empty());
}

// --- the default --------------------------------------------------------------------------------------

TEST(BlasThreads, DefaultIsTheNodesCoresPerRankWithinTheAffinityMask) {
  struct Case {
    int cores, ranks, affinity, expected;
  };
  for (const Case& c : {Case{2, 1, 2, 2}, Case{8, 2, 8, 4}, Case{8, 2, 4, 4}, Case{7, 2, 7, 3},
                        Case{8, 1, 3, 3}, Case{2, 2, 1, 1}, Case{2, 4, 1, 1}, Case{2, 3, 2, 1}}) {
    const ThreadPlan plan = choose_blas_threads(node(c.cores, c.ranks, c.affinity));
    EXPECT_EQ(plan.threads, c.expected) << c.cores << " cores, " << c.ranks << " ranks, affinity " << c.affinity;
    EXPECT_EQ(plan.source, ThreadSource::cores_per_rank);
    EXPECT_TRUE(plan.warnings.empty()) << plan.warnings.front();  // more ranks than cores is no BLAS matter
  }
}

TEST(BlasThreads, DefaultUnderMpirunsOneCoreBindingIsOneThreadWithANote) {
  // `mpirun -n 1` on a 2-core node: bound to one core, so 2 threads would run at half speed.
  const ThreadPlan plan = choose_blas_threads(node(2, 1, 1));
  EXPECT_EQ(plan.threads, 1);
  EXPECT_TRUE(plan.warnings.empty());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_TRUE(contains(plan.notes[0], "bound to 1 core")) << plan.notes[0];
  EXPECT_TRUE(contains(plan.notes[0], "2 cores per rank")) << plan.notes[0];
  EXPECT_TRUE(contains(plan.notes[0], "--bind-to none")) << plan.notes[0];
  EXPECT_TRUE(contains(plan.notes[0], "--map-by slot:PE=2")) << plan.notes[0];
  // A mask no smaller than the rank's share is no news.
  EXPECT_TRUE(choose_blas_threads(node(2, 2, 1)).notes.empty());
}

TEST(BlasThreads, UnknownFactsFallBackToSafeValues) {
  ThreadPlan plan = choose_blas_threads(node(0, 0, 0));
  EXPECT_EQ(plan.threads, 1);
  EXPECT_EQ(plan.node_cores, 1);
  EXPECT_EQ(plan.ranks_on_node, 1);
  EXPECT_EQ(plan.affinity_cores, 1);
  plan = choose_blas_threads(node(8, 1, 0));  // sched_getaffinity failed: the node's cores
  EXPECT_EQ(plan.threads, 8);
  EXPECT_EQ(plan.affinity_cores, 8);
  EXPECT_TRUE(plan.notes.empty());
}

// --- invalid values -----------------------------------------------------------------------------------

TEST(BlasThreads, InvalidVariablesAreSkippedWithAWarningNamingThem) {
  for (const std::string bad : {"abc", "0", "-2", "2x", "1.5", "99999999999", ",3"}) {
    ThreadInputs inputs = node(8, 1, 8);
    inputs.openblas_num_threads = bad;
    inputs.slurm_cpus_per_task = "3";
    const ThreadPlan plan = choose_blas_threads(inputs);
    EXPECT_EQ(plan.threads, 3) << bad;
    EXPECT_EQ(plan.source, ThreadSource::slurm_cpus_per_task) << bad;
    ASSERT_EQ(plan.warnings.size(), 1u) << bad;
    EXPECT_TRUE(contains(plan.warnings[0], "OPENBLAS_NUM_THREADS='" + bad + "'")) << plan.warnings[0];
  }
  ThreadInputs inputs = node(4, 2, 4);
  inputs.openblas_num_threads = "many";
  inputs.slurm_cpus_per_task = "0";
  inputs.omp_num_threads = "-1";
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 2);
  EXPECT_EQ(plan.source, ThreadSource::cores_per_rank);
  ASSERT_EQ(plan.warnings.size(), 3u);
  EXPECT_TRUE(contains(plan.warnings[0], "OPENBLAS_NUM_THREADS='many'"));
  EXPECT_TRUE(contains(plan.warnings[1], "SLURM_CPUS_PER_TASK='0'"));
  EXPECT_TRUE(contains(plan.warnings[2], "OMP_NUM_THREADS='-1'"));
}

TEST(BlasThreads, BlankVariablesCountAsUnset) {
  ThreadInputs inputs = node(2, 1, 2);
  inputs.openblas_num_threads = "";
  inputs.omp_num_threads = "  ";
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.source, ThreadSource::cores_per_rank);
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(BlasThreads, VariablesNotConsultedAreNotWarnedAbout) {
  ThreadInputs inputs = node(8, 1, 8);
  inputs.openblas_num_threads = "2";
  inputs.omp_num_threads = "junk";
  EXPECT_TRUE(choose_blas_threads(inputs).warnings.empty());
}

TEST(BlasThreads, RequestedBelowOneIsAnError) {
  ThreadInputs inputs = node(2, 1, 2);
  inputs.requested = 0;
  EXPECT_THROW(choose_blas_threads(inputs), std::invalid_argument);
  inputs.requested = -3;
  EXPECT_THROW(choose_blas_threads(inputs), std::invalid_argument);
}

// --- warnings about shared cores ----------------------------------------------------------------------

TEST(BlasThreads, MoreThreadsThanTheAffinityMaskAreHonouredAndWarned) {
  ThreadInputs inputs = node(2, 1, 1);  // mpirun -n 1 --threads 2, bound to one core
  inputs.requested = 2;
  const ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 2);
  EXPECT_TRUE(plan.notes.empty());
  ASSERT_EQ(plan.warnings.size(), 1u);
  const std::string& warning = plan.warnings[0];
  EXPECT_TRUE(contains(warning, "2 BLAS threads (from --threads) but this rank may run on only 1 core")) << warning;
  EXPECT_TRUE(contains(warning, "`mpirun --bind-to none` or `--map-by slot:PE=2`")) << warning;
  EXPECT_TRUE(contains(warning, "or use --threads 1")) << warning;
}

TEST(BlasThreads, AffinityWarningFromSlurmSuggestsSrunCpusPerTask) {
  ThreadInputs inputs = node(8, 1, 1);  // sbatch --cpus-per-task=4, then a bare mpirun
  inputs.slurm_cpus_per_task = "4";
  const ThreadPlan plan = choose_blas_threads(inputs);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_TRUE(contains(plan.warnings[0], "(from SLURM_CPUS_PER_TASK)")) << plan.warnings[0];
  EXPECT_TRUE(contains(plan.warnings[0], "`srun --cpus-per-task=4`")) << plan.warnings[0];
}

TEST(BlasThreads, OversubscribingTheNodeIsWarnedOnceWithTheFittingCount) {
  ThreadInputs inputs = node(2, 2, 1);  // mpirun -n 2 --threads 2: unbinding would not help
  inputs.requested = 2;
  ThreadPlan plan = choose_blas_threads(inputs);
  EXPECT_EQ(plan.threads, 2);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_TRUE(contains(plan.warnings[0], "x 2 ranks on this node = 4 threads for 2 cores")) << plan.warnings[0];
  EXPECT_TRUE(contains(plan.warnings[0], "use --threads 1")) << plan.warnings[0];
  EXPECT_FALSE(contains(plan.warnings[0], "--bind-to none")) << plan.warnings[0];

  inputs = node(4, 2, 4);  // unbound ranks, but OPENBLAS_NUM_THREADS=4 each
  inputs.openblas_num_threads = "4";
  plan = choose_blas_threads(inputs);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_TRUE(contains(plan.warnings[0], "4 BLAS threads (from OPENBLAS_NUM_THREADS) x 2 ranks on this node = "
                                         "8 threads for 4 cores")) << plan.warnings[0];
  EXPECT_TRUE(contains(plan.warnings[0], "use --threads 2")) << plan.warnings[0];
}

TEST(BlasThreads, OneThreadPerRankIsNeverWarnedAbout) {
  ThreadInputs inputs = node(2, 4, 1);  // mpirun --oversubscribe -n 4: the ranks' choice, not the BLAS's
  inputs.openblas_num_threads = "1";
  EXPECT_TRUE(choose_blas_threads(inputs).warnings.empty());
}

// --- description ------------------------------------------------------------------------------------

TEST(BlasThreads, DescriptionNamesTheSourceAndTheFacts) {
  EXPECT_EQ(describe_thread_plan(choose_blas_threads(node(2, 1, 2))),
            "rankme: 2 BLAS threads per rank (cores per rank: 2 cores on this node, 1 rank on it, affinity 2 cores)");
  ThreadInputs inputs = node(8, 4, 1);
  inputs.openblas_num_threads = "1";
  EXPECT_EQ(describe_thread_plan(choose_blas_threads(inputs)),
            "rankme: 1 BLAS thread per rank (OPENBLAS_NUM_THREADS=1: 8 cores on this node, 4 ranks on it, "
            "affinity 1 core)");
  inputs.requested = 2;
  EXPECT_EQ(describe_thread_plan(choose_blas_threads(inputs)),
            "rankme: 2 BLAS threads per rank (--threads 2: 8 cores on this node, 4 ranks on it, affinity 1 core)");
}

TEST(BlasThreads, SourceNames) {
  EXPECT_STREQ(to_string(ThreadSource::command_line), "--threads");
  EXPECT_STREQ(to_string(ThreadSource::openblas_num_threads), "OPENBLAS_NUM_THREADS");
  EXPECT_STREQ(to_string(ThreadSource::slurm_cpus_per_task), "SLURM_CPUS_PER_TASK");
  EXPECT_STREQ(to_string(ThreadSource::omp_num_threads), "OMP_NUM_THREADS");
  EXPECT_STREQ(to_string(ThreadSource::cores_per_rank), "cores per rank");
}

// --- OpenBLAS and the live system -----------------------------------------------------------------------

TEST(BlasThreads, ApplyThenCurrentRoundTrips) {
  apply_blas_threads(1);
  EXPECT_EQ(current_blas_threads(), 1);
  if (openblas_get_parallel() != 0) {  // a threaded OpenBLAS build (the serial one stays at 1)
    apply_blas_threads(2);
    EXPECT_EQ(current_blas_threads(), 2);
    apply_blas_threads(1);
    EXPECT_EQ(current_blas_threads(), 1);
  }
  EXPECT_THROW(apply_blas_threads(0), std::invalid_argument);
}

// Sets or unsets environment variables for one scope, and puts the old values back.
class ScopedEnvironment {
 public:
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) setenv(it->first.c_str(), it->second->c_str(), 1); else unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Ranks on this rank's node, counted independently of MPI_Comm_split_type: by processor name.
int ranks_with_my_processor_name() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  int ranks = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  std::vector<char> all(static_cast<std::size_t>(ranks) * MPI_MAX_PROCESSOR_NAME);
  MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                MPI_COMM_WORLD);
  int same = 0;
  for (int r = 0; r < ranks; ++r) same += std::string(&all[static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME]) == name;
  return same;
}

TEST(BlasThreads, PlanReadsTheEnvironmentTheNodeAndTheRanksOnIt) {
  ScopedEnvironment environment;
  environment.set("OPENBLAS_NUM_THREADS", "3");
  environment.set("SLURM_CPUS_PER_TASK", nullptr);
  environment.set("OMP_NUM_THREADS", nullptr);
  ThreadPlan plan = plan_blas_threads(Communicator::world(), std::nullopt);
  EXPECT_EQ(plan.threads, 3);
  EXPECT_EQ(plan.source, ThreadSource::openblas_num_threads);
  EXPECT_EQ(plan.node_cores, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GE(plan.affinity_cores, 1);
  EXPECT_LE(plan.affinity_cores, plan.node_cores);
  EXPECT_EQ(plan.ranks_on_node, ranks_with_my_processor_name());

  plan = plan_blas_threads(Communicator::world(), 2);
  EXPECT_EQ(plan.threads, 2);
  EXPECT_EQ(plan.source, ThreadSource::command_line);

  environment.set("OPENBLAS_NUM_THREADS", nullptr);
  plan = plan_blas_threads(Communicator::world(), std::nullopt);
  EXPECT_EQ(plan.source, ThreadSource::cores_per_rank);
  EXPECT_GE(plan.threads, 1);
  EXPECT_LE(plan.threads, plan.affinity_cores);
  EXPECT_LE(plan.threads * plan.ranks_on_node, std::max(plan.node_cores, plan.ranks_on_node));
}

}  // namespace
}  // namespace rankme
