// rankme's main program in process, at 1-3 ranks: every rank returns the same exit code (0 for --version and
// a scored file, 2 for a usage error, 1 for a missing input), and only rank 0 prints.
#include "rankme/app/program.hpp"

#include <gtest/gtest.h>
#include <mpi.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "rankme/app/command_line.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using Program = testing::WatchedTest;

struct Outcome {
  int code = -1;
  std::string out;  // this rank's stdout
};

Outcome run(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "rankme");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  Outcome outcome;
  outcome.code = run_program_in_mpi_session(static_cast<int>(arguments.size()), argv.data());
  outcome.out = ::testing::internal::GetCapturedStdout();
  return outcome;
}

// Rank 0's exit code, on every rank: each rank compares its own with it.
int code_of_rank_zero(int code) {
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return code;
}

TEST_F(Program, VersionExitsZeroAndOnlyRankZeroPrints) {
  const Outcome outcome = run({"--version"});
  EXPECT_EQ(outcome.code, exit_success);
  EXPECT_EQ(code_of_rank_zero(outcome.code), outcome.code);
  if (testing::is_root()) {
    EXPECT_NE(outcome.out.find("rankme"), std::string::npos) << outcome.out;
  } else {
    EXPECT_EQ(outcome.out, "");
  }
}

TEST_F(Program, AUsageErrorIsExitTwoOnEveryRank) {
  const Outcome outcome = run({"--format", "xml", "whatever.h5"});
  EXPECT_EQ(outcome.code, exit_usage);
  EXPECT_EQ(code_of_rank_zero(outcome.code), outcome.code);
  EXPECT_EQ(outcome.out, "");
}

TEST_F(Program, AMissingInputIsExitOneOnEveryRank) {
  const testing::SharedDirectory directory("rankme-program-");
  const Outcome outcome = run({"--format", "jsonl", directory.file("missing.h5")});
  EXPECT_EQ(outcome.code, exit_dataset_failed);
  EXPECT_EQ(code_of_rank_zero(outcome.code), outcome.code);
}

TEST_F(Program, ScoresAFileLikeTheReferenceAndRankZeroReportsIt) {
  const testing::SharedDirectory directory("rankme-program-");
  const std::string file = directory.file("m.h5");
  std::vector<double> stored;
  const std::string error = testing::write_on_root([&] {
    stored = testing::write_matrix(file, "/emb", testing::matrix_with_singular_values(60, 8, {4, 3, 2, 1, 1, 0.5, 0.5, 0.1}, 3),
                                   60, 8, {testing::StoredType::Kind::floating, 8});
  });
  ASSERT_EQ(error, "");
  const Outcome outcome = run({"--format", "jsonl", "--precision", "double", file});
  EXPECT_EQ(outcome.code, exit_success);
  EXPECT_EQ(code_of_rank_zero(outcome.code), outcome.code);
  if (!testing::is_root()) {
    EXPECT_EQ(outcome.out, "");
    return;
  }
  std::istringstream lines(outcome.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line)) << outcome.out;
  const nlohmann::json row = nlohmann::json::parse(line);
  EXPECT_EQ(row.at("dataset"), "/emb");
  EXPECT_EQ(row.at("status"), "ok");
  const double expected = testing::reference_rankme(testing::reference_singular_values(stored, 60, 8));
  EXPECT_LE(testing::relative_difference(row.at("rankme").get<double>(), expected), 1e-9) << line;
  EXPECT_FALSE(std::getline(lines, line)) << "one line for one dataset";
}

}  // namespace
}  // namespace rankme
