// --concat end to end through the library, at 1 to 4 ranks: DDP-style shards (emb_rank0.h5 ...
// emb_rank10.h5) written on rank 0, expanded from their directory (natural order), stacked by
// concatenate_targets, read through ConcatenatedRowSource with parallel HDF5, and scored; each RankMe
// compared with that of the LAPACK SVD of the stacked matrix built here. --rows shows the order of the
// parts (the first rows are rank 0's, then rank 1's, ..., not rank 10's); also --sample, --center,
// --method tsqr, --pool, one matrix per directory, and shards that do not match.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rankme/numerics/row_selection.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/target_concatenation.hpp"
#include "rankme/pipeline/target_order.hpp"
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

using ConcatenatedScores = testing::WatchedTest;
using testing::double_options;
using testing::expect_score;
using testing::random_values;

constexpr std::uint64_t cols = 6;

// Shards of 0..shards-1 with rows 3 + 2 * rank (rank 0 has fewer rows than 4 ranks... 3), the largest
// rank numbers written first so that the directory's own listing order is not the natural one. Returns
// the stacked stored values in natural (rank) order, on every rank.
std::vector<double> write_shards(const std::string& directory, int shards, std::uint64_t seed,
                                 const FixtureType& type = float32, const std::vector<std::uint64_t>& middle = {}) {
  std::vector<std::vector<double>> per_shard(static_cast<std::size_t>(shards));
  const std::string error = testing::write_on_root([&] {
    for (int rank = shards - 1; rank >= 0; --rank) {
      std::vector<std::uint64_t> dims = {3 + 2 * static_cast<std::uint64_t>(rank)};
      dims.insert(dims.end(), middle.begin(), middle.end());
      dims.push_back(cols);
      std::size_t count = 1;
      for (const std::uint64_t d : dims) count *= static_cast<std::size_t>(d);
      per_shard[static_cast<std::size_t>(rank)] =
          testing::write_array(directory + "/emb_rank" + std::to_string(rank) + ".h5", "/emb",
                               random_values(count, seed + static_cast<std::uint64_t>(rank)), dims, type);
    }
  });
  EXPECT_EQ(error, "");
  std::vector<double> stacked;
  for (const auto& shard : per_shard) stacked.insert(stacked.end(), shard.begin(), shard.end());
  return testing::values_of_rank_zero(stacked);
}

// The tool's steps: discovery on rank 0, broadcast, then pooling and stacking on every rank, then sorting.
std::vector<DatasetTarget> stacked_targets(const Communicator& comm, const std::vector<std::string>& arguments,
                                           ConcatMode mode, PoolMode pool = PoolMode::none) {
  Discovery discovery = discover_arguments_on_root(comm, arguments);
  pool_targets(discovery, pool);
  concatenate_targets(discovery, mode);
  sort_targets(discovery.targets);
  return discovery.targets;
}

double reference_rankme_of(const std::vector<double>& matrix) { return testing::reference_rankme_of(matrix, cols); }

std::vector<double> rows_of(const std::vector<double>& matrix, const std::vector<std::uint64_t>& rows) {
  return testing::select_rows(matrix, cols, rows);
}

TEST_F(ConcatenatedScores, ShardsOfADirectoryAreOneMatrixInRankOrder) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::vector<double> stacked = write_shards(directory.path(), 12, 100);
  const std::vector<DatasetTarget> targets = stacked_targets(comm, {directory.path()}, ConcatMode::all);
  ASSERT_EQ(targets.size(), 1u);
  const DatasetTarget& target = targets.front();
  ASSERT_TRUE(target.scorable()) << target.error;
  ASSERT_EQ(target.parts.size(), 12u);
  for (std::size_t rank = 0; rank < 12; ++rank) {
    EXPECT_EQ(target.parts[rank].file, directory.file("emb_rank" + std::to_string(rank) + ".h5"));
  }
  EXPECT_EQ(target.file, directory.path());
  EXPECT_EQ(target.dataset, "/emb");
  const std::uint64_t rows = stacked.size() / cols;
  EXPECT_EQ(target.rows, rows);
  // Blocks of 4 rows cross the shards' boundaries; rank 0's shard (3 rows) is smaller than a block.
  for (const std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{4}}) {
    const DatasetResult result = score_dataset(comm, target, double_options(block_rows));
    expect_score(result, reference_rankme_of(stacked), 1e-10, "all rows");
    EXPECT_EQ(result.parts.size(), 12u);
    EXPECT_EQ(result.file, directory.path());
  }
  // The first 20 rows are ranks 0, 1 and 2 (3 + 5 + 7 = 15 rows) and 5 of rank 3: in natural order, not
  // rank 10's, which a byte-wise sort would put third.
  ScoreOptions first = double_options(4);
  first.rows = RowSelection{RowSelection::Kind::first, 20, 0};
  std::vector<std::uint64_t> first_20(20);
  for (std::uint64_t i = 0; i < 20; ++i) first_20[i] = i;
  expect_score(score_dataset(comm, target, first), reference_rankme_of(rows_of(stacked, first_20)), 1e-10, "--rows 20");

  ScoreOptions sampled = double_options(5);
  sampled.rows = RowSelection{RowSelection::Kind::sample, 40, 3};
  expect_score(score_dataset(comm, target, sampled),
               reference_rankme_of(rows_of(stacked, sample_without_replacement(rows, 40, 3))), 1e-10, "--sample 40");

  ScoreOptions centre = double_options(7);
  centre.center = true;
  std::vector<double> centred = stacked;
  for (std::uint64_t k = 0; k < cols; ++k) {
    double sum = 0;
    for (std::uint64_t i = 0; i < rows; ++i) sum += stacked[i * cols + k];
    for (std::uint64_t i = 0; i < rows; ++i) centred[i * cols + k] -= sum / static_cast<double>(rows);
  }
  expect_score(score_dataset(comm, target, centre), reference_rankme_of(centred), 1e-9, "--center");

  ScoreOptions tsqr = double_options(6);
  tsqr.method = SpectrumMethod::tsqr;
  expect_score(score_dataset(comm, target, tsqr), reference_rankme_of(stacked), 1e-12, "--method tsqr");
}

TEST_F(ConcatenatedScores, PooledShardsAreStackedAfterPooling) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::vector<std::uint64_t> middle = {4};
  const std::vector<double> stacked = write_shards(directory.path(), 3, 200, float64, middle);
  // flatten: the stacked tokens are the stored values in order.
  const std::vector<DatasetTarget> flattened = stacked_targets(comm, {directory.path()}, ConcatMode::all, PoolMode::flatten);
  ASSERT_EQ(flattened.size(), 1u);
  ASSERT_TRUE(flattened.front().scorable()) << flattened.front().error;
  expect_score(score_dataset(comm, flattened.front(), double_options(5)), reference_rankme_of(stacked), 1e-10, "flatten");
  // mean: each sample's 4 tokens averaged.
  std::vector<double> means(stacked.size() / 4, 0.0);
  for (std::size_t row = 0; row < means.size() / cols; ++row) {
    for (std::size_t t = 0; t < 4; ++t) {
      for (std::size_t k = 0; k < cols; ++k) means[row * cols + k] += stacked[(row * 4 + t) * cols + k];
    }
    for (std::size_t k = 0; k < cols; ++k) means[row * cols + k] /= 4.0;
  }
  const std::vector<DatasetTarget> averaged = stacked_targets(comm, {directory.path()}, ConcatMode::all, PoolMode::mean);
  ASSERT_EQ(averaged.size(), 1u);
  const DatasetResult result = score_dataset(comm, averaged.front(), double_options(2));
  expect_score(result, reference_rankme_of(means), 1e-10, "mean");
  EXPECT_EQ(result.pool, "mean");
}

TEST_F(ConcatenatedScores, OneMatrixPerDirectory) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string error = testing::write_on_root([&] {
    std::filesystem::create_directories(directory.file("runs/lr0.1"));
    std::filesystem::create_directories(directory.file("runs/lr0.2"));
  });
  ASSERT_EQ(error, "");
  const std::vector<double> first = write_shards(directory.file("runs/lr0.1"), 3, 300);
  const std::vector<double> second = write_shards(directory.file("runs/lr0.2"), 2, 400);
  const std::vector<DatasetTarget> targets = stacked_targets(comm, {directory.file("runs")}, ConcatMode::by_directory);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].file, directory.file("runs/lr0.1"));
  EXPECT_EQ(targets[1].file, directory.file("runs/lr0.2"));
  EXPECT_EQ(targets[0].parts.size(), 3u);
  EXPECT_EQ(targets[1].parts.size(), 2u);
  expect_score(score_dataset(comm, targets[0], double_options(4)), reference_rankme_of(first), 1e-10, "lr0.1");
  expect_score(score_dataset(comm, targets[1], double_options(4)), reference_rankme_of(second), 1e-10, "lr0.2");
  // --concat alone: the whole tree is one matrix, named by the directory that holds every part.
  const std::vector<DatasetTarget> all = stacked_targets(comm, {directory.file("runs")}, ConcatMode::all);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all.front().file, directory.file("runs"));
  EXPECT_EQ(all.front().parts.size(), 5u);
}

TEST_F(ConcatenatedScores, ShardsOfOtherWidthOrTypeAreAnErrorNamingTheFile) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  write_shards(directory.path(), 3, 500);
  const std::string error = testing::write_on_root([&] {
    std::filesystem::create_directories(directory.file("wide"));
    std::filesystem::create_directories(directory.file("double"));
    testing::write_matrix(directory.file("wide/emb_rank0.h5"), "/emb", random_values(4 * 7, 1), 4, 7, float32);
    testing::write_matrix(directory.file("double/emb_rank0.h5"), "/emb", random_values(4 * cols, 2), 4, cols, float64);
  });
  ASSERT_EQ(error, "");
  for (const std::string odd : {"wide/emb_rank0.h5", "double/emb_rank0.h5"}) {
    const std::vector<DatasetTarget> targets =
        stacked_targets(comm, {directory.file("emb_rank0.h5"), directory.file("emb_rank1.h5"), directory.file(odd),
                               directory.file("emb_rank2.h5")},
                        ConcatMode::all);
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_FALSE(targets.front().scorable());
    EXPECT_NE(targets.front().error.find(directory.file(odd)), std::string::npos) << targets.front().error;
    EXPECT_NE(targets.front().error.find("same number of columns and the same dtype"), std::string::npos);
    const DatasetResult result = score_dataset(comm, targets.front(), double_options());
    EXPECT_EQ(result.status, ResultStatus::error);
  }
}

}  // namespace
}  // namespace rankme
