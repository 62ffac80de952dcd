// SIGTERM (SLURM's time limit and preemption) and SIGINT end a sweep cleanly: no new dataset is started,
// the current one is abandoned at its next block, every finished result is reported, and every rank exits
// with exit_interrupted (4), whichever ranks got the signal.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <sstream>
#include <thread>

#include "rankme/app/command_line.hpp"
#include "support/child_process.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::ChildProcess;
using testing::RunResult;

constexpr int sweep_datasets = 24;

// A sweep slow enough to interrupt: tiny blocks make every dataset hundreds of block reads.
class StopSignal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new testing::TemporaryDirectory("rankme-stop-");
    const testing::StoredType float32{testing::StoredType::Kind::floating, 4, false};
    for (int run = 0; run < sweep_datasets; ++run) {
      testing::write_matrix(directory_->file("sweep.h5"), "/runs/run " + std::to_string(run) + "/emb",
                            testing::matrix_with_singular_values(3000, 16, std::vector<double>(16, 1.0), 7 + run), 3000, 16,
                            float32);
    }
  }
  static void TearDownTestSuite() { delete directory_; }

  static std::vector<std::string> command(int ranks) {
    return testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY,
                                    {"--format", "jsonl", "--quiet", "--block-rows", "2", "--group-size", "1",
                                     directory_->file("sweep.h5")});
  }

  // Waits until the run has reported `lines` results (or 30 s passed).
  static void wait_for_results(const ChildProcess& child, int lines) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string out = child.stdout_so_far();
      if (std::count(out.begin(), out.end(), '\n') >= lines) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  static void expect_clean_interruption(const RunResult& result) {
    EXPECT_FALSE(result.hung) << result;
    EXPECT_EQ(result.exit_code, exit_interrupted) << result;
    EXPECT_NE(result.err.find("--resume"), std::string::npos) << result;
    std::istringstream lines(result.out);
    int reported = 0;
    for (std::string line; std::getline(lines, line);) {
      const auto row = nlohmann::json::parse(line);
      EXPECT_EQ(row.at("status"), "ok") << "an abandoned dataset must not be reported: " << line;
      ++reported;
    }
    EXPECT_GE(reported, 1);
    EXPECT_LT(reported, sweep_datasets) << "the sweep ended before the signal: make it slower";
  }

  static testing::TemporaryDirectory* directory_;
};
testing::TemporaryDirectory* StopSignal::directory_ = nullptr;

TEST_F(StopSignal, SigtermToEveryRankAsSlurmSendsIt) {
  ChildProcess child(command(3));
  wait_for_results(child, 2);
  EXPECT_EQ(child.signal_descendants_named("rankme", SIGTERM), 3);
  expect_clean_interruption(child.wait(60));
}

TEST_F(StopSignal, SigtermToOneRankStillEndsAllOfThem) {
  ChildProcess child(command(3));
  wait_for_results(child, 2);
  // The rank that got the signal is whichever the kernel listed first: rank 0 or not, the same ending.
  const std::vector<pid_t> ranks = [&] {
    std::vector<pid_t> found;
    for (pid_t pid : testing::descendants_of(child.pid())) {
      if (testing::read_whole_file("/proc/" + std::to_string(pid) + "/comm") == "rankme\n") found.push_back(pid);
    }
    return found;
  }();
  ASSERT_EQ(ranks.size(), 3u);
  kill(ranks.back(), SIGTERM);
  expect_clean_interruption(child.wait(60));
}

TEST_F(StopSignal, SigintToASingleProcessRun) {
  ChildProcess child({RANKME_BINARY, "--format", "jsonl", "--quiet", "--block-rows", "2", directory_->file("sweep.h5")});
  wait_for_results(child, 2);
  kill(child.pid(), SIGINT);
  expect_clean_interruption(child.wait(60));
}

}  // namespace
}  // namespace rankme
