// Usage errors (exit code 2, one message, nothing on stdout), --help and --version, and the launch harness's
// own timeout (a hung launch is killed with all its ranks).
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <sys/types.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::contains;
using testing::contains_nocase;
using testing::expect_no_crash_hang_or_signal;
using testing::float32;
using testing::lines_of;
using testing::lines_starting_with;
using testing::plain_matrix;
using testing::read_whole_file;
using testing::run_command;
using testing::run_rankme;
using testing::RunResult;
using testing::TemporaryDirectory;

TEST(Harness, KillsAHungLaunchWithAllItsRanksAndSaysSo) {
  // mpiexec puts each rank in its own process group: the timeout must still end everything.
  const RunResult result =
      run_command(testing::mpiexec_command(RANKME_MPIEXEC, 2, "/bin/sleep", {"30"}), /*timeout_seconds=*/1.5);
  EXPECT_TRUE(result.hung);
  EXPECT_LT(result.seconds, 10.0);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_GE(result.killed.size(), 2u) << "both ranks were found below mpiexec";
  // Every killed process is gone or a zombie (dead, waiting for init to reap it) within 5 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const pid_t pid : result.killed) {
    const std::string stat_path = "/proc/" + std::to_string(pid) + "/stat";
    auto alive = [&] {
      const std::string stat = read_whole_file(stat_path);
      const std::size_t paren = stat.rfind(')');
      return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
    };
    while (alive() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(alive()) << "process " << pid << " survived the kill";
  }
}


// ------------------------------------------------------------------------------------------------
// Usage

// A valid input for the usage errors, which must be reported before any input is read.
struct UsageFile {
  TemporaryDirectory directory{"rankme-cli-usage-"};
  std::string file = directory.file("usage.h5");
  UsageFile() { testing::write_matrix(file, "/x", plain_matrix(40, 6, 21), 40, 6, float32); }
};

const UsageFile& usage_file() {
  static const UsageFile fixture;
  return fixture;
}

TEST(Usage, ErrorsExitTwoWithOneMessageOnStderrAndNothingOnStdout) {
  const std::string file = usage_file().file;
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--bogus", file},
      {"--format", "xml", file},
      {"--block-rows", "0", file},
      {"--eps", "-1", file},
  };
  for (const auto& args : cases) {
    const RunResult result = run_rankme(3, args);
    SCOPED_TRACE(result.command);
    EXPECT_EQ(result.exit_code, 2) << result;
    expect_no_crash_hang_or_signal(result);
    EXPECT_EQ(result.out, "") << result;
    // Printed by rank 0 only: one "rankme:" line, not one per rank.
    const std::vector<std::string> messages = lines_starting_with(result.err, "rankme:");
    ASSERT_EQ(messages.size(), 1u) << result;
    EXPECT_TRUE(contains_nocase(messages[0], "usage")) << messages[0];
  }
}

TEST(Usage, NanEpsIsAUsageErrorNotASilentlyWrongNumber) {
  // NaN passes a "not negative" check (every comparison with NaN is false) but is no epsilon.
  const RunResult result = run_rankme(1, {"--format", "jsonl", "--eps", "nan", usage_file().file + ":/x"});
  EXPECT_EQ(result.exit_code, 2) << result;
  EXPECT_EQ(result.out, "") << result;
  const std::vector<std::string> messages = lines_starting_with(result.err, "rankme:");
  ASSERT_EQ(messages.size(), 1u) << result;
  EXPECT_TRUE(contains_nocase(messages[0], "usage")) << messages[0];
}

TEST(Usage, HelpAndVersionExitZeroAndPrintOnce) {
  const RunResult help = run_rankme(3, {"--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  expect_no_crash_hang_or_signal(help);
  for (const char* option : {"--format", "--solver", "--block-rows", "--eps"}) {
    std::size_t count = 0;
    for (const std::string& line : lines_of(help.out)) count += contains(line, std::string(option) + " ") ? 1 : 0;
    EXPECT_EQ(count, 1u) << option << " documented once" << help;
  }
  EXPECT_EQ(lines_starting_with(help.err, "rankme:").size(), 0u) << help;

  const RunResult version = run_rankme(3, {"--version"});
  EXPECT_EQ(version.exit_code, 0) << version;
  expect_no_crash_hang_or_signal(version);
  const std::vector<std::string> lines = lines_of(version.out);
  ASSERT_EQ(lines.size(), 1u) << version;
  const bool has_digit =
      std::any_of(lines[0].begin(), lines[0].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  EXPECT_TRUE(contains(lines[0], "rankme") && has_digit) << lines[0];
}

}  // namespace
}  // namespace rankme
