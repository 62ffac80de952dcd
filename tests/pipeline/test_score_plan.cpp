// The plan of one dataset's scoring (score_plan.hpp) and what runs on it: the plan resolves the precision
// and the rows per block, refuses what does not fit in --max-memory on every rank, opens the input and
// selects its rows; the block pass (block_pass.hpp) and both routes (spectrum_route.hpp) read only through
// the plan's RowSource, so a plan over the same values in memory gives the same spectrum bit for bit.
#include "rankme/pipeline/score_plan.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rankme/io/memory_row_source.hpp"
#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/pipeline/block_pass.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/input_spec.hpp"
#include "rankme/pipeline/lidar_pass.hpp"
#include "rankme/pipeline/spectrum_route.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using ScorePlanning = testing::WatchedTest;

constexpr std::uint64_t rows = 203, cols = 12;
const StoredType float32_le{StoredType::Kind::floating, 4, false};

std::vector<double> gaussian(std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(generator);
  return values;
}

// Little-endian float32 bytes of values that are float32 already.
std::vector<unsigned char> float32_bytes(const std::vector<double>& values) {
  std::vector<unsigned char> bytes;
  for (const double value : values) {
    const float narrow = static_cast<float>(value);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &narrow, sizeof bits);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<unsigned char>(bits >> (8 * i)));
  }
  return bytes;
}

// A float32 dataset written on rank 0 and found as the tool finds it; `stored` gets its values.
DatasetTarget stored_target(const Communicator& comm, const std::string& file, std::vector<double>& stored,
                            const std::vector<double>& values) {
  const FixtureType float32{FixtureType::Kind::floating, 4, false};
  EXPECT_EQ(testing::write_on_root([&] { stored = testing::write_matrix(file, "/z", values, rows, cols, float32); }), "");
  stored = testing::values_of_rank_zero(stored);
  const Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, "/z"}});
  EXPECT_EQ(discovery.targets.size(), 1u);
  return discovery.targets.empty() ? DatasetTarget{} : discovery.targets.front();
}

// The same plan as `plan`, reading `values` from memory instead.
ScorePlan in_memory(const ScorePlan& plan, const std::vector<double>& values) {
  auto source = std::make_unique<MemoryRowSource>(float32_le, rows, cols, float32_bytes(values));
  const FileFingerprint opened = source->fingerprint();
  return ScorePlan{plan.comm,     plan.options,      std::move(source), opened, "memory", "/z", plan.selected,
                   plan.precision, plan.double_block_rows, plan.float_block_rows, plan.tsqr_block_rows, plan.timings,
                   plan.tsqr_threads, plan.tsqr_fits};
}

std::uint64_t bits_of(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

void expect_same_spectrum(const RouteSpectrum& from_file, const RouteSpectrum& from_memory) {
  EXPECT_EQ(from_file.read, ReadOutcome::complete);
  EXPECT_EQ(from_memory.read, ReadOutcome::complete);
  EXPECT_EQ(from_file.solver, from_memory.solver);
  EXPECT_EQ(from_file.mixed, from_memory.mixed);
  EXPECT_EQ(from_file.scale_exponent, from_memory.scale_exponent);
  ASSERT_EQ(from_file.singular_values.size(), from_memory.singular_values.size());
  ASSERT_FALSE(from_file.singular_values.empty());
  for (std::size_t k = 0; k < from_file.singular_values.size(); ++k) {
    EXPECT_EQ(bits_of(from_file.singular_values[k]), bits_of(from_memory.singular_values[k])) << "s_" << k;
  }
}

TEST_F(ScorePlanning, ResolvesPrecisionAndBlockRowsAndSelectsRows) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  std::vector<double> stored;
  const DatasetTarget target = stored_target(comm, directory.file("plan.h5"), stored, gaussian(1));
  PhaseTimings timings;
  ScoreOptions options;
  options.precision = Precision::mixed;
  options.rows = RowSelection{RowSelection::Kind::first, 50, 0};
  {
    const ScorePlan plan = plan_scoring(comm, target, options, timings);
    EXPECT_EQ(plan.precision, Precision::mixed);
    EXPECT_FALSE(plan.tsqr());
    EXPECT_EQ(plan.selected.size(), 50u);
    EXPECT_EQ(plan.source->rows(), rows);
    EXPECT_EQ(plan.source->cols(), cols);
    EXPECT_TRUE(plan.source->stored_type() == float32_le);
    EXPECT_EQ(plan.double_block_rows, default_block_rows(cols, 0, 4, sizeof(double)));
    EXPECT_EQ(plan.float_block_rows, default_block_rows(cols, 0, 4, sizeof(float)));
    EXPECT_EQ(plan.block_rows(BlockValues::float_values), plan.float_block_rows);
    EXPECT_FALSE(plan.opened.change_to(FileFingerprint::of(target.file)).has_value());
  }
  // Centring and TSQR are double methods, whatever --precision says.
  options.center = true;
  EXPECT_EQ(plan_scoring(comm, target, options, timings).precision, Precision::double_precision);
  options.center = false;
  options.method = SpectrumMethod::tsqr;
  EXPECT_EQ(plan_scoring(comm, target, options, timings).precision, Precision::double_precision);
  options.block_rows = 17;
  const ScorePlan tsqr_plan = plan_scoring(comm, target, options, timings);
  EXPECT_TRUE(tsqr_plan.tsqr());
  EXPECT_EQ(tsqr_plan.block_rows(BlockValues::double_values), 17u);
  EXPECT_EQ(tsqr_plan.block_rows(BlockValues::float_values), 17u);
}

TEST_F(ScorePlanning, RefusesOnEveryRankWhatDoesNotFitInMaxMemory) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  std::vector<double> stored;
  const DatasetTarget target = stored_target(comm, directory.file("memory.h5"), stored, gaussian(2));
  PhaseTimings timings;
  ScoreOptions options;
  options.max_memory = 1024;
  try {
    plan_scoring(comm, target, options, timings);
    ADD_FAILURE() << "not refused";
  } catch (const CollectiveError& error) {
    EXPECT_NE(std::string(error.what()).find("--max-memory"), std::string::npos) << error.what();
  }
}

TEST_F(ScorePlanning, TsqrKeepsAFactorPerBlasThreadOrAsManyAsFitInMaxMemory) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  std::vector<double> stored;
  const DatasetTarget target = stored_target(comm, directory.file("threads.h5"), stored, gaussian(4));
  PhaseTimings timings;
  ScoreOptions options;
  options.method = SpectrumMethod::tsqr;
  const std::uint64_t block_rows = block_rows_of(target, options, false);
  // The least --max-memory that one thread's factor fits in; each more thread needs K^2 doubles more and
  // its K x 128 product (memory_budget.hpp).
  std::uint64_t low = 1, high = std::uint64_t{1} << 40;
  while (low < high) {
    const std::uint64_t middle = low + (high - low) / 2;
    options.max_memory = middle;
    if (memory_shortfall(comm, target, options, false, block_rows, 1)) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  const std::uint64_t per_thread = (cols * cols + cols * 128) * sizeof(double);
  const int previous = current_blas_threads();
  apply_blas_threads(3);
  struct Restore {
    int threads;
    ~Restore() { apply_blas_threads(threads); }
  } restore{previous};
  for (const auto& [limit, threads] : {std::pair<std::uint64_t, int>{0, 3}, {low, 1}, {low + per_thread - 1, 1},
                                       {low + per_thread, 2}, {low + 2 * per_thread, 3}, {low + 9 * per_thread, 3}}) {
    options.max_memory = limit;
    EXPECT_EQ(plan_scoring(comm, target, options, timings).tsqr_threads, threads) << "--max-memory " << limit;
  }
  options.max_memory = low - 1;
  EXPECT_THROW(plan_scoring(comm, target, options, timings), CollectiveError);
  // --method auto plans the same TSQR pass for a fallback, but a TSQR pass that does not fit only takes the
  // fallback away: the Gram route, which needs less, is not refused for it.
  options.method = SpectrumMethod::automatic;
  options.max_memory = 0;
  const ScorePlan automatic = plan_scoring(comm, target, options, timings);
  EXPECT_TRUE(automatic.tsqr_fits);
  EXPECT_EQ(automatic.tsqr_threads, 3);
  EXPECT_EQ(automatic.tsqr_block_rows, tsqr_block_rows(target, options, 3));
  EXPECT_EQ(automatic.double_block_rows, block_rows);
  options.max_memory = low + per_thread;
  EXPECT_EQ(plan_scoring(comm, target, options, timings).tsqr_threads, 2);
  options.max_memory = low - 1;
  ASSERT_FALSE(memory_shortfall(comm, target, options, false, block_rows).has_value()) << "the Gram route fits";
  ScorePlan without = plan_scoring(comm, target, options, timings);
  EXPECT_FALSE(without.tsqr_fits);
  options.method = SpectrumMethod::gram;
  options.max_memory = 0;
  EXPECT_EQ(plan_scoring(comm, target, options, timings).tsqr_threads, 1);
}

TEST(ScorePlanLidar, MaxMemoryCountsLidarsMeansAndScatterMatrices) {
  const Communicator comm = Communicator::world();
  DatasetTarget target;  // 2,000 objects x 8 views of 256 columns
  target.rows = 16000;
  target.cols = 256;
  target.shape = {2000, 8, 256};
  target.type = StoredType{StoredType::Kind::floating, 4, false};
  target.views = 8;
  ScoreOptions options;
  options.method = SpectrumMethod::gram;
  const std::uint64_t block_rows = block_rows_of(target, options, false);
  // The least --max-memory without --lidar.
  std::uint64_t low = 1, high = std::uint64_t{1} << 40;
  while (low < high) {
    const std::uint64_t middle = low + (high - low) / 2;
    options.max_memory = middle;
    if (memory_shortfall(comm, target, options, false, block_rows)) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  options.lidar = true;
  const std::uint64_t shard_block = std::min(block_rows, target.rows / static_cast<std::uint64_t>(comm.size()) + 1);
  const std::uint64_t lidar = lidar_memory_bytes(2000, 256, shard_block);
  EXPECT_GT(lidar, 2 * 2000 * 256 * sizeof(double));  // at least the means and their sums
  options.max_memory = low + lidar - 1;
  const auto shortfall = memory_shortfall(comm, target, options, false, block_rows);
  ASSERT_TRUE(shortfall.has_value());
  EXPECT_NE(shortfall->find("for LiDAR (--lidar)"), std::string::npos) << *shortfall;
  options.max_memory = low + lidar;
  EXPECT_FALSE(memory_shortfall(comm, target, options, false, block_rows).has_value());
  // A matrix without views or groups gets no LiDAR, so nothing more is counted.
  target.views = 0;
  options.max_memory = low;
  EXPECT_FALSE(memory_shortfall(comm, target, options, false, block_rows).has_value());
}

TEST_F(ScorePlanning, TsqrBlocksGiveEveryThreadAtLeast256RowsInWholeChunksUnlessBlockRowsIsGiven) {
  DatasetTarget wide;  // 2^20 columns: the default double block is 64 rows
  wide.rows = 100000;
  wide.cols = std::uint64_t{1} << 20;
  wide.shape = {wide.rows, wide.cols};
  wide.type = float32_le;
  ScoreOptions options;
  options.method = SpectrumMethod::tsqr;
  ASSERT_EQ(block_rows_of(wide, options, false), 64u);
  EXPECT_EQ(tsqr_block_rows(wide, options, 1), 256u);
  EXPECT_EQ(tsqr_block_rows(wide, options, 3), 768u);
  wide.chunk_dims = {100, wide.cols};
  EXPECT_EQ(tsqr_block_rows(wide, options, 3), 800u);  // whole chunks of 100 rows
  options.block_rows = 10;
  EXPECT_EQ(tsqr_block_rows(wide, options, 3), 10u);  // as given
  DatasetTarget narrow = wide;  // 64 columns: default blocks of 65,536 rows are tall enough already
  narrow.cols = 64;
  narrow.shape = {narrow.rows, narrow.cols};
  narrow.chunk_dims.clear();
  options.block_rows = 0;
  EXPECT_EQ(tsqr_block_rows(narrow, options, 8), block_rows_of(narrow, options, false));
}

TEST_F(ScorePlanning, RoutesGiveTheSameSpectrumFromMemoryAsFromTheFile) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  std::vector<double> stored;
  const DatasetTarget target = stored_target(comm, directory.file("routes.h5"), stored, gaussian(3));
  PhaseTimings timings;
  for (const RowSelection& selection : {RowSelection{}, RowSelection{RowSelection::Kind::sample, 77, 5}}) {
    ScoreOptions options;
    options.rows = selection;
    options.block_rows = 10;
    for (const Precision precision : {Precision::double_precision, Precision::mixed, Precision::automatic}) {
      SCOPED_TRACE(precision_name(precision) + (selection.kind == RowSelection::Kind::all ? ", all rows" : ", sample"));
      options.precision = precision;
      const ScorePlan plan = plan_scoring(comm, target, options, timings);
      const ScorePlan memory_plan = in_memory(plan, stored);
      DatasetResult file_result, memory_result;
      expect_same_spectrum(score_on_gram_route(plan, file_result), score_on_gram_route(memory_plan, memory_result));
      EXPECT_EQ(file_result.precision_fallback, memory_result.precision_fallback);
    }
    options.method = SpectrumMethod::tsqr;
    const ScorePlan plan = plan_scoring(comm, target, options, timings);
    expect_same_spectrum(score_on_tsqr_route(plan), score_on_tsqr_route(in_memory(plan, stored)));
  }
}

TEST_F(ScorePlanning, BlockPassStopsAtNonFiniteDataAndCheckSeesAChangedInput) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  std::vector<double> stored;
  const DatasetTarget target = stored_target(comm, directory.file("pass.h5"), stored, gaussian(4));
  PhaseTimings timings;
  ScoreOptions options;
  options.block_rows = 8;
  std::uint64_t progress_calls = 0;
  options.after_block = [&](std::uint64_t done, std::uint64_t total) {
    ++progress_calls;
    EXPECT_EQ(done, progress_calls);
    EXPECT_EQ(total, block_count(rows, comm.size(), 8));
  };
  const ScorePlan plan = plan_scoring(comm, target, options, timings);
  std::uint64_t rows_seen = 0;
  const auto count_rows = [&](DecodedBlock& block) { rows_seen += block.rows; };
  EXPECT_EQ(read_all_blocks(plan, BlockValues::double_values, plan.double_block_rows, count_rows), ReadOutcome::complete);
  EXPECT_EQ(progress_calls, block_count(rows, comm.size(), 8));
  EXPECT_EQ(rows_seen, RowShard::of_rank(rows, comm.rank(), comm.size()).count);
  EXPECT_NO_THROW(check_input_unchanged(plan));

  // A NaN in the last row: every rank stops, also those whose shard holds no NaN.
  std::vector<double> with_nan = stored;
  with_nan.back() = std::numeric_limits<double>::quiet_NaN();
  const ScorePlan nan_plan = in_memory(plan, with_nan);
  progress_calls = 0;
  EXPECT_EQ(read_all_blocks(nan_plan, BlockValues::double_values, nan_plan.double_block_rows, count_rows), ReadOutcome::nonfinite);

  // The input rewritten while it was read: reported on every rank, naming the input.
  const ScorePlan memory_plan = in_memory(plan, stored);
  static_cast<MemoryRowSource&>(*memory_plan.source).replace_bytes(float32_bytes(stored));
  try {
    check_input_unchanged(memory_plan);
    ADD_FAILURE() << "the change was not seen";
  } catch (const CollectiveError& error) {
    EXPECT_NE(std::string(error.what()).find("'memory' changed while it was being read"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace rankme
