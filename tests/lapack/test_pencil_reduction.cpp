// reduce_pencil_to_standard: a pencil of known generalised eigenvalues reduced to C = L^-1 A L^-T, whose
// eigenvalues (dsyevd) are those values; only the lower triangles read; a larger leading dimension; B not
// positive definite (LapackFailure from dpotrf); sizes beyond LAPACK's int.
#include "rankme/lapack/pencil_reduction.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/syevd.hpp"
#include "support/known_matrices.hpp"

namespace rankme {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> spread_values(std::uint64_t n) {
  std::vector<double> values(n);
  for (std::uint64_t k = 0; k < n; ++k) values[k] = 0.5 + 6.0 * static_cast<double>((k * 7) % n) / static_cast<double>(n);
  return values;
}

TEST(PencilReduction, AKnownPencilReadingOnlyTheLowerTriangles) {
  for (std::uint64_t n : {1u, 2u, 9u, 60u, 200u}) {
    const std::vector<double> values = spread_values(n);
    testing::KnownPencil pencil = testing::known_pencil(values);
    testing::fill_upper_triangle(pencil.a, n, nan);  // read either and the answer is NaN
    testing::fill_upper_triangle(pencil.b, n, nan);
    reduce_pencil_to_standard(n, pencil.a.data(), n, pencil.b.data(), n);
    std::vector<double> w(n);
    dsyevd_eigenvalues(Triangle::lower, n, pencil.a.data(), n, w.data());
    std::vector<double> expected = values;
    std::sort(expected.begin(), expected.end());
    for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(w[k], expected[k], 1e-11 * 6.5) << n << " " << k;
  }
}

TEST(PencilReduction, ALargerLeadingDimensionIsNeverReadBeyondN) {
  const std::uint64_t n = 4, ld = 7;
  std::vector<double> a(ld * n, nan), b(ld * n, nan);
  const double diagonal_a[] = {2.0, -1.0, 0.0, 9.0}, diagonal_b[] = {4.0, 1.0, 2.0, 3.0};
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = j; i < n; ++i) {
      a[i + j * ld] = i == j ? diagonal_a[j] : 0.0;
      b[i + j * ld] = i == j ? diagonal_b[j] : 0.0;
    }
  }
  reduce_pencil_to_standard(n, a.data(), ld, b.data(), ld);
  std::vector<double> w(n);
  dsyevd_eigenvalues(Triangle::lower, n, a.data(), ld, w.data());
  const std::vector<double> expected = {-1.0, 0.0, 0.5, 3.0};
  for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(w[k], expected[k], 1e-15) << k;
  EXPECT_NEAR(b[0], 2.0, 1e-15);  // B became its Cholesky factor
  for (std::uint64_t i = n; i < ld; ++i) EXPECT_TRUE(std::isnan(a[i]) && std::isnan(b[i])) << i;  // untouched
}

TEST(PencilReduction, BNotPositiveDefiniteIsALapackFailure) {
  const std::uint64_t n = 3;
  std::vector<double> a = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::vector<double> b = {1, 0, 0, 0, -1, 0, 0, 0, 1};
  try {
    reduce_pencil_to_standard(n, a.data(), n, b.data(), n);
    FAIL() << "no exception";
  } catch (const LapackFailure& failure) {
    EXPECT_EQ(failure.routine(), "dpotrf");
    EXPECT_EQ(failure.info(), 2);  // the leading minor of order 2 is not positive
  }
}

TEST(PencilReduction, SizesBeyondLapacksIntAreRefusedBeforeAnyWork) {
  const std::uint64_t huge = std::uint64_t{1} << 31;
  EXPECT_THROW(reduce_pencil_to_standard(huge, nullptr, huge, nullptr, huge), std::length_error);
  EXPECT_THROW(reduce_pencil_to_standard(2, nullptr, 2, nullptr, huge), std::length_error);
}

}  // namespace
}  // namespace rankme
