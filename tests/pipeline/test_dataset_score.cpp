// score_dataset end to end through the library: files written by the fixture library on rank 0, read by
// every rank with parallel HDF5, scored, and compared with RankMe of the LAPACK SVD (dgesdd) of exactly
// the values stored. The same comparisons run at 1, 2, 3 and 4 ranks (one CTest entry each), and a
// tight tolerance against the same float64 reference at every rank count is what shows that the score
// does not depend on how many ranks computed it.
//
// Also: the statuses for non-finite data, failures (missing file or dataset, a file that changed after
// discovery), and discover_targets_on_root, which every other rank depends on.
#include "rankme/pipeline/dataset_score.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/memory_row_source.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/input_spec.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/lapack_reference.hpp"
#include "support/plain_files.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using testing::Layout;

using testing::is_root;
using testing::SharedDirectory;
using testing::text_of_rank_zero;
using testing::values_of_rank_zero;
using testing::write_on_root;

const FixtureType float16{FixtureType::Kind::floating, 2, false};
const FixtureType float32{FixtureType::Kind::floating, 4, false};
const FixtureType float32be{FixtureType::Kind::floating, 4, true};
const FixtureType float64{FixtureType::Kind::floating, 8, false};
const FixtureType int16be{FixtureType::Kind::signed_int, 2, true};

// Writes one matrix on rank 0 and returns the values as stored, on every rank (empty on failure, with
// the failure recorded).
std::vector<double> write_shared(const std::string& file, const std::string& dataset, const std::vector<double>& values,
                                 std::uint64_t rows, std::uint64_t cols, const FixtureType& type,
                                 const Layout& layout = {}) {
  std::vector<double> stored;
  const std::string error =
      write_on_root([&] { stored = testing::write_matrix(file, dataset, values, rows, cols, type, layout); });
  EXPECT_EQ(error, "");
  return values_of_rank_zero(stored);
}


// Every test of this file runs under a watchdog, so that a hang is a named failure.
using ScoreDataset = testing::WatchedTest;
using DiscoverTargetsOnRoot = ScoreDataset;
using ScoreDatasetNeverWritten = ScoreDataset;

// ---- Matrices ----

std::vector<double> geometric_spectrum(std::size_t count, double smallest) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) {
    s[k] = count == 1 ? 1.0 : std::pow(smallest, static_cast<double>(k) / static_cast<double>(count - 1));
  }
  return s;
}

std::vector<double> random_normal(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(generator);
  return values;
}

// The reference: RankMe of the float64 SVD of the values exactly as stored.
double reference_score(const std::vector<double>& stored, std::uint64_t rows, std::uint64_t cols) {
  return testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
}

// ---- Scoring ----

// The target for one named dataset, found the way the tool finds it (on rank 0, broadcast).
DatasetTarget discover_one(const Communicator& comm, const std::string& file, const std::string& dataset) {
  const Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, dataset}});
  EXPECT_EQ(discovery.targets.size(), 1u);
  if (discovery.targets.size() != 1) {
    DatasetTarget broken;
    broken.file = file;
    broken.dataset = dataset;
    broken.error = "test: discovery found " + std::to_string(discovery.targets.size()) + " targets";
    return broken;
  }
  return discovery.targets.front();
}

// Double block products unless asked otherwise: most tests here pin the double route's own accuracy
// (1e-10 and below), which float32 products do not have; the mixed and auto routes have tests of their own.
DatasetResult score(const Communicator& comm, const DatasetTarget& target, SolverChoice solver = SolverChoice::automatic,
                    std::uint64_t block_rows = 0, Precision precision = Precision::double_precision) {
  ScoreOptions options;
  options.method = SpectrumMethod::gram;  // the Gram route and its eigensolvers (auto has its own tests)
  options.solver = solver;
  options.block_rows = block_rows;
  options.precision = precision;
  return score_dataset(comm, target, options);
}

// Everything a report prints, with the number as its exact bits.
std::string fingerprint(const DatasetResult& result) {
  char bits[32] = "none";
  if (result.rankme) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, &*result.rankme, sizeof raw);
    std::snprintf(bits, sizeof bits, "%016llx", static_cast<unsigned long long>(raw));
  }
  return std::string(status_name(result.status)) + "|" + bits + "|" + result.file + "|" + result.dataset + "|" +
         std::to_string(result.rows) + "x" + std::to_string(result.cols) + "|" + result.dtype + "|" + result.solver +
         "|" + std::to_string(result.ranks) + "|" + result.error;
}

// Every rank must report the same thing (the number computed from the same eigenvalues, bit for bit).
void expect_same_on_all_ranks(const DatasetResult& result) {
  const std::string mine = fingerprint(result);
  EXPECT_EQ(mine, text_of_rank_zero(mine)) << "this rank's result differs from rank 0's";
}

using testing::relative_difference;

// Status ok, the fields filled from the target, the same on all ranks, and RankMe within `tolerance`
// (relative) of `expected`. Returns the score (NaN when there was none).
double expect_scored(const Communicator& comm, const DatasetResult& result, const DatasetTarget& target,
                     double expected, double tolerance) {
  EXPECT_EQ(result.status, ResultStatus::ok) << result.error;
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.file, target.file);
  EXPECT_EQ(result.dataset, target.dataset);
  EXPECT_EQ(result.rows, target.rows);
  EXPECT_EQ(result.cols, target.cols);
  EXPECT_EQ(result.dtype, target.dtype);
  EXPECT_EQ(result.ranks, comm.size());
  EXPECT_FALSE(result.solver.empty());
  EXPECT_GE(result.seconds, 0.0);
  expect_same_on_all_ranks(result);
  if (!result.rankme) {
    ADD_FAILURE() << "no RankMe reported";
    return std::numeric_limits<double>::quiet_NaN();
  }
  EXPECT_LE(relative_difference(*result.rankme, expected), tolerance)
      << "RankMe " << *result.rankme << ", reference " << expected;
  return *result.rankme;
}

// A failure: status error, no number, a message holding every one of `needles`, the same on all ranks.
void expect_error(const DatasetResult& result, const std::vector<std::string>& needles) {
  EXPECT_EQ(result.status, ResultStatus::error);
  EXPECT_FALSE(result.rankme.has_value());
  for (const std::string& needle : needles) {
    EXPECT_NE(result.error.find(needle), std::string::npos) << "'" << needle << "' missing from: " << result.error;
  }
  expect_same_on_all_ranks(result);
}

// ---- Known spectra ----

struct SpectrumCase {
  std::string name;
  std::uint64_t rows, cols;
  std::vector<double> singular_values;
  FixtureType type;
  Layout layout;
  double tolerance;
  const char* dtype;
};

Layout gzip_chunks(std::uint64_t rows, std::uint64_t cols) {
  Layout layout;
  layout.kind = Layout::Kind::chunked;
  layout.chunk_rows = rows;
  layout.chunk_cols = cols;
  layout.shuffle = true;
  layout.gzip = true;
  return layout;
}

TEST_F(ScoreDataset, KnownSpectraScoreLikeTheSvdOfTheStoredValues) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("spectra.h5");
  std::vector<double> flat(10, 1.0);
  std::vector<double> scaled_geometric = geometric_spectrum(30, 1e-2);
  for (double& s : scaled_geometric) s *= 500;  // entries of order 10: float16 and int16 keep ~3 digits
  const std::vector<SpectrumCase> cases = {
      // float64, full column rank, condition 1e3: the Gram route must match the SVD to 1e-9.
      {"geometric_f64", 150, 60, geometric_spectrum(60, 1e-3), float64, Layout{}, 1e-9, "float64"},
      // Exactly rank-deficient float64: the Gram route's noise eigenvalues must score as the SVD's zeros.
      {"rank5_of_200_f64", 240, 200, {5, 4, 3, 2, 1}, float64, Layout{}, 1e-9, "float64"},
      {"flat10_of_40_f64", 120, 40, flat, float64, Layout{}, 1e-9, "float64"},
      {"geometric_f32", 150, 60, geometric_spectrum(60, 1e-3), float32, Layout{}, 1e-6, "float32"},
      {"geometric_f32be_gzip", 150, 60, geometric_spectrum(60, 1e-3), float32be, gzip_chunks(16, 7), 1e-6, "float32be"},
      {"geometric_f16", 90, 30, scaled_geometric, float16, Layout{}, 1e-6, "float16"},
      {"geometric_i16be_gzip", 90, 30, scaled_geometric, int16be, gzip_chunks(9, 30), 1e-6, "int16be"},
  };
  std::vector<std::vector<double>> stored;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SpectrumCase& c = cases[i];
    std::vector<double> values;
    if (is_root()) values = testing::matrix_with_singular_values(c.rows, c.cols, c.singular_values, 500 + i);
    stored.push_back(write_shared(file, "/" + c.name, values, c.rows, c.cols, c.type, c.layout));
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SpectrumCase& c = cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_EQ(stored[i].size(), c.rows * c.cols);
    const double expected = reference_score(stored[i], c.rows, c.cols);
    const DatasetTarget target = discover_one(comm, file, "/" + c.name);
    ASSERT_TRUE(target.scorable()) << target.error;
    EXPECT_EQ(target.dtype, c.dtype);
    for (std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{7}}) {
      SCOPED_TRACE("block_rows " + std::to_string(block_rows));
      const double got = expect_scored(comm, score(comm, target, SolverChoice::automatic, block_rows), target, expected,
                                       c.tolerance);
      if (c.name == "flat10_of_40_f64") {
        // Ten equal singular values: RankMe 10, up to the paper's epsilon (30 zeros add ~5e-5).
        EXPECT_NEAR(got, 10.0, 1e-3);
      }
      if (c.name == "rank5_of_200_f64") {
        EXPECT_LT(got, 5.0);
        EXPECT_GT(got, 4.0);
      }
    }
  }
}

TEST_F(ScoreDataset, LapackAndScalapackGiveTheSameScore) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("solvers.h5");
  struct Case {
    const char* name;
    std::uint64_t rows, cols;
    std::vector<double> s;
  };
  const std::vector<Case> cases = {
      {"/geometric", 150, 60, geometric_spectrum(60, 1e-3)},
      {"/rank5_of_200", 240, 200, {5, 4, 3, 2, 1}},  // the noise eigenvalues differ between solvers
      {"/wide", 10, 50, geometric_spectrum(10, 1e-2)},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::vector<double> values;
    if (is_root()) values = testing::matrix_with_singular_values(cases[i].rows, cases[i].cols, cases[i].s, 700 + i);
    write_shared(file, cases[i].name, values, cases[i].rows, cases[i].cols, float64);
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const DatasetTarget target = discover_one(comm, file, c.name);
    ASSERT_TRUE(target.scorable()) << target.error;
    const DatasetResult lapack = score(comm, target, SolverChoice::lapack);
    const DatasetResult scalapack = score(comm, target, SolverChoice::scalapack);
    const DatasetResult automatic = score(comm, target, SolverChoice::automatic);
    EXPECT_EQ(lapack.solver.rfind("lapack", 0), 0u) << lapack.solver;
    EXPECT_EQ(scalapack.solver.rfind("scalapack ", 0), 0u) << scalapack.solver;
    EXPECT_EQ(automatic.solver.rfind("lapack", 0), 0u) << "below the crossover order the automatic choice is LAPACK: " << automatic.solver;
    for (const DatasetResult* result : {&lapack, &scalapack, &automatic}) {
      EXPECT_EQ(result->status, ResultStatus::ok) << result->error;
      expect_same_on_all_ranks(*result);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_LE(relative_difference(scalapack.rankme.value_or(nan), lapack.rankme.value_or(nan)), 1e-12)
        << "lapack " << lapack.rankme.value_or(nan) << ", scalapack " << scalapack.rankme.value_or(nan);
  }
}

TEST_F(ScoreDataset, SameScoreAtEveryRankCountAndBlockSize) {
  // A fixed, well-conditioned float64 matrix: every rank count and block size must land within 1e-10 of
  // the same SVD reference, which they can only do by agreeing with each other.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("fixed.h5");
  const std::uint64_t rows = 97, cols = 23;
  std::vector<double> values = random_normal(rows, cols, 2024);
  for (std::uint64_t c = 0; c < cols; ++c) {  // unequal column scales: a spread-out spectrum
    for (std::uint64_t r = 0; r < rows; ++r) values[r * cols + c] *= 1.0 + 0.2 * static_cast<double>(c);
  }
  Layout chunked;
  chunked.kind = Layout::Kind::chunked;
  chunked.chunk_rows = 10;
  chunked.chunk_cols = 23;
  const auto stored = write_shared(file, "/contiguous", values, rows, cols, float64);
  write_shared(file, "/chunked", values, rows, cols, float64, chunked);
  ASSERT_EQ(stored.size(), rows * cols);
  const double expected = reference_score(stored, rows, cols);
  for (const char* dataset : {"/contiguous", "/chunked"}) {
    const DatasetTarget target = discover_one(comm, file, dataset);
    for (std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{5}, std::uint64_t{1000}}) {
      SCOPED_TRACE(std::string(dataset) + ", block_rows " + std::to_string(block_rows));
      for (SolverChoice solver : {SolverChoice::lapack, SolverChoice::scalapack}) {
        expect_scored(comm, score(comm, target, solver, block_rows), target, expected, 1e-10);
      }
    }
  }
}

TEST_F(ScoreDataset, HugeAndTinyValuesScoreLikeTheirUnscaledData) {
  // RankMe does not depend on scale; the Gram matrix of these values overflows or underflows double
  // unless the accumulator scales it.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("scaled.h5");
  const std::uint64_t rows = 60, cols = 20;
  const auto base = random_normal(rows, cols, 99);
  auto huge = base, tiny = base, huge_last_shard = base;
  for (double& v : huge) v = std::ldexp(v, 680);   // ~1e204: exact, and squares overflow
  for (double& v : tiny) v = std::ldexp(v, -700);  // ~1e-211: exact, and squares underflow
  const RowShard last = RowShard::of_rank(rows, comm.size() - 1, comm.size());
  for (std::uint64_t r = last.begin; r < last.begin + last.count; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) huge_last_shard[r * cols + c] *= 1e200;
  }
  const auto stored_base = write_shared(file, "/base", base, rows, cols, float64);
  write_shared(file, "/huge", huge, rows, cols, float64);
  write_shared(file, "/tiny", tiny, rows, cols, float64);
  const auto stored_mixed = write_shared(file, "/huge_last_shard", huge_last_shard, rows, cols, float64);
  ASSERT_EQ(stored_base.size(), rows * cols);
  const double expected = reference_score(stored_base, rows, cols);
  for (const char* dataset : {"/base", "/huge", "/tiny"}) {
    SCOPED_TRACE(dataset);
    const DatasetTarget target = discover_one(comm, file, dataset);
    expect_scored(comm, score(comm, target, SolverChoice::automatic, 4), target, expected, 1e-10);
  }
  {
    // Only the last rank's rows are huge: the other ranks must adopt its scale before the sum. The
    // ordinary rows are 1e-200 of the rest, as good as zero to the SVD too.
    SCOPED_TRACE("/huge_last_shard");
    const DatasetTarget target = discover_one(comm, file, "/huge_last_shard");
    expect_scored(comm, score(comm, target, SolverChoice::automatic, 4), target,
                  reference_score(stored_mixed, rows, cols), 1e-6);
  }
}

TEST_F(ScoreDataset, FewerRowsThanColumnsUsesMinOfRowsAndColumnsValues) {
  // RankMe over min(N, K) singular values: the Gram matrix has K - N extra (zero) eigenvalues that must
  // not be counted, or the paper's epsilon would add to the score.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("wide.h5");
  struct Case {
    const char* name;
    std::uint64_t rows, cols;
  };
  // 3 x 50 leaves rank 3 (at 4 ranks) without rows.
  for (const Case c : {Case{"/10x50", 10, 50}, Case{"/3x50", 3, 50}}) {
    SCOPED_TRACE(c.name);
    std::vector<double> values;
    if (is_root()) values = testing::matrix_with_singular_values(c.rows, c.cols, geometric_spectrum(c.rows, 0.1), 31);
    const auto stored = write_shared(file, c.name, values, c.rows, c.cols, float64);
    ASSERT_EQ(stored.size(), c.rows * c.cols);
    const auto reference_values = testing::reference_singular_values(stored, c.rows, c.cols);
    EXPECT_EQ(reference_values.size(), c.rows);
    const DatasetTarget target = discover_one(comm, file, c.name);
    for (SolverChoice solver : {SolverChoice::lapack, SolverChoice::scalapack}) {
      expect_scored(comm, score(comm, target, solver), target, testing::reference_rankme(reference_values), 1e-9);
    }
  }
}

TEST_F(ScoreDataset, NonFiniteValueInTheLastRanksShardStopsEveryRank) {
  // The NaN (or infinity) is in the last row, which only the last rank reads, in its last block: every
  // rank must nevertheless report nonfinite, with no number.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("nonfinite.h5");
  const std::uint64_t rows = 50, cols = 8;
  struct Case {
    const char* name;
    FixtureType type;
    double bad;
    std::uint64_t column;
  };
  const std::vector<Case> cases = {
      {"/nan_f32", float32, std::numeric_limits<double>::quiet_NaN(), 3},
      {"/inf_f64", float64, std::numeric_limits<double>::infinity(), 0},
      {"/overflow_f16", float16, -1e6, 7},  // beyond float16's range: stored as -inf
  };
  for (const Case& c : cases) {
    auto values = random_normal(rows, cols, 5);
    values[(rows - 1) * cols + c.column] = c.bad;
    const auto stored = write_shared(file, c.name, values, rows, cols, c.type);
    ASSERT_EQ(stored.size(), rows * cols);
    ASSERT_FALSE(std::isfinite(stored[(rows - 1) * cols + c.column]));
  }
  for (const Case& c : cases) {
    const DatasetTarget target = discover_one(comm, file, c.name);
    ASSERT_TRUE(target.scorable()) << target.error;
    for (std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{4}}) {
      SCOPED_TRACE(std::string(c.name) + ", block_rows " + std::to_string(block_rows));
      const DatasetResult result = score(comm, target, SolverChoice::automatic, block_rows);
      EXPECT_EQ(result.status, ResultStatus::nonfinite) << result.error;
      EXPECT_FALSE(result.rankme.has_value());
      EXPECT_EQ(result.rows, rows);
      EXPECT_EQ(result.cols, cols);
      expect_same_on_all_ranks(result);
    }
  }
}

// score_row_source (the Python module's path): the same values held in memory score as the file does, bit for
// bit, whatever the options, at every rank count (each rank holds the whole matrix; it reads its own shard).
TEST_F(ScoreDataset, RowsInMemoryScoreAsTheFile) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("memory.h5");
  const std::uint64_t rows = 180, cols = 40;
  std::vector<double> values;
  if (is_root()) values = testing::matrix_with_singular_values(rows, cols, geometric_spectrum(cols, 1e-4), 77);
  const std::vector<double> stored = write_shared(file, "/z", values, rows, cols, float64);
  ASSERT_EQ(stored.size(), rows * cols);
  const DatasetTarget target = discover_one(comm, file, "/z");
  ASSERT_TRUE(target.scorable()) << target.error;
  std::vector<unsigned char> bytes(stored.size() * sizeof(double));
  std::memcpy(bytes.data(), stored.data(), bytes.size());  // float64, this machine's (little-endian) order
  DatasetTarget in_memory = target;
  in_memory.file = "<array>";
  for (const SpectrumMethod method : {SpectrumMethod::automatic, SpectrumMethod::gram, SpectrumMethod::tsqr}) {
    for (const bool center : {false, true}) {
      SCOPED_TRACE(std::string(method_name(method)) + (center ? ", centred" : ""));
      ScoreOptions options;
      options.method = method;
      options.center = center;
      const DatasetResult from_file = score_dataset(comm, target, options);
      const DatasetResult from_memory = score_row_source(
          comm, in_memory, std::make_unique<MemoryRowSource>(*target.type, rows, cols, bytes.data(), bytes.size()), options);
      EXPECT_EQ(from_memory.status, ResultStatus::ok) << from_memory.error;
      EXPECT_EQ(from_memory.file, "<array>");
      ASSERT_TRUE(from_file.rankme && from_memory.rankme);
      EXPECT_EQ(*from_memory.rankme, *from_file.rankme);  // the same blocks, the same sums: the same bits
      EXPECT_EQ(from_memory.metrics, from_file.metrics);
      EXPECT_EQ(from_memory.method, from_file.method);
      EXPECT_EQ(from_memory.precision, from_file.precision);
      EXPECT_EQ(from_memory.rows_used, rows);
    }
  }
  EXPECT_THROW(score_row_source(comm, in_memory, nullptr, ScoreOptions{}), std::invalid_argument);
}

TEST_F(ScoreDataset, AllZerosScoreExactlyZero) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("zeros.h5");
  const std::uint64_t rows = 30, cols = 12;
  Layout chunked;
  chunked.kind = Layout::Kind::chunked;
  chunked.chunk_rows = 4;
  chunked.chunk_cols = 12;
  write_shared(file, "/zeros_f64", std::vector<double>(rows * cols, 0.0), rows, cols, float64);
  write_shared(file, "/zeros_i16be", std::vector<double>(rows * cols, 0.0), rows, cols, int16be, chunked);
  for (const char* dataset : {"/zeros_f64", "/zeros_i16be"}) {
    SCOPED_TRACE(dataset);
    const DatasetTarget target = discover_one(comm, file, dataset);
    ASSERT_TRUE(target.scorable()) << target.error;
    for (SolverChoice solver : {SolverChoice::lapack, SolverChoice::scalapack}) {
      const DatasetResult result = score(comm, target, solver, 7);
      EXPECT_EQ(result.status, ResultStatus::ok) << result.error;
      EXPECT_EQ(result.rankme.value_or(-1.0), 0.0);  // -1: no number at all
      expect_same_on_all_ranks(result);
    }
  }
}

TEST_F(ScoreDataset, UnscorableTargetIsReportedWithoutOpeningTheFile) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  // The file exists and holds a perfectly scorable dataset: only the target's error can make this fail,
  // and the message must be the target's own, not anything learned from the file.
  const std::string file = directory.file("fine.h5");
  write_shared(file, "/emb", random_normal(6, 3, 1), 6, 3, float64);
  DatasetTarget target;
  target.file = file;
  target.dataset = "/emb";
  target.rows = 6;
  target.cols = 3;
  target.dtype = "float64";
  target.type = StoredType{StoredType::Kind::floating, 8, false};
  target.error = "dataset '/emb' in '" + file + "': flagged unscorable by discovery";
  const DatasetResult result = score(comm, target);
  EXPECT_EQ(result.status, ResultStatus::error);
  EXPECT_EQ(result.error, target.error);
  EXPECT_FALSE(result.rankme.has_value());
  EXPECT_EQ(result.file, target.file);
  EXPECT_EQ(result.dataset, target.dataset);
  EXPECT_EQ(result.dtype, "float64");
  expect_same_on_all_ranks(result);

  // The same for a file that does not exist: opening it would have said "no such file".
  target.file = directory.file("never-created.h5");
  target.error = "discovery failed for a reason of its own";
  const DatasetResult missing = score(comm, target);
  EXPECT_EQ(missing.status, ResultStatus::error);
  EXPECT_EQ(missing.error, target.error);
  expect_same_on_all_ranks(missing);
}

// A target filled by hand, as discovery would have filled it for a float64 rows x cols dataset.
DatasetTarget hand_made_target(const std::string& file, const std::string& dataset, std::uint64_t rows,
                               std::uint64_t cols) {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.rows = rows;
  target.cols = cols;
  target.dtype = "float64";
  target.type = StoredType{StoredType::Kind::floating, 8, false};
  return target;
}

TEST_F(ScoreDataset, MissingFileOrDatasetIsAnErrorOnEveryRank) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("present.h5");
  const std::string not_hdf5 = directory.file("notes.txt");
  const std::string truncated = directory.file("truncated.h5");
  const std::string other = directory.file("other.h5");
  write_shared(file, "/group/emb", random_normal(9, 4, 3), 9, 4, float64);
  write_shared(other, "/emb", random_normal(9, 4, 3), 9, 4, float64);
  ASSERT_EQ(write_on_root([&] {
              testing::write_not_hdf5(not_hdf5);
              testing::copy_truncated(file, truncated, 0.5);
              testing::make_soft_link(file, "/dangling", "/nowhere");
              testing::make_external_link(file, "/external_missing", directory.file("gone.h5"), "/emb");
              testing::make_external_link(file, "/external", other, "/emb");
              testing::write_string_dataset(file, "/strings");
            }),
            "");
  // The tool mutes HDF5's own error printing (main.cpp); so do these tests, which fail on purpose.
  const SilenceHdf5Errors silence;
  {
    SCOPED_TRACE("missing file");
    const std::string missing = directory.file("missing.h5");
    expect_error(score(comm, hand_made_target(missing, "/emb", 9, 4)), {missing});
  }
  {
    SCOPED_TRACE("missing dataset");
    expect_error(score(comm, hand_made_target(file, "/nope", 9, 4)), {file, "/nope"});
  }
  {
    SCOPED_TRACE("a group, not a dataset");
    expect_error(score(comm, hand_made_target(file, "/group", 9, 4)), {file, "/group"});
  }
  {
    SCOPED_TRACE("a dangling soft link");
    expect_error(score(comm, hand_made_target(file, "/dangling", 9, 4)), {file, "/dangling"});
  }
  {
    SCOPED_TRACE("an external link into a missing file");
    expect_error(score(comm, hand_made_target(file, "/external_missing", 9, 4)), {file, "/external_missing"});
  }
  {
    // Strings where discovery had seen a float64 matrix: the file changed in between.
    SCOPED_TRACE("a string dataset");
    expect_error(score(comm, hand_made_target(file, "/strings", 3, 2)), {"changed", "/strings", "string"});
  }
  {
    SCOPED_TRACE("a directory");
    expect_error(score(comm, hand_made_target(directory.path(), "/emb", 9, 4)), {directory.path()});
  }
  {
    SCOPED_TRACE("not an HDF5 file");
    expect_error(score(comm, hand_made_target(not_hdf5, "/emb", 9, 4)), {not_hdf5});
  }
  {
    SCOPED_TRACE("truncated HDF5 file");
    expect_error(score(comm, hand_made_target(truncated, "/group/emb", 9, 4)), {truncated});
  }
  {
    // After all those failures the same communicator still scores (nothing left half-collective).
    SCOPED_TRACE("the real dataset afterwards");
    const DatasetTarget target = hand_made_target(file, "/group/emb", 9, 4);
    const DatasetResult result = score(comm, target);
    EXPECT_EQ(result.status, ResultStatus::ok) << result.error;
    expect_same_on_all_ranks(result);
  }
  {
    // An external link to an existing dataset is followed (HDF5 opens the other file with the same
    // MPI-IO access) and scores like the dataset it names.
    SCOPED_TRACE("an external link to a dataset");
    const DatasetResult linked = score(comm, hand_made_target(file, "/external", 9, 4));
    const DatasetResult direct = score(comm, hand_made_target(other, "/emb", 9, 4));
    EXPECT_EQ(linked.status, ResultStatus::ok) << linked.error;
    EXPECT_EQ(direct.status, ResultStatus::ok) << direct.error;
    EXPECT_EQ(linked.rankme, direct.rankme);
    expect_same_on_all_ranks(linked);
  }
}

TEST_F(ScoreDataset, FileThatChangedAfterDiscoveryIsAnError) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("moving.h5");
  const std::string replacement = directory.file("replacement.h5");
  write_shared(file, "/emb", random_normal(12, 5, 4), 12, 5, float64);
  const DatasetTarget discovered = discover_one(comm, file, "/emb");
  ASSERT_TRUE(discovered.scorable()) << discovered.error;
  {
    SCOPED_TRACE("more rows recorded than the file holds");
    DatasetTarget target = discovered;
    target.rows += 1;
    expect_error(score(comm, target), {"changed", "/emb", file});
  }
  {
    SCOPED_TRACE("fewer columns recorded");
    DatasetTarget target = discovered;
    target.cols -= 1;
    expect_error(score(comm, target), {"changed"});
  }
  {
    SCOPED_TRACE("another element type recorded");
    DatasetTarget target = discovered;
    target.type = StoredType{StoredType::Kind::floating, 4, false};
    expect_error(score(comm, target), {"changed"});
  }
  {
    // The file itself replaced after discovery (another job rewrote it): 12 x 5 became 13 x 5.
    SCOPED_TRACE("file replaced");
    write_shared(replacement, "/emb", random_normal(13, 5, 4), 13, 5, float64);
    ASSERT_EQ(write_on_root([&] { std::filesystem::rename(replacement, file); }), "");
    expect_error(score(comm, discovered), {"changed", "13x5"});
  }
}

// A discovery, as text, to compare between ranks.
std::string describe(const Discovery& discovery) {
  std::string text;
  for (const DatasetTarget& t : discovery.targets) {
    text += t.file + "|" + t.dataset + "|" + std::to_string(t.rows) + "x" + std::to_string(t.cols) + "|" + t.dtype +
            "|" + (t.type ? t.type->name() : "none") + "|" + std::to_string(t.chunk_dims.size()) + "|" + t.error + "\n";
  }
  for (const std::string& note : discovery.notes) text += "note: " + note + "\n";
  return text;
}

TEST_F(DiscoverTargetsOnRoot, EveryRankGetsTheSameTargetsAndNotes) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("mixed.h5");
  Layout chunked;
  chunked.kind = Layout::Kind::chunked;
  chunked.chunk_rows = 4;
  chunked.chunk_cols = 2;
  const auto stored = write_shared(file, "/emb", random_normal(12, 4, 8), 12, 4, float32be, chunked);
  ASSERT_EQ(write_on_root([&] {
              testing::write_array_of_rank(file, "/vector", {7});
              testing::write_string_dataset(file, "/names");
            }),
            "");

  const Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, std::nullopt}});
  const std::string mine = describe(discovery);
  EXPECT_EQ(mine, text_of_rank_zero(mine)) << "ranks disagree about the targets";
  ASSERT_EQ(discovery.targets.size(), 1u) << mine;  // identical on every rank
  const DatasetTarget& target = discovery.targets.front();
  EXPECT_TRUE(target.scorable()) << target.error;
  EXPECT_EQ(target.file, file);
  EXPECT_EQ(target.dataset, "/emb");
  EXPECT_EQ(target.rows, 12u);
  EXPECT_EQ(target.cols, 4u);
  EXPECT_EQ(target.dtype, "float32be");
  ASSERT_TRUE(target.type.has_value());
  EXPECT_TRUE(*target.type == (StoredType{StoredType::Kind::floating, 4, true}));
  EXPECT_EQ(target.chunk_dims, (std::vector<std::uint64_t>{4, 2}));
  ASSERT_EQ(discovery.notes.size(), 2u) << mine;
  const auto noted = [&](const std::string& path) {
    return std::any_of(discovery.notes.begin(), discovery.notes.end(),
                       [&](const std::string& note) { return note.find("'" + path + "'") != std::string::npos; });
  };
  EXPECT_TRUE(noted("/vector")) << mine;
  EXPECT_TRUE(noted("/names")) << mine;

  // Any rank may be the one that discovers: the last rank finds the same, and every rank receives it.
  const Discovery from_last = discover_targets_on_root(comm, {InputSpec{file, std::nullopt}}, comm.size() - 1);
  EXPECT_EQ(describe(from_last), mine);

  // What was discovered scores (the target survives its trip through the broadcast intact).
  ASSERT_EQ(stored.size(), 48u);
  expect_scored(comm, score(comm, target), target, reference_score(stored, 12, 4), 1e-6);

  // A missing file is one error target on every rank, and scoring it reports that error.
  const std::string missing = directory.file("absent.h5");
  const Discovery failed = discover_targets_on_root(comm, {InputSpec{missing, std::nullopt}});
  ASSERT_EQ(failed.targets.size(), 1u);
  EXPECT_FALSE(failed.targets.front().scorable());
  EXPECT_NE(failed.targets.front().error.find(missing), std::string::npos) << failed.targets.front().error;
  EXPECT_EQ(describe(failed), text_of_rank_zero(describe(failed)));
  expect_error(score(comm, failed.targets.front()), {missing});
}

// A dataset that was created and never written (h5py and HDF5 allocate chunked storage lazily) holds
// only its fill value: a valid all-zero matrix that must score exactly 0, like the written zeros above.
//
// The last two tests of the file on purpose: the second exposes a hang, and the watchdog then ends the
// process, so everything before it has run and reported by then. HDF5 1.10.8's H5Dread returns the
// fill value at once, without any MPI call, on a rank whose selection is not empty when the dataset
// has no storage allocated, while a rank with an empty selection goes on into the collective transfer
// and waits there for the others forever. RowBlockReader::read makes ranks with no rows left take part
// in every collective read with an empty selection, so any block that leaves some ranks without rows
// and others with rows hangs.
DatasetTarget never_written_target(const Communicator& comm, const SharedDirectory& directory, std::uint64_t rows,
                                   std::uint64_t cols) {
  const std::string file = directory.file("never_written.h5");
  EXPECT_EQ(write_on_root([&] { testing::write_unallocated_dataset(file, "/unallocated", rows, cols); }), "");
  return discover_one(comm, file, "/unallocated");
}

TEST_F(ScoreDatasetNeverWritten, IsAnIncompleteErrorAtDiscoveryNotAScoreOfZero) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const DatasetTarget target = never_written_target(comm, directory, 5, 12);
  EXPECT_FALSE(target.scorable());
  EXPECT_NE(target.error.find("incomplete"), std::string::npos) << target.error;
  EXPECT_NE(target.error.find("/unallocated"), std::string::npos) << target.error;
  const DatasetResult result = score(comm, target);
  EXPECT_EQ(result.status, ResultStatus::error);
  EXPECT_FALSE(result.rankme.has_value());
  expect_same_on_all_ranks(result);
}

TEST_F(ScoreDatasetNeverWritten, StorageThatVanishedAfterDiscoveryIsCaughtBeforeAnyReadOnEveryRank) {
  // The target claims a complete dataset (as discovery saw it before a writer replaced the file); the
  // check on all ranks before reading must stop it, for every block size: blocks of 1 row leave some
  // ranks without rows at 2-4 ranks, which is where an unguarded collective read of unallocated
  // storage hangs.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  DatasetTarget target = never_written_target(comm, directory, 5, 12);
  target.error.clear();
  for (std::uint64_t block_rows : {std::uint64_t{0}, std::uint64_t{1}}) {
    const DatasetResult result = score(comm, target, SolverChoice::automatic, block_rows);
    EXPECT_EQ(result.status, ResultStatus::error) << "block_rows " << block_rows;
    EXPECT_NE(result.error.find("incomplete"), std::string::npos) << result.error;
    expect_same_on_all_ranks(result);
  }
}

TEST_F(ScoreDatasetNeverWritten, PartlyWrittenChunkedDatasetSaysHowManyChunksExist) {
  // A writer that crashed half-way: 2 of the 5 chunks of 10 rows exist.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  // Written by hand: the fixture library has no partly written dataset. 10-row chunks, first 20 rows.
  EXPECT_EQ(write_on_root([&] {
              const std::string partial = directory.file("partial_chunks.h5");
              hid_t handle = H5Fcreate(partial.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
              const hsize_t dims[2] = {50, 4}, chunk[2] = {10, 4};
              hid_t space = H5Screate_simple(2, dims, nullptr);
              hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
              H5Pset_chunk(creation, 2, chunk);
              hid_t dataset = H5Dcreate2(handle, "/partial", H5T_IEEE_F32LE, space, H5P_DEFAULT, creation, H5P_DEFAULT);
              const hsize_t start[2] = {0, 0}, count[2] = {20, 4};
              H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
              hid_t memory = H5Screate_simple(2, count, nullptr);
              const std::vector<float> ones(80, 1.0f);
              const herr_t written = H5Dwrite(dataset, H5T_NATIVE_FLOAT, memory, space, H5P_DEFAULT, ones.data());
              H5Sclose(memory);
              H5Dclose(dataset);
              H5Pclose(creation);
              H5Sclose(space);
              H5Fclose(handle);
              if (handle < 0 || dataset < 0 || written < 0) throw std::runtime_error("writing the partial dataset failed");
            }),
            "");
  const DatasetTarget target = discover_one(comm, directory.file("partial_chunks.h5"), "/partial");
  EXPECT_FALSE(target.scorable());
  EXPECT_NE(target.error.find("only 2 of its 5 chunks were written"), std::string::npos) << target.error;
}

}  // namespace
}  // namespace rankme
