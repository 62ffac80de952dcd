// --rows and --sample end to end: the scored rows are the first N, or the documented sample, whatever the
// number of ranks; against an independent float64 SVD of exactly those rows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "rankme/numerics/row_selection.hpp"
#include "support/child_process.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;

struct ScoredRun {
  std::vector<json> rows;
  std::string err;
};

ScoredRun run_rankme(int ranks, const std::vector<std::string>& args) {
  const testing::RunResult result =
      testing::run_command(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args), 60);
  EXPECT_EQ(result.exit_code, 0) << result;
  ScoredRun run{{}, result.err};
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) run.rows.push_back(json::parse(line));
  return run;
}

// RankMe of the given rows of a row-major matrix, by dgesdd.
double reference_on_rows(const std::vector<double>& values, std::uint64_t cols, const std::vector<std::uint64_t>& rows) {
  std::vector<double> picked;
  for (std::uint64_t row : rows) picked.insert(picked.end(), values.begin() + static_cast<std::ptrdiff_t>(row * cols),
                                               values.begin() + static_cast<std::ptrdiff_t>((row + 1) * cols));
  return testing::reference_rankme(testing::reference_singular_values(picked, rows.size(), cols));
}

class RowSelectionCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<double> spectrum(cols);
    for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = 1.0 / static_cast<double>(k + 1);
    stored = testing::write_matrix(file, "/emb", testing::matrix_with_singular_values(rows, cols, spectrum, 8), rows, cols,
                                   testing::StoredType{testing::StoredType::Kind::floating, 8, false},
                                   testing::Layout{testing::Layout::Kind::chunked, 16, cols});
  }
  testing::TemporaryDirectory directory{"rankme-rows-"};
  const std::string file = directory.file("emb.h5");
  const std::uint64_t rows = 300, cols = 24;
  std::vector<double> stored;
};

TEST_F(RowSelectionCli, FirstRowsAtOneTwoAndThreeRanks) {
  std::vector<std::uint64_t> first(40);
  for (std::uint64_t i = 0; i < first.size(); ++i) first[i] = i;
  const double expected = reference_on_rows(stored, cols, first);
  for (int ranks : {1, 2, 3}) {
    const ScoredRun run = run_rankme(ranks, {"--format", "jsonl", "--quiet", "--rows", "40", file + ":/emb"});
    ASSERT_EQ(run.rows.size(), 1u);
    EXPECT_EQ(run.rows[0].at("rows_used"), 40);
    EXPECT_EQ(run.rows[0].at("rows"), 300);
    EXPECT_LE(testing::relative_difference(run.rows[0].at("rankme").get<double>(), expected), 1e-10) << ranks << " ranks";
  }
}

TEST_F(RowSelectionCli, TheSampleIsTheSameRowsWhateverTheRanksAndBlockSize) {
  // 37 rows scattered through chunks of 16: runs of consecutive rows and single rows, across shards.
  const double expected = reference_on_rows(stored, cols, sample_without_replacement(rows, 37, 5));
  for (int ranks : {1, 2, 3, 4}) {
    for (const char* block_rows : {"1", "5", "1000"}) {
      const ScoredRun run = run_rankme(ranks, {"--format", "jsonl", "--quiet", "--sample", "37", "--seed", "5", "--block-rows",
                                         block_rows, file + ":/emb"});
      ASSERT_EQ(run.rows.size(), 1u);
      EXPECT_EQ(run.rows[0].at("rows_used"), 37);
      EXPECT_LE(testing::relative_difference(run.rows[0].at("rankme").get<double>(), expected), 1e-10)
          << ranks << " ranks, blocks of " << block_rows;
    }
  }
}

TEST_F(RowSelectionCli, WarnsWhenRowsAreFewerThanColumnsOrDifferAcrossTheSweep) {
  testing::write_matrix(file, "/small", std::vector<double>(10 * cols, 1.0), 10, cols,
                        testing::StoredType{testing::StoredType::Kind::floating, 4, false});
  const ScoredRun run = run_rankme(2, {"--format", "jsonl", "--quiet", file});
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_NE(run.err.find("scored on 10 rows for 24 columns"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2 different numbers of rows (10 to 300)"), std::string::npos) << run.err;
  const ScoredRun fixed = run_rankme(2, {"--format", "jsonl", "--quiet", "--rows", "10", file});
  EXPECT_EQ(fixed.err.find("different numbers of rows"), std::string::npos) << fixed.err;
}

}  // namespace
}  // namespace rankme
