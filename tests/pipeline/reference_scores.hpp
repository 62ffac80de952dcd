// What the --pool and --concat scoring tests (test_pooled_scores.cpp, test_concatenated_scores.cpp) share:
// options that keep the Gram in double, a score checked against its LAPACK reference and the same on every
// rank, and rows of a reference matrix.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_score.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme::testing {

inline ScoreOptions double_options(std::uint64_t block_rows = 0) {
  ScoreOptions options;
  options.precision = Precision::double_precision;
  options.block_rows = block_rows;
  return options;
}

inline void expect_score(const DatasetResult& result, double expected, double tolerance, const std::string& what) {
  EXPECT_EQ(result.status, ResultStatus::ok) << what << ": " << result.error;
  ASSERT_TRUE(result.rankme.has_value()) << what;
  EXPECT_LE(relative_difference(*result.rankme, expected), tolerance)
      << what << ": RankMe " << *result.rankme << ", reference " << expected;
  // The same number on every rank, bit for bit.
  const double mine = *result.rankme;
  EXPECT_EQ(values_of_rank_zero({mine}).front(), mine) << what;
}

// Rows `rows` of a row-major matrix of `cols` columns.
inline std::vector<double> select_rows(const std::vector<double>& matrix, std::uint64_t cols,
                                       const std::vector<std::uint64_t>& rows) {
  std::vector<double> selected;
  for (const std::uint64_t row : rows) {
    selected.insert(selected.end(), matrix.begin() + static_cast<std::ptrdiff_t>(row * cols),
                    matrix.begin() + static_cast<std::ptrdiff_t>((row + 1) * cols));
  }
  return selected;
}

}  // namespace rankme::testing
