// PooledRowSource over a matrix in memory: each mode's rows, byte for byte or value for value, for runs
// that start and end inside samples, sampled runs, and one inner read per read (the collective contract).
#include "rankme/io/pooled_row_source.hpp"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "rankme/io/memory_row_source.hpp"
#include "support/row_reads.hpp"

namespace rankme {
namespace {

const StoredType float32{StoredType::Kind::floating, 4, false};
const StoredType float64{StoredType::Kind::floating, 8, false};

// Values i*100 + m*10 + k of an array of (samples, middle, cols), stored as float32.
std::unique_ptr<MemoryRowSource> tokens(std::uint64_t samples, std::uint64_t middle, std::uint64_t cols,
                                        MemoryRowSource** keep = nullptr) {
  std::vector<float> values;
  for (std::uint64_t i = 0; i < samples; ++i)
    for (std::uint64_t m = 0; m < middle; ++m)
      for (std::uint64_t k = 0; k < cols; ++k) values.push_back(static_cast<float>(i * 100 + m * 10 + k));
  std::vector<unsigned char> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto source = std::make_unique<MemoryRowSource>(float32, samples, middle * cols, std::move(bytes));
  if (keep) *keep = source.get();
  return source;
}

std::vector<float> read_floats(PooledRowSource& source, const std::vector<RowRun>& runs) {
  return testing::read_rows_as<float>(source, runs);
}

TEST(PooledRowSource, FirstAndLastCopyOneVectorPerSampleInTheStoredType) {
  PooledRowSource first(tokens(6, 3, 2), {6, 3, 2}, PoolMode::first);
  EXPECT_EQ(first.rows(), 6u);
  EXPECT_EQ(first.cols(), 2u);
  EXPECT_EQ(first.stored_type(), float32);
  EXPECT_EQ(read_floats(first, {{1, 2}, {5, 1}}), (std::vector<float>{100, 101, 200, 201, 500, 501}));
  PooledRowSource last(tokens(6, 3, 2), {6, 3, 2}, PoolMode::last);
  EXPECT_EQ(read_floats(last, {{0, 1}, {4, 1}}), (std::vector<float>{20, 21, 420, 421}));
}

TEST(PooledRowSource, MeanAveragesInDoubleOverEveryMiddleAxis) {
  // (4, 2, 3, 2): the 6 vectors of a sample are averaged: mean of m*10 over m = 0..5 is 25.
  PooledRowSource mean(tokens(4, 6, 2), {4, 2, 3, 2}, PoolMode::mean);
  EXPECT_EQ(mean.stored_type(), (StoredType{StoredType::Kind::floating, 8, false}));
  EXPECT_EQ(mean.pooled_vectors(), 6u);
  std::vector<double> out(2 * 2);
  mean.read_rows({{1, 1}, {3, 1}}, reinterpret_cast<unsigned char*>(out.data()), out.size() * sizeof(double));
  EXPECT_EQ(out, (std::vector<double>{125, 126, 325, 326}));
}

TEST(PooledRowSource, MeanPropagatesNaNAndDoesNotOverflowNearTheLargestDouble) {
  const std::vector<double> values = {DBL_MAX, 1, DBL_MAX, std::numeric_limits<double>::quiet_NaN()};  // (1, 2, 2)
  std::vector<unsigned char> bytes(values.size() * sizeof(double));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  PooledRowSource mean(std::make_unique<MemoryRowSource>(float64, 1, 4, bytes), {1, 2, 2}, PoolMode::mean);
  std::vector<double> out(2);
  mean.read_rows({{0, 1}}, reinterpret_cast<unsigned char*>(out.data()), out.size() * sizeof(double));
  EXPECT_EQ(out[0], DBL_MAX);
  EXPECT_TRUE(std::isnan(out[1]));
}

TEST(PooledRowSource, FlattenMapsRunsInsideAndAcrossSamplesWithOneInnerRead) {
  MemoryRowSource* inner = nullptr;
  PooledRowSource flat(tokens(5, 3, 2, &inner), {5, 3, 2}, PoolMode::flatten);
  EXPECT_EQ(flat.rows(), 15u);
  EXPECT_EQ(flat.cols(), 2u);
  // Rows 2..5 (sample 0 token 2 to sample 1 token 2), row 7 (sample 2 token 1), rows 8..9 (sample 2 token 2,
  // sample 3 token 0), row 14 (sample 4 token 2): sample runs merged where they touch.
  const std::vector<float> got = read_floats(flat, {{2, 4}, {7, 1}, {8, 2}, {14, 1}});
  EXPECT_EQ(got, (std::vector<float>{20, 21, 100, 101, 110, 111, 120, 121, 210, 211, 220, 221, 300, 301, 420, 421}));
  EXPECT_EQ(inner->read_calls(), 1u);
  read_floats(flat, {});  // a rank with nothing to read still reads (nothing) once
  EXPECT_EQ(inner->read_calls(), 2u);
}

TEST(PooledRowSource, RefusesAShapeItsSourceDoesNotHoldAndRowsPastTheEnd) {
  EXPECT_THROW(PooledRowSource(tokens(5, 3, 2), {5, 2, 2}, PoolMode::mean), std::invalid_argument);
  EXPECT_THROW(PooledRowSource(tokens(5, 3, 2), {5, 3, 2}, PoolMode::none), std::invalid_argument);
  PooledRowSource flat(tokens(5, 3, 2), {5, 3, 2}, PoolMode::flatten);
  std::vector<float> out(4);
  EXPECT_THROW(flat.read_rows({{14, 2}}, reinterpret_cast<unsigned char*>(out.data()), out.size() * sizeof(float)),
               std::out_of_range);
}

TEST(PooledRowSource, ItsFingerprintIsItsSources) {
  MemoryRowSource* inner = nullptr;
  PooledRowSource mean(tokens(2, 2, 2, &inner), {2, 2, 2}, PoolMode::mean);
  const FileFingerprint before = mean.fingerprint();
  std::vector<unsigned char> bytes(2 * 4 * sizeof(float), 0);
  inner->replace_bytes(bytes);
  EXPECT_TRUE(before.change_to(mean.fingerprint()).has_value());
}

}  // namespace
}  // namespace rankme
