// dsyevr_2stage through its wrapper: known spectra, the triangle read, and its errors.
#include "rankme/lapack/syevr_2stage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/lapack_error.hpp"
#include "support/known_matrices.hpp"

namespace rankme {
namespace {

using testing::fill_lower_triangle;
using testing::fill_upper_triangle;
using testing::orthogonally_similar;

const double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> ascending(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values;
}

// n distinct eigenvalues between 0.5 and 9.5 (and two equal ones from n = 4 on), not in order.
std::vector<double> known_values(std::uint64_t n) {
  std::vector<double> values(n);
  for (std::uint64_t k = 0; k < n; ++k) {
    values[k] = 0.5 + 9.0 * static_cast<double>((k * 5) % n) / static_cast<double>(n);
  }
  if (n >= 4) values[3] = values[1];
  return values;
}

TEST(Syevr2stage, AnOrthogonallySimilarMatrixHasTheKnownEigenvaluesFromEitherTriangle) {
  for (std::uint64_t n : {1u, 3u, 20u, 130u}) {
    const std::vector<double> expected = ascending(known_values(n));
    std::vector<double> lower = orthogonally_similar(known_values(n)), upper = lower;
    fill_upper_triangle(lower, n, nan);
    fill_lower_triangle(upper, n, nan);
    std::vector<double> from_lower(n), from_upper(n);
    dsyevr_2stage_eigenvalues(Triangle::lower, n, lower.data(), n, from_lower.data());
    dsyevr_2stage_eigenvalues(Triangle::upper, n, upper.data(), n, from_upper.data());
    for (std::uint64_t k = 0; k < n; ++k) {
      EXPECT_NEAR(from_lower[k], expected[k], 1e-12) << n << " " << k;
      EXPECT_NEAR(from_upper[k], expected[k], 1e-12) << n << " " << k;
    }
  }
}

TEST(Syevr2stage, AnEmptyMatrixHasNoEigenvalues) {
  EXPECT_NO_THROW(dsyevr_2stage_eigenvalues(Triangle::lower, 0, nullptr, 1, nullptr));
}

TEST(Syevr2stage, SizesBeyondLapacksIntThrowLengthErrorBeforeAnyWork) {
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  // Before ISUPPZ (2n integers) is allocated, too.
  EXPECT_THROW(dsyevr_2stage_eigenvalues(Triangle::lower, too_large, nullptr, too_large, nullptr), std::length_error);
  double a = 1, w = 0;
  EXPECT_THROW(dsyevr_2stage_eigenvalues(Triangle::lower, 1, &a, too_large, &w), std::length_error);
}

TEST(Syevr2stage, ALeadingDimensionBelowTheOrderIsALogicErrorNamingTheRoutineAndArgument) {
  std::vector<double> a(9, 1.0), w(3);
  try {
    dsyevr_2stage_eigenvalues(Triangle::lower, 3, a.data(), 2, w.data());
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dsyevr_2stage"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 6"), std::string::npos) << error.what();  // LDA
  }
}

}  // namespace
}  // namespace rankme
