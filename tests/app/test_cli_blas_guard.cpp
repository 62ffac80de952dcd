// The BLAS kernel guard end to end. On a machine whose CPU the library knows, the test makes the library
// truly run its generic kernel through the launch's own environment (OPENBLAS_CORETYPE=Prescott) and tells
// rankme to take that for the library's detection (RANKME_BLAS_GUARD_SIMULATE_DETECTED=1): rankme must probe,
// re-execute itself before MPI_Init with the best kernel, and say so in the JSON, at 1 and 2 ranks. Also: a
// user's OPENBLAS_CORETYPE is untouched, RANKME_BLAS_GUARD=0 turns the guard off, a failed numerical check
// keeps the generic kernel with one warning (rankme-with-faults), a rank that differs says so, rankme-floor
// runs the same kernel as rankme, and the probe itself on every kernel this machine can run.
//
// Environment variables are changed only for the launches of one test (ScopedEnvironment restores them), so a
// machine that sets OPENBLAS_CORETYPE keeps it for every other test.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <strings.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "rankme/lapack/blas_kernel_choice.hpp"
#include "rankme/lapack/blas_library.hpp"
#include "rankme/lapack/cpu_features.hpp"
#include "rankme/parallel/blas_kernel_guard.hpp"
#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::contains;
using testing::run_rankme;
using testing::RunResult;
using testing::ScopedEnvironment;

struct GuardFile {
  testing::TemporaryDirectory directory{"rankme-cli-blas-guard-"};
  std::string file = directory.file("guard.h5");
  testing::ScoredMatrix matrix = testing::add_matrix(file, "/m", testing::plain_matrix(301, 37, 91), 301, 37,
                                                     testing::float64, "float64", 1e-9);
};

const GuardFile& guard_file() {
  static const GuardFile fixture;
  return fixture;
}

bool same_kernel(const std::string& a, const std::string& b) { return ::strcasecmp(a.c_str(), b.c_str()) == 0; }

// The kernels better than SSE that this CPU allows, best first (what the guard tries over Prescott).
std::vector<std::string> better_than_generic() { return kernels_allowed_by(read_cpu_features()); }

// Clears whatever of the guard's variables the test's own environment holds, then sets `values`.
void launch_environment(ScopedEnvironment& environment, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const char* name : {"OPENBLAS_CORETYPE", guard_switch_variable, guard_chose_variable,
                           guard_library_kernel_variable, guard_simulate_variable, kernel_probe_variable}) {
    environment.unset(name);
  }
  for (const auto& [name, value] : values) environment.set(name, value);
}

const std::vector<std::pair<std::string, std::string>> simulated_generic = {{"OPENBLAS_CORETYPE", "Prescott"},
                                                                            {guard_simulate_variable, "1"}};

// The one JSONL row of the fixture's matrix, its RankMe checked against the float64 reference within what the
// default precision (auto: float32 products where its criterion allows) promises.
json scored_row(const RunResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result;
  testing::expect_no_crash_hang_or_signal(result);
  const json row = testing::row_for(testing::parse_jsonl(result), "/m");
  if (const auto value = testing::ok_rankme(row, "/m")) {
    EXPECT_RELATIVE_NEAR(*value, guard_file().matrix.expected, 1e-6);
  }
  return row;
}

TEST(BlasGuard, TheProbeReportsTheKernelItRanAndPassesOnEveryKernelThisMachineRuns) {
  // The SSE kernels every x86-64 CPU runs, and the better ones this CPU's features allow: each one's check
  // must pass (the tolerance is not too tight for any summation order these kernels use).
  std::vector<std::string> kernels = {"Prescott", "Core2", "Penryn", "Nehalem"};
  for (const std::string& kernel : better_than_generic()) kernels.push_back(kernel);
  if (!read_cpu_features().known) GTEST_SKIP() << "not x86-64";
  for (const std::string& kernel : kernels) {
    const KernelProbe probe = probe_blas_kernel(RANKME_BINARY, kernel, 60);
    EXPECT_TRUE(same_kernel(probe.kernel, kernel)) << kernel << ": the probe ran '" << probe.kernel << "'";
    EXPECT_TRUE(probe.passed) << kernel << ": " << probe.detail;
    EXPECT_TRUE(contains(probe.detail, "of its error bound")) << probe.detail;
  }
  // A kernel the library does not have: it runs another, which the guard reads as absent.
  const KernelProbe absent = probe_blas_kernel(RANKME_BINARY, "NoSuchKernel", 60);
  EXPECT_FALSE(absent.kernel.empty());
  EXPECT_FALSE(same_kernel(absent.kernel, "NoSuchKernel"));
}

TEST(BlasGuard, ADefaultRunReportsWhatTheGuardDecidesForThisMachine) {
  // Nothing changed: whatever this machine's environment and library make of it, the JSON says so.
  const GuardFile& fixture = guard_file();
  const RunResult result = run_rankme(1, {"--format", "jsonl", "--verbose", fixture.file});
  const json blas = scored_row(result).at("blas");
  const BlasLibrary library = loaded_blas_library();  // this test process: the same library and environment
  EXPECT_EQ(blas.at("library"), "OpenBLAS");
  EXPECT_EQ(blas.at("version"), library.version);
  if (std::getenv("OPENBLAS_CORETYPE")) {
    EXPECT_EQ(blas.at("chosen_by"), "user");
    EXPECT_EQ(blas.at("kernel"), library.kernel);
  } else {
    KernelChoiceInputs inputs;
    inputs.cpu = read_cpu_features();
    inputs.library_kernel = library.kernel;
    inputs.dynamic_arch = library.dynamic_arch;
    const KernelChoice choice = choose_blas_kernel(inputs);
    if (choice.candidates.empty() || std::getenv(guard_switch_variable)) {
      EXPECT_EQ(blas.at("chosen_by"), "library") << blas.dump();
      EXPECT_EQ(blas.at("kernel"), library.kernel);
      EXPECT_FALSE(blas.contains("library_kernel"));
    } else {
      EXPECT_EQ(blas.at("chosen_by"), "rankme") << blas.dump();
      EXPECT_EQ(blas.at("library_kernel"), library.kernel);
    }
  }
  EXPECT_TRUE(contains(result.err, "rankme: BLAS: OpenBLAS " + library.version + ", kernel ")) << result.err;
}

TEST(BlasGuard, AGenericKernelIsReplacedByTheBestAtOneAndTwoRanks) {
  const std::vector<std::string> better = better_than_generic();
  if (better.empty()) GTEST_SKIP() << "this CPU allows no kernel better than SSE: the guard has nothing to do";
  const GuardFile& fixture = guard_file();
  ScopedEnvironment environment;
  launch_environment(environment, simulated_generic);
  for (const int ranks : {1, 2}) {
    SCOPED_TRACE(std::to_string(ranks) + " rank(s)");
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", "--verbose", fixture.file});
    const json row = scored_row(result);
    EXPECT_EQ(row.at("ranks"), ranks);
    // Debian's OpenBLAS (0.3.21) has every kernel the guard proposes: the best is taken.
    EXPECT_EQ(row.at("blas"), json({{"library", "OpenBLAS"},
                                    {"version", loaded_blas_library().version},
                                    {"kernel", better.front()},
                                    {"chosen_by", "rankme"},
                                    {"library_kernel", "Prescott"}}));
    EXPECT_TRUE(contains(result.err, "kernel " + better.front() + " (chosen by rankme; the library picked Prescott)" +
                                         (ranks > 1 ? ", on every rank" : "") + "\n"))
        << result.err;
    EXPECT_FALSE(contains(result.err, "warning")) << result.err;
  }
}

TEST(BlasGuard, AUsersOpenblasCoretypeIsNeverOverridden) {
  const std::vector<std::string> better = better_than_generic();
  const std::string chosen = better.empty() ? "Prescott" : better.back();  // a kernel below the best, if any
  const GuardFile& fixture = guard_file();
  ScopedEnvironment environment;
  launch_environment(environment, {{"OPENBLAS_CORETYPE", chosen}});
  const RunResult result = run_rankme(2, {"--format", "jsonl", "--verbose", fixture.file});
  EXPECT_EQ(scored_row(result).at("blas"), json({{"library", "OpenBLAS"},
                                                 {"version", loaded_blas_library().version},
                                                 {"kernel", chosen},
                                                 {"chosen_by", "user"}}));
  EXPECT_TRUE(contains(result.err, "is the user's choice, which rankme never overrides")) << result.err;
}

TEST(BlasGuard, RankmeBlasGuardZeroTurnsItOff) {
  const GuardFile& fixture = guard_file();
  ScopedEnvironment environment;
  launch_environment(environment, simulated_generic);
  environment.set(guard_switch_variable, "0");
  const RunResult result = run_rankme(1, {"--format", "jsonl", "--verbose", fixture.file});
  const json blas = scored_row(result).at("blas");
  EXPECT_EQ(blas.at("kernel"), "Prescott");
  EXPECT_EQ(blas.at("chosen_by"), "library") << "the simulation: the library's own detection";
  EXPECT_TRUE(contains(result.err, "the BLAS kernel guard is off (RANKME_BLAS_GUARD=0)")) << result.err;
}

// rankme-with-faults, whose RANKME_FAULT=stage=blas_check fails the check in the probe of the ranks named.
RunResult run_with_failing_check(int ranks, const std::string& failing_ranks) {
  ScopedEnvironment environment;
  launch_environment(environment, simulated_generic);
  environment.set("RANKME_FAULT", "stage=blas_check,kind=error,rank=" + failing_ranks);
  RunResult result = testing::run_command(
      testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_WITH_FAULTS, {"--format", "jsonl", "--verbose", guard_file().file}),
      testing::run_timeout_seconds);
  if (result.hung) ADD_FAILURE() << "hung" << result;
  return result;
}

TEST(BlasGuard, AFailedCheckKeepsTheGenericKernelAndWarnsOnce) {
  if (better_than_generic().empty()) GTEST_SKIP() << "no kernel better than SSE: nothing to check";
  const RunResult result = run_with_failing_check(2, "all");
  const json blas = scored_row(result).at("blas");
  EXPECT_EQ(blas.at("kernel"), "Prescott");
  EXPECT_EQ(blas.at("chosen_by"), "library");
  const std::vector<std::string> warnings = testing::lines_starting_with(result.err, "rankme: warning: the BLAS kernel");
  ASSERT_EQ(warnings.size(), 1u) << result.err;
  EXPECT_TRUE(contains(warnings[0], "the BLAS kernel " + better_than_generic().front() + " failed rankme's check "
                                    "(injected fault at stage blas_check on rank 0): rankme keeps the library's "
                                    "Prescott kernel"))
      << warnings[0];
  EXPECT_TRUE(contains(result.err, "kernel Prescott (chosen by the library), on every rank")) << result.err;
}

TEST(BlasGuard, ARankThatDecidedOtherwiseSaysSo) {
  if (better_than_generic().empty()) GTEST_SKIP() << "no kernel better than SSE";
  const RunResult result = run_with_failing_check(2, "1");  // rank 1 keeps Prescott, rank 0 re-executes
  EXPECT_EQ(scored_row(result).at("blas").at("chosen_by"), "rankme") << "the results carry rank 0's kernel";
  EXPECT_TRUE(contains(result.err, "rankme: warning: rank 1 runs OpenBLAS " + loaded_blas_library().version +
                                       ", kernel Prescott (chosen by the library), but rank 0 runs"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "(chosen by rankme; the library picked Prescott), not on every rank")) << result.err;
}

TEST(BlasGuard, RankmeFloorRunsTheKernelRankmeRuns) {
  if (better_than_generic().empty()) GTEST_SKIP() << "no kernel better than SSE";
  const GuardFile& fixture = guard_file();
  ScopedEnvironment environment;
  launch_environment(environment, simulated_generic);
  const RunResult floor = testing::run_command({RANKME_FLOOR, fixture.file, "/m", "--precision", "double",
                                                "--block-rows", "64", "--repeats", "1"},
                                               testing::run_timeout_seconds);
  ASSERT_EQ(floor.exit_code, 0) << floor;
  const json line = json::parse(testing::lines_of(floor.out).back());
  EXPECT_EQ(line.at("blas").at("kernel"), better_than_generic().front());
  EXPECT_EQ(line.at("blas").at("chosen_by"), "rankme");
  EXPECT_EQ(line.at("blas").at("library_kernel"), "Prescott");
}

}  // namespace
}  // namespace rankme
