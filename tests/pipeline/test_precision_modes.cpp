// --precision double, mixed and auto through score_dataset, at 1 to 4 ranks, against RankMe of the float64
// LAPACK SVD of exactly the stored values, on the spectra that decide whether float32 block products are
// good enough: a Gaussian (they are), a power law down to 1e-6 and 100 equal values over a floor of 1e-4
// (they are not: the small singular values drown in float32 rounding). Also: values far outside float32's
// range are scaled, and --timings fills every phase. (That the prefetching reader gives bit for bit what
// the foreground reader gives is tests/io/test_block_prefetcher.cpp's.)
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "rankme/io/row_block_reader.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/input_spec.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using testing::relative_difference;
using testing::SharedDirectory;

const FixtureType float32{FixtureType::Kind::floating, 4, false};
const FixtureType float64{FixtureType::Kind::floating, 8, false};

// Under a watchdog, so that a hang is a named failure; 60 s because the SVD references of the larger
// matrices take seconds when 4 ranks share 2 cores with other tests.
class PrecisionModes : public ::testing::Test {
 private:
  testing::Watchdog watchdog_{"a precision-modes test", std::chrono::seconds(60)};
};

struct StoredMatrix {
  DatasetTarget target;
  double reference = 0;  // RankMe of the float64 SVD of the stored values
};

// Writes `values` on rank 0 as `type`, finds the dataset as the tool does, and computes the reference.
StoredMatrix store(const Communicator& comm, const std::string& file, const std::string& dataset,
                   const std::vector<double>& values, std::uint64_t rows, std::uint64_t cols, const FixtureType& type) {
  std::vector<double> stored;
  const std::string error =
      testing::write_on_root([&] { stored = testing::write_matrix(file, dataset, values, rows, cols, type); });
  EXPECT_EQ(error, "");
  StoredMatrix matrix;
  // The reference on rank 0 only (an SVD per rank would only cost time), then shared.
  std::vector<double> reference(1, 0.0);
  if (testing::is_root()) reference[0] = testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
  matrix.reference = testing::values_of_rank_zero(reference)[0];
  const Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, dataset}});
  EXPECT_EQ(discovery.targets.size(), 1u);
  if (!discovery.targets.empty()) matrix.target = discovery.targets.front();
  return matrix;
}

DatasetResult score(const Communicator& comm, const StoredMatrix& matrix, Precision precision) {
  ScoreOptions options;
  options.method = SpectrumMethod::gram;  // the precision modes of the Gram route itself, without auto's TSQR
  options.precision = precision;
  options.timings = true;
  DatasetResult result = score_dataset(comm, matrix.target, options);
  EXPECT_EQ(result.status, ResultStatus::ok) << result.error;
  EXPECT_TRUE(result.rankme.has_value());
  return result;
}

double error_of(const DatasetResult& result, const StoredMatrix& matrix) {
  return result.rankme ? relative_difference(*result.rankme, matrix.reference) : 1.0;
}

std::vector<double> gaussian(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed, double scale = 1.0) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = scale * normal(generator);
  return values;
}

std::vector<double> power_law(std::size_t count, double smallest) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) s[k] = std::pow(smallest, static_cast<double>(k) / static_cast<double>(count - 1));
  return s;
}

std::uint64_t bits_of(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

TEST_F(PrecisionModes, AutoKeepsMixedOnAGaussianAndFallsBackWhereFloat32DrownsTheSmallValues) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("spectra.h5");
  const std::uint64_t rows = 6000, cols = 256, wide = 512;
  std::vector<double> equal(wide, 1e-4);
  for (std::size_t k = 0; k < 100; ++k) equal[k] = 1.0;
  struct Case {
    const char* name;
    StoredMatrix matrix;
    bool float32_suffices;
  };
  const std::vector<Case> cases = {
      {"gaussian", store(comm, file, "/gaussian", gaussian(rows, cols, 5), rows, cols, float32), true},
      {"power law to 1e-6",
       store(comm, file, "/power", testing::matrix_with_singular_values(rows, cols, power_law(cols, 1e-6), 6), rows, cols,
             float32),
       false},
      {"100 equal values over 1e-4 among 512",
       store(comm, file, "/equal", testing::matrix_with_singular_values(rows, wide, equal, 7), rows, wide, float32),
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const DatasetResult in_double = score(comm, c.matrix, Precision::double_precision);
    const DatasetResult in_mixed = score(comm, c.matrix, Precision::mixed);
    const DatasetResult in_auto = score(comm, c.matrix, Precision::automatic);
    EXPECT_EQ(in_double.precision, "double");
    EXPECT_EQ(in_mixed.precision, "mixed");
    EXPECT_LE(error_of(in_double, c.matrix), 1e-8);
    EXPECT_LE(error_of(in_auto, c.matrix), 1e-6) << "auto's promise";
    if (c.float32_suffices) {
      EXPECT_EQ(in_auto.precision, "mixed");
      EXPECT_FALSE(in_auto.precision_fallback);
      EXPECT_LE(error_of(in_mixed, c.matrix), 1e-8);
      EXPECT_EQ(bits_of(*in_auto.rankme), bits_of(*in_mixed.rankme)) << "auto kept the mixed pass as it was";
    } else {
      // The criterion was needed: float32 products alone are off by more than auto's promise here.
      EXPECT_GT(error_of(in_mixed, c.matrix), 1e-6);
      EXPECT_EQ(in_auto.precision, "double");
      EXPECT_TRUE(in_auto.precision_fallback);
      EXPECT_EQ(bits_of(*in_auto.rankme), bits_of(*in_double.rankme)) << "the fallback is the double pass";
    }
  }
}

TEST_F(PrecisionModes, WiderStoredTypesAndExtremeMagnitudesInMixedPrecision) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("wide_types.h5");
  const std::uint64_t rows = 3000, cols = 64;
  // float64 data are rounded to float32 on the way: still within the promise on a Gaussian, and auto's
  // probe includes that rounding.
  const StoredMatrix doubles = store(comm, file, "/float64", gaussian(rows, cols, 8), rows, cols, float64);
  EXPECT_LE(error_of(score(comm, doubles, Precision::mixed), doubles), 1e-6);
  EXPECT_LE(error_of(score(comm, doubles, Precision::automatic), doubles), 1e-6);
  // 2^110 and 2^-110: float32 holds the values but not their squares (nor sums of them): blocks are
  // scaled by a power of two, exactly. Auto does not probe scaled blocks and scores them in double.
  for (const double scale : {std::ldexp(1.0, 110), std::ldexp(1.0, -110)}) {
    SCOPED_TRACE(scale);
    const StoredMatrix extreme =
        store(comm, file, scale > 1 ? "/huge" : "/tiny", gaussian(rows, cols, 8, scale), rows, cols, float32);
    EXPECT_LE(error_of(score(comm, extreme, Precision::mixed), extreme), 1e-6);
    const DatasetResult in_auto = score(comm, extreme, Precision::automatic);
    EXPECT_LE(error_of(in_auto, extreme), 1e-10);
    EXPECT_EQ(in_auto.precision, "double");
  }
}

TEST_F(PrecisionModes, TimingsCoverEveryPhase) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("timings.h5");
  const std::uint64_t rows = 2000, cols = 96;
  const StoredMatrix matrix = store(comm, file, "/z", gaussian(rows, cols, 10), rows, cols, float32);
  for (const Precision precision : {Precision::double_precision, Precision::mixed}) {
    const DatasetResult result = score(comm, matrix, precision);
    ASSERT_TRUE(result.timings.has_value());
    const PhaseTimings& t = *result.timings;
    for (const double phase : {t.open, t.read, t.convert, t.read_wait, t.gram, t.reduce, t.eigensolve, t.metrics}) {
      EXPECT_GE(phase, 0.0);
      EXPECT_LE(phase, t.total);
    }
    EXPECT_GT(t.gram, 0.0);
    EXPECT_GT(t.eigensolve, 0.0);
    EXPECT_GE(t.total, result.seconds);  // the slowest rank's total
    const std::uint64_t expected_block = default_block_rows(cols, 0, 4, precision == Precision::mixed ? 4 : 8);
    EXPECT_EQ(t.block_rows, expected_block);
  }
}

}  // namespace
}  // namespace rankme
