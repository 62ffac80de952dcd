// dgeqrf through its wrapper: R of a known matrix (R^T R = A^T A), the workspace query, the narrowing of
// sizes and an invalid argument.
//
// This executable defines dgeqrf_ itself: the linker binds the wrapper's calls to this spy, which records
// the workspace length of each call and forwards to LAPACK's own dgeqrf_ (real_lapack.hpp).



#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/geqrf.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"
#include "real_lapack.hpp"
#include "support/known_matrices.hpp"
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Call {
  int lwork = 0;
  double work_answer = 0;  // WORK(1) after a query
};
std::vector<Call> calls;

}  // namespace

extern "C" void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
                        const int* lwork, int* info) {
  using Routine = void (*)(const int*, const int*, double*, const int*, double*, double*, const int*, int*);
  const auto real = rankme::testing::real_lapack_routine<Routine>("dgeqrf_");
  real(m, n, a, lda, tau, work, lwork, info);
  calls.push_back({*lwork, *lwork == -1 ? work[0] : 0.0});
}

namespace rankme {
namespace {

// A rows x cols column-major matrix of distinct, unremarkable values.
std::vector<double> test_matrix(std::uint64_t rows, std::uint64_t cols) {
  std::vector<double> a(rows * cols);
  for (std::uint64_t i = 0; i < a.size(); ++i) a[i] = std::cos(0.7 * static_cast<double>(i)) + 0.1;
  return a;
}

// A^T A of the rows x cols matrix a (leading dimension lda), by plain loops.
std::vector<double> cross_product(const std::vector<double>& a, std::uint64_t rows, std::uint64_t cols,
                                  std::uint64_t lda) {
  std::vector<double> c(cols * cols, 0.0);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i < cols; ++i) {
      for (std::uint64_t k = 0; k < rows; ++k) c[i + j * cols] += a[k + i * lda] * a[k + j * lda];
    }
  }
  return c;
}

// R (min(rows, cols) x cols, upper trapezoid) out of dgeqrf's result, as a rows x cols matrix with zeros.
std::vector<double> r_factor(const std::vector<double>& qr, std::uint64_t rows, std::uint64_t cols,
                             std::uint64_t lda) {
  std::vector<double> r(rows * cols, 0.0);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i <= std::min(j, rows - 1); ++i) r[i + j * rows] = qr[i + j * lda];
  }
  return r;
}

TEST(Geqrf, RTransposeRIsATransposeAForTallWideAndSquareMatrices) {
  struct Shape {
    std::uint64_t rows, cols, lda;
  };
  for (const Shape& shape : {Shape{50, 8, 50}, Shape{8, 8, 11}, Shape{5, 12, 5}, Shape{300, 70, 301}}) {
    std::vector<double> a = test_matrix(shape.lda, shape.cols);
    const std::vector<double> expected = cross_product(a, shape.rows, shape.cols, shape.lda);
    std::vector<double> tau(std::min(shape.rows, shape.cols));
    dgeqrf(shape.rows, shape.cols, a.data(), shape.lda, tau.data());
    const std::vector<double> r = r_factor(a, shape.rows, shape.cols, shape.lda);
    const std::vector<double> found = cross_product(r, shape.rows, shape.cols, shape.rows);
    for (std::size_t k = 0; k < expected.size(); ++k) {
      EXPECT_NEAR(found[k], expected[k], 1e-12 * static_cast<double>(shape.rows)) << shape.rows << "x" << shape.cols;
    }
    for (double t : tau) EXPECT_TRUE(t >= 0.0 && t <= 2.0) << t;  // a Householder scalar
  }
}

TEST(Geqrf, TheWorkspaceQueryComesFirstAndSizesTheCall) {
  calls.clear();
  std::vector<double> a = test_matrix(400, 100), tau(100);
  dgeqrf(400, 100, a.data(), 400, tau.data());
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].lwork, -1);
  EXPECT_GE(calls[0].work_answer, 100.0);  // at least N; the blocked code asks for N * NB
  EXPECT_EQ(calls[1].lwork, workspace_length(calls[0].work_answer, "lwork"));
}

TEST(Geqrf, SizesBeyondLapacksIntThrowLengthErrorBeforeAnyCall) {
  calls.clear();
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  try {
    dgeqrf(too_large, 2, nullptr, too_large, nullptr);
    FAIL() << "no exception";
  } catch (const std::length_error& error) {
    EXPECT_NE(std::string(error.what()).find("rows"), std::string::npos) << error.what();
  }
  EXPECT_THROW(dgeqrf(2, too_large, nullptr, 2, nullptr), std::length_error);
  EXPECT_THROW(dgeqrf(2, 2, nullptr, too_large, nullptr), std::length_error);
  EXPECT_TRUE(calls.empty());
}

TEST(Geqrf, ALeadingDimensionBelowTheRowsIsALogicErrorNamingTheRoutineAndArgument) {
  std::vector<double> a(12, 1.0), tau(3);
  try {
    dgeqrf(4, 3, a.data(), 3, tau.data());
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dgeqrf"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 4"), std::string::npos) << error.what();  // LDA
  }
}

}  // namespace
}  // namespace rankme
