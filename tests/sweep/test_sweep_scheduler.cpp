#include "rankme/sweep/sweep_scheduler.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <map>

#include "rankme/os/stop_request.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/sweep/group_plan.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using testing::SharedDirectory;
using testing::write_on_root;
using SweepScheduler = testing::WatchedTest;

const testing::StoredType float32{testing::StoredType::Kind::floating, 4, false};

// A sweep of datasets of different sizes (so the largest-first handout matters), one NaN run, and one
// input that fails before reading. Returns the targets (same on all ranks) and, on rank 0, the float64
// reference score of each scorable dataset.
struct Sweep {
  std::vector<DatasetTarget> targets;
  std::map<std::string, double> reference;  // dataset path -> RankMe of its stored values (rank 0)
};

Sweep make_sweep(const Communicator& world, const SharedDirectory& directory) {
  Sweep sweep;
  const std::string file = directory.file("sweep.h5");
  EXPECT_EQ(write_on_root([&] {
              for (int run = 0; run < 9; ++run) {
                const std::uint64_t rows = 40 + 37 * static_cast<std::uint64_t>(run), cols = 6 + 3 * static_cast<std::uint64_t>(run % 4);
                std::vector<double> spectrum(cols);
                for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(0.8, static_cast<double>(k + run));
                const std::string path = "/runs/lr=" + std::to_string(run) + "/emb";
                const auto stored = testing::write_matrix(
                    file, path, testing::matrix_with_singular_values(rows, cols, spectrum, 100 + static_cast<std::uint64_t>(run)),
                    rows, cols, float32);
                sweep.reference[path] = testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
              }
              std::vector<double> diverged(50 * 4, 1.0);
              diverged[123] = std::nan("");
              testing::write_matrix(file, "/runs/diverged/emb", diverged, 50, 4, float32);
            }),
            "");
  sweep.targets = discover_targets_on_root(world, {InputSpec{file, std::nullopt}, InputSpec{directory.file("missing.h5"), std::nullopt}}).targets;
  return sweep;
}

struct Collected {
  std::vector<DatasetResult> results;  // rank 0
  SweepOutcome outcome;
};

Collected sweep_with(const Communicator& world, const std::vector<DatasetTarget>& targets, int group_size) {
  Collected collected;
  // Double block products: the groupings must agree to 1e-12, which float32 products (rounded per block
  // and so per split) do not; --precision auto has its own tests (test_precision_modes).
  ScoreOptions options;
  options.precision = Precision::double_precision;
  collected.outcome = run_sweep(world, targets, options, group_size,
                                [&](const DatasetResult& result) { collected.results.push_back(result); }, nullptr);
  return collected;
}

// The outcome must be the same on every rank (they all return the same exit code from it).
void expect_same_outcome_everywhere(const SweepOutcome& outcome) {
  int mine[3] = {outcome.group_size, outcome.any_error ? 1 : 0, outcome.interrupted ? 1 : 0}, low[3], high[3];
  MPI_Allreduce(mine, low, 3, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(mine, high, 3, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(low[i], high[i]) << "outcome field " << i << " differs between ranks";
}

TEST_F(SweepScheduler, EveryDatasetOnceWithItsReferenceScoreForEveryGroupSize) {
  const Communicator world = Communicator::world();
  const SharedDirectory directory;
  const Sweep sweep = make_sweep(world, directory);
  ASSERT_EQ(sweep.targets.size(), 11u);  // 9 runs, the diverged one, the missing file
  std::map<std::string, double> first_scores;
  for (int group_size = 1; group_size <= world.size(); ++group_size) {
    const Collected collected = sweep_with(world, sweep.targets, group_size);
    expect_same_outcome_everywhere(collected.outcome);
    EXPECT_EQ(collected.outcome.group_size, group_size);
    EXPECT_TRUE(collected.outcome.any_error);  // the missing file
    EXPECT_FALSE(collected.outcome.interrupted);
    if (!world.is_root()) {
      EXPECT_TRUE(collected.results.empty()) << "only rank 0 receives results";
      continue;
    }
    std::map<std::string, int> seen;
    for (const DatasetResult& result : collected.results) {
      const std::string key = result.file + ":" + result.dataset;
      ++seen[key];
      if (result.dataset == "/runs/diverged/emb") {
        EXPECT_EQ(result.status, ResultStatus::nonfinite);
      } else if (result.file.find("missing.h5") != std::string::npos) {
        EXPECT_EQ(result.status, ResultStatus::error);
      } else {
        ASSERT_EQ(result.status, ResultStatus::ok) << key << ": " << result.error;
        // Full groups, and a smaller last one when the group size does not divide the rank count.
        const int last_group = world.size() % group_size;
        EXPECT_TRUE(result.ranks == group_size || result.ranks == last_group) << key << ": " << result.ranks;
        const double expected = sweep.reference.at(result.dataset);
        EXPECT_LE(testing::relative_difference(*result.rankme, expected), 1e-9) << key;
        // Whatever the grouping, the same number (the rank count only changes summation order).
        const auto [entry, inserted] = first_scores.emplace(key, *result.rankme);
        EXPECT_LE(testing::relative_difference(*result.rankme, entry->second), 1e-12) << key << " group " << group_size;
      }
    }
    EXPECT_EQ(seen.size(), 11u);
    for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key << " reported " << count << " times";
  }
}

TEST_F(SweepScheduler, AStopOnRankZeroBeforeTheStartHandsOutNothing) {
  const Communicator world = Communicator::world();
  const SharedDirectory directory;
  const Sweep sweep = make_sweep(world, directory);
  set_stop_requested(world.is_root());
  const Collected collected = sweep_with(world, sweep.targets, 1);
  set_stop_requested(false);
  expect_same_outcome_everywhere(collected.outcome);
  EXPECT_TRUE(collected.outcome.interrupted);
  if (world.is_root()) {
    ASSERT_EQ(collected.results.size(), 1u);  // only the missing file, failed before any work
    EXPECT_EQ(collected.results.front().status, ResultStatus::error);
  }
}

TEST_F(SweepScheduler, AStopOnTheLastRankAbandonsItsDatasetAndEndsTheSweep) {
  // SLURM signals every task, but not at the same instant: a stop seen by one rank alone must still
  // end the whole sweep, with nothing half-done reported as a result.
  const Communicator world = Communicator::world();
  const SharedDirectory directory;
  const Sweep sweep = make_sweep(world, directory);
  set_stop_requested(world.rank() == world.size() - 1);
  const Collected collected = sweep_with(world, sweep.targets, 1);
  set_stop_requested(false);
  expect_same_outcome_everywhere(collected.outcome);
  EXPECT_TRUE(collected.outcome.interrupted);
  if (world.is_root()) {
    EXPECT_LT(collected.results.size(), sweep.targets.size());
    for (const DatasetResult& result : collected.results) EXPECT_NE(result.status, ResultStatus::interrupted);
  }
}

}  // namespace
}  // namespace rankme
