// dgeqrt3 through its wrapper: the factor and the block reflector checked by plain loops (Q^T A = [R; 0]
// with Q = I - V T V^T), the narrowing of sizes and a shape LAPACK rejects.
#include "rankme/lapack/geqrt3.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/lapack_error.hpp"

namespace rankme {
namespace {

std::vector<double> test_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t lda) {
  std::vector<double> a(lda * cols, 0.0);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i < rows; ++i) a[i + j * lda] = std::cos(0.7 * static_cast<double>(i + 3 * j)) + 0.1 * static_cast<double>(i == j);
  }
  return a;
}

TEST(Geqrt3, QTransposeAIsRForTallAndSquarePanels) {
  for (std::uint64_t m : {std::uint64_t{5}, std::uint64_t{9}, std::uint64_t{40}}) {
    const std::uint64_t n = 5, lda = m + 2, ldt = n + 1;
    const std::vector<double> a = test_matrix(m, n, lda);
    std::vector<double> f = a, t(ldt * n, 0.0);
    dgeqrt3(m, n, f.data(), lda, t.data(), ldt);
    // Y = [unit lower trapezoid of V], W = Y T; Q^T A = A - Y T^T Y^T A.
    std::vector<double> y(m * n, 0.0);
    for (std::uint64_t j = 0; j < n; ++j) {
      y[j + j * m] = 1.0;
      for (std::uint64_t i = j + 1; i < m; ++i) y[i + j * m] = f[i + j * lda];
    }
    for (std::uint64_t c = 0; c < n; ++c) {
      std::vector<double> ya(n, 0.0), tya(n, 0.0);  // Y^T a_c, then T^T Y^T a_c
      for (std::uint64_t p = 0; p < n; ++p) {
        for (std::uint64_t i = 0; i < m; ++i) ya[p] += y[i + p * m] * a[i + c * lda];
      }
      for (std::uint64_t p = 0; p < n; ++p) {
        for (std::uint64_t q = 0; q <= p; ++q) tya[p] += t[q + p * ldt] * ya[q];
      }
      for (std::uint64_t i = 0; i < m; ++i) {
        double value = a[i + c * lda];
        for (std::uint64_t p = 0; p < n; ++p) value -= y[i + p * m] * tya[p];
        const double expected = i <= c ? f[i + c * lda] : 0.0;  // R above the diagonal, zero below
        EXPECT_NEAR(value, expected, 1e-13) << m << " rows, (" << i << "," << c << ")";
      }
    }
  }
}

TEST(Geqrt3, SizesBeyondLapacksIntThrowAndWrongShapesAreLogicErrors) {
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  EXPECT_THROW(dgeqrt3(too_large, 2, nullptr, too_large, nullptr, 2), std::length_error);
  EXPECT_THROW(dgeqrt3(2, 2, nullptr, 2, nullptr, too_large), std::length_error);
  std::vector<double> a(12, 1.0), t(16);
  try {
    dgeqrt3(3, 4, a.data(), 3, t.data(), 4);  // fewer rows than columns
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dgeqrt3"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace rankme
