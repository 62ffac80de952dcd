// --pool end to end through the library, at 1 to 4 ranks: arrays of 3 and 4 axes written by the fixture
// library on rank 0, found by discovery, made matrices by pool_targets, read with parallel HDF5 through
// PooledRowSource, and scored; each RankMe compared with that of the LAPACK SVD (dgesdd) of the pooled
// matrix built here from the values as stored. Also with --rows, --sample, --center, --method tsqr and
// blocks that end inside a sample.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rankme/numerics/row_selection.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/score_plan.hpp"
#include "rankme/pipeline/target_pooling.hpp"
#include "reference_scores.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
const FixtureType float32{FixtureType::Kind::floating, 4, false};
const FixtureType float64{FixtureType::Kind::floating, 8, false};
const FixtureType int16be{FixtureType::Kind::signed_int, 2, true};

using PooledScores = testing::WatchedTest;
using testing::double_options;
using testing::expect_score;
using testing::random_values;
using testing::reference_rankme_of;
using testing::select_rows;

// An array of `dims` written on rank 0; its values as stored, on every rank.
std::vector<double> write_shared(const std::string& file, const std::string& dataset, const std::vector<std::uint64_t>& dims,
                                 const FixtureType& type, std::uint64_t seed, const std::vector<std::uint64_t>& chunk = {},
                                 double scale = 1.0) {
  std::size_t count = 1;
  for (const std::uint64_t d : dims) count *= static_cast<std::size_t>(d);
  std::vector<double> stored;
  const std::string error = testing::write_on_root(
      [&] { stored = testing::write_array(file, dataset, random_values(count, seed, scale), dims, type, chunk, !chunk.empty()); });
  EXPECT_EQ(error, "");
  return testing::values_of_rank_zero(stored);
}

// The pooled matrix, built independently of the product: d0 x K for mean/first/last, (d0*M) x K for
// flatten, M the product of the middle axes.
std::vector<double> pooled_reference_matrix(const std::vector<double>& stored, const std::vector<std::uint64_t>& dims,
                                            PoolMode mode) {
  const std::uint64_t samples = dims.front(), cols = dims.back();
  std::uint64_t middle = 1;
  for (std::size_t axis = 1; axis + 1 < dims.size(); ++axis) middle *= dims[axis];
  if (mode == PoolMode::flatten) return stored;  // C order already is (sample, middle...) rows of K
  std::vector<double> pooled(samples * cols, 0.0);
  for (std::uint64_t i = 0; i < samples; ++i) {
    for (std::uint64_t m = 0; m < middle; ++m) {
      const bool wanted = mode == PoolMode::mean || (mode == PoolMode::first && m == 0) ||
                          (mode == PoolMode::last && m == middle - 1);
      if (!wanted) continue;
      for (std::uint64_t k = 0; k < cols; ++k) pooled[i * cols + k] += stored[(i * middle + m) * cols + k];
    }
    if (mode == PoolMode::mean) {
      for (std::uint64_t k = 0; k < cols; ++k) pooled[i * cols + k] /= static_cast<double>(middle);
    }
  }
  return pooled;
}

std::vector<double> centred(std::vector<double> matrix, std::uint64_t cols) {
  const std::uint64_t rows = matrix.size() / cols;
  for (std::uint64_t k = 0; k < cols; ++k) {
    double sum = 0;
    for (std::uint64_t i = 0; i < rows; ++i) sum += matrix[i * cols + k];
    for (std::uint64_t i = 0; i < rows; ++i) matrix[i * cols + k] -= sum / static_cast<double>(rows);
  }
  return matrix;
}

// The target discovery lists for `file`:`dataset`, pooled with `mode`, as on every rank of the tool.
DatasetTarget pooled_target(const Communicator& comm, const std::string& file, const std::string& dataset, PoolMode mode) {
  Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, dataset}});
  pool_targets(discovery, mode);
  EXPECT_EQ(discovery.targets.size(), 1u);
  return discovery.targets.empty() ? DatasetTarget{} : discovery.targets.front();
}

// Each mode of a 3-D array, stored contiguous (float32) and chunked and deflated (int16 big-endian).
void expect_mode_matches_lapack(PoolMode mode) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file = directory.file("tokens.h5");
  const std::vector<std::uint64_t> dims = {37, 5, 6};
  const std::vector<double> stored = write_shared(file, "/tokens", dims, float32, 11);
  // Chunked and deflated across samples: hyperslabs of whole samples cut through chunks.
  const std::vector<double> stored_be = write_shared(file, "/chunked", dims, int16be, 12, {4, 2, 6}, 40.0);
  for (const auto& [dataset, values] : {std::make_pair(std::string("/tokens"), stored), std::make_pair(std::string("/chunked"), stored_be)}) {
    const std::string what = std::string(pool_mode_name(mode)) + " " + dataset;
    const DatasetTarget target = pooled_target(comm, file, dataset, mode);
    ASSERT_TRUE(target.scorable()) << target.error;
    EXPECT_EQ(target.pool, mode);
    EXPECT_EQ(target.shape, dims);
    EXPECT_EQ(target.cols, 6u);
    EXPECT_EQ(target.rows, mode == PoolMode::flatten ? 37u * 5u : 37u);
    const double expected = reference_rankme_of(pooled_reference_matrix(values, dims, mode), 6);
    // Blocks of 4 rows: flattened blocks end inside a sample (5 tokens), pooled ones are 4 samples.
    for (const std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{4}}) {
      const DatasetResult result = score_dataset(comm, target, double_options(block_rows));
      expect_score(result, expected, 1e-10, what + " block_rows " + std::to_string(block_rows));
      EXPECT_EQ(result.pool, pool_mode_name(mode));
      EXPECT_EQ(result.rows, target.rows);
    }
  }
}

TEST_F(PooledScores, MeanOfA3DArrayMatchesLapack) { expect_mode_matches_lapack(PoolMode::mean); }
TEST_F(PooledScores, FirstOfA3DArrayMatchesLapack) { expect_mode_matches_lapack(PoolMode::first); }
TEST_F(PooledScores, LastOfA3DArrayMatchesLapack) { expect_mode_matches_lapack(PoolMode::last); }
TEST_F(PooledScores, FlattenOfA3DArrayMatchesLapack) { expect_mode_matches_lapack(PoolMode::flatten); }

TEST_F(PooledScores, MeanOfA4DArrayAveragesEveryMiddleAxis) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file = directory.file("views.h5");
  const std::vector<std::uint64_t> dims = {23, 3, 4, 5};  // samples x views x tokens x features
  const std::vector<double> stored = write_shared(file, "/z", dims, float64, 21);
  for (const PoolMode mode : {PoolMode::mean, PoolMode::last, PoolMode::flatten}) {
    const DatasetTarget target = pooled_target(comm, file, "/z", mode);
    ASSERT_TRUE(target.scorable()) << target.error;
    EXPECT_EQ(target.rows, mode == PoolMode::flatten ? 23u * 12u : 23u);
    const double expected = reference_rankme_of(pooled_reference_matrix(stored, dims, mode), 5);
    expect_score(score_dataset(comm, target, double_options(5)), expected, 1e-10, pool_mode_name(mode));
  }
}

void expect_selections_apply_to_pooled_matrix(PoolMode mode) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file = directory.file("tokens.h5");
  const std::vector<std::uint64_t> dims = {41, 4, 7};
  const std::vector<double> stored = write_shared(file, "/tokens", dims, float32, 31);
  {
    const DatasetTarget target = pooled_target(comm, file, "/tokens", mode);
    ASSERT_TRUE(target.scorable()) << target.error;
    const std::vector<double> pooled = pooled_reference_matrix(stored, dims, mode);
    const std::string name = pool_mode_name(mode);

    ScoreOptions first_rows = double_options(3);
    first_rows.rows = RowSelection{RowSelection::Kind::first, 30, 0};
    std::vector<std::uint64_t> first_30(30);
    for (std::uint64_t i = 0; i < 30; ++i) first_30[i] = i;
    expect_score(score_dataset(comm, target, first_rows), reference_rankme_of(select_rows(pooled, 7, first_30), 7), 1e-10,
                 name + " --rows 30");

    ScoreOptions sampled = double_options(3);
    sampled.rows = RowSelection{RowSelection::Kind::sample, 25, 7};
    const std::vector<std::uint64_t> sample = sample_without_replacement(target.rows, 25, 7);
    const DatasetResult sampled_result = score_dataset(comm, target, sampled);
    expect_score(sampled_result, reference_rankme_of(select_rows(pooled, 7, sample), 7), 1e-10, name + " --sample 25");
    EXPECT_EQ(sampled_result.rows_used, 25u);

    ScoreOptions centre = double_options();
    centre.center = true;
    expect_score(score_dataset(comm, target, centre), reference_rankme_of(centred(pooled, 7), 7), 1e-9, name + " --center");

    ScoreOptions tsqr = double_options(6);
    tsqr.method = SpectrumMethod::tsqr;
    expect_score(score_dataset(comm, target, tsqr), reference_rankme_of(pooled, 7), 1e-12, name + " --method tsqr");
  }
}

TEST_F(PooledScores, RowsSampleCenterAndTsqrWithMean) { expect_selections_apply_to_pooled_matrix(PoolMode::mean); }
TEST_F(PooledScores, RowsSampleCenterAndTsqrWithFirst) { expect_selections_apply_to_pooled_matrix(PoolMode::first); }
TEST_F(PooledScores, RowsSampleCenterAndTsqrWithFlatten) { expect_selections_apply_to_pooled_matrix(PoolMode::flatten); }

TEST_F(PooledScores, NonFiniteValuesPropagateIntoTheMean) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file = directory.file("nan.h5");
  std::vector<double> values = random_values(9 * 3 * 4, 41);
  values[(5 * 3 + 2) * 4 + 1] = std::numeric_limits<double>::quiet_NaN();  // sample 5, last token
  const std::string error = testing::write_on_root([&] { testing::write_array(file, "/z", values, {9, 3, 4}, float64); });
  ASSERT_EQ(error, "");
  EXPECT_EQ(score_dataset(comm, pooled_target(comm, file, "/z", PoolMode::mean), double_options()).status,
            ResultStatus::nonfinite);
  EXPECT_EQ(score_dataset(comm, pooled_target(comm, file, "/z", PoolMode::last), double_options()).status,
            ResultStatus::nonfinite);
  // The first token of every sample is finite: its matrix scores.
  EXPECT_EQ(score_dataset(comm, pooled_target(comm, file, "/z", PoolMode::first), double_options()).status, ResultStatus::ok);
}

TEST_F(PooledScores, TheWholeSamplesToPoolCountAgainstMaxMemory) {
  const Communicator comm = Communicator::world();
  // 1,000 samples of 2^16 tokens of 64 float32 features: 16 MiB per sample, 64 features scored.
  DatasetTarget target;
  target.file = "tokens.h5";
  target.dataset = "/tokens";
  target.shape = {1000, 1u << 16, 64};
  target.type = StoredType{StoredType::Kind::floating, 4, false};
  target.dtype = "float32";
  target.pool = PoolMode::mean;
  target.rows = 1000;
  target.cols = 64;
  ScoreOptions options = double_options();
  options.max_memory = std::uint64_t{512} << 20;
  const std::uint64_t block_rows = block_rows_of(target, options, false);
  EXPECT_LE(block_rows, 64u);  // a pooled block holds few whole samples
  const auto shortfall = memory_shortfall(comm, target, options, false, block_rows);
  ASSERT_TRUE(shortfall.has_value());
  EXPECT_NE(shortfall->find("whole samples to pool (--pool)"), std::string::npos) << *shortfall;
  // Unpooled, the same 1,000 x 64 matrix fits easily.
  DatasetTarget matrix = target;
  matrix.pool = PoolMode::none;
  matrix.shape = {1000, 64};
  EXPECT_FALSE(memory_shortfall(comm, matrix, options, false, block_rows_of(matrix, options, false)).has_value());
  // flatten reads runs of rows as whole samples: a block of flattened rows needs 2 samples at most.
  target.pool = PoolMode::flatten;
  target.rows = 1000u << 16;
  options.max_memory = std::uint64_t{1} << 30;
  EXPECT_FALSE(memory_shortfall(comm, target, options, false, block_rows_of(target, options, false)).has_value());
}

TEST_F(PooledScores, AnArrayNotYetPooledIsNotScored) {
  const Communicator comm = Communicator::world();
  DatasetTarget target;
  target.file = "tokens.h5";
  target.dataset = "/tokens";
  target.shape = {10, 3, 4};
  EXPECT_FALSE(target.scorable());
  const DatasetResult result = score_dataset(comm, target, double_options());
  EXPECT_EQ(result.status, ResultStatus::error);
  EXPECT_NE(result.error.find("--pool"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace rankme
