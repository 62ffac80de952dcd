// two_stage_singular_values against LAPACK's dgesdd of the same matrix (the test reference), on known
// spectra down to 1e-10 s_1, triangular and dense matrices, bands that do not divide n and bands wider
// than n, and the edge cases.
#include "rankme/numerics/two_stage_singular_values.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/lapack_reference.hpp"

namespace rankme {
namespace {

// The values of the row-major n x n matrix z, two ways: two-stage (on z as the column-major z^T, padded to
// leading dimension n + 2) and dgesdd of z.
void expect_same_values(const std::vector<double>& z, std::uint64_t n, std::uint64_t bandwidth, const std::string& what) {
  const std::uint64_t lda = n + 2;
  std::vector<double> a(lda * n, 0.0);
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::uint64_t j = 0; j < n; ++j) a[j + i * lda] = z[i * n + j];
  }
  const std::vector<double> found = two_stage_singular_values(n, a.data(), lda, bandwidth);
  const std::vector<double> reference = testing::reference_singular_values(z, n, n);
  ASSERT_EQ(found.size(), reference.size()) << what;
  for (std::size_t k = 0; k < found.size(); ++k) {
    EXPECT_NEAR(found[k], reference[k], 1e-13 * reference[0]) << what << ", k " << k;
    if (k > 0) {
      EXPECT_LE(found[k], found[k - 1]) << what;
    }
  }
}

TEST(TwoStageSingularValues, MatchDgesddOnSteepSpectraWhateverTheBand) {
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{37}, std::uint64_t{130}}) {
    std::vector<double> spectrum(n);
    for (std::uint64_t k = 0; k < n; ++k) spectrum[k] = std::pow(10.0, -10.0 * static_cast<double>(k) / static_cast<double>(std::max<std::uint64_t>(n - 1, 1)));
    const std::vector<double> z = testing::matrix_with_singular_values(n, n, spectrum, 5 + n);
    for (std::uint64_t bandwidth : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{32}, std::uint64_t{200}}) {
      expect_same_values(z, n, bandwidth, std::to_string(n) + " x " + std::to_string(n) + ", band " + std::to_string(bandwidth));
    }
    // The spectrum itself, to the same absolute accuracy.
    std::vector<double> a(n * n);
    for (std::uint64_t i = 0; i < n; ++i) {
      for (std::uint64_t j = 0; j < n; ++j) a[j + i * n] = z[i * n + j];
    }
    const std::vector<double> found = two_stage_singular_values(n, a.data(), n, 16);
    for (std::uint64_t k = 0; k < n; ++k) EXPECT_NEAR(found[k], spectrum[k], 1e-13) << "n " << n << ", k " << k;
  }
}

TEST(TwoStageSingularValues, UpperTriangularAndRankDeficientMatrices) {
  // An R factor (upper triangular) with a graded diagonal, and a matrix with a zero block of columns.
  const std::uint64_t n = 90;
  std::vector<double> r(n * n, 0.0);
  const std::vector<double> random = testing::random_values(n * n, 9);
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::uint64_t j = i; j < n; ++j) r[i * n + j] = random[i * n + j] * std::pow(10.0, -8.0 * static_cast<double>(i) / n);
  }
  expect_same_values(r, n, 8, "upper triangular");
  std::vector<double> deficient = testing::random_values(n * n, 10);
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::uint64_t j = 40; j < n; ++j) deficient[i * n + j] = 0.0;
  }
  expect_same_values(deficient, n, 16, "50 zero columns");
  std::vector<double> zero(n * n, 0.0);
  const std::vector<double> none = two_stage_singular_values(n, zero.data(), n, 16);
  for (double value : none) EXPECT_EQ(value, 0.0);
}

TEST(TwoStageSingularValues, EmptyMatricesZeroBandsAndShortLeadingDimensions) {
  EXPECT_TRUE(two_stage_singular_values(0, nullptr, 1).empty());
  std::vector<double> a(9, 1.0);
  EXPECT_THROW(two_stage_singular_values(3, a.data(), 3, 0), std::invalid_argument);
  EXPECT_THROW(two_stage_singular_values(3, a.data(), 2), std::logic_error);
}

}  // namespace
}  // namespace rankme
