// dgesdd (singular values only) through its wrapper: known singular values, the workspace query, the
// narrowing of sizes and what INFO turns into.
//
// This executable defines dgesdd_ itself: the linker binds the wrapper's calls to this spy, which records
// the workspace length of each call, forwards to LAPACK's own dgesdd_ (real_lapack.hpp) and can then
// overwrite INFO, to see what the wrapper makes of it.



#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/gesdd.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"
#include "real_lapack.hpp"
#include "support/known_matrices.hpp"
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <functional>
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
int forced_info = 0;  // written over INFO after a call that is not a query, when non-zero

}  // namespace

extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
                        double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
                        int* iwork, int* info, std::size_t jobz_length) {
  using Routine = void (*)(const char*, const int*, const int*, double*, const int*, double*, double*, const int*,
                           double*, const int*, double*, const int*, int*, int*, std::size_t);
  const auto real = rankme::testing::real_lapack_routine<Routine>("dgesdd_");
  real(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, jobz_length);
  const bool query = *lwork == -1;
  calls.push_back({*lwork, query ? work[0] : 0.0});
  if (!query && forced_info != 0) *info = forced_info;
}

namespace rankme {
namespace {

using testing::householder_reflector;
using testing::product;

// H1 (rows x rows) times the rows x cols matrix with `singular` on its diagonal times H2 (cols x cols):
// two orthogonal factors, so its singular values are exactly |singular|.
std::vector<double> with_singular_values(const std::vector<double>& singular, std::uint64_t rows,
                                         std::uint64_t cols) {
  std::vector<double> diagonal(rows * cols, 0.0);
  for (std::uint64_t k = 0; k < singular.size(); ++k) diagonal[k + k * rows] = singular[k];
  const std::vector<double> left = product(householder_reflector(rows, 0.3), diagonal, rows, rows, cols);
  return product(left, householder_reflector(cols, 2.1), rows, cols, cols);
}

TEST(Gesdd, KnownSingularValuesOfTallWideAndSquareMatrices) {
  struct Shape {
    std::uint64_t rows, cols;
  };
  for (const Shape& shape : {Shape{40, 6}, Shape{6, 40}, Shape{25, 25}, Shape{1, 1}, Shape{200, 90}}) {
    const std::uint64_t count = std::min(shape.rows, shape.cols);
    std::vector<double> singular(count);
    for (std::uint64_t k = 0; k < count; ++k) singular[k] = 0.25 + static_cast<double>((k * 3) % count);
    std::vector<double> a = with_singular_values(singular, shape.rows, shape.cols), s(count);
    dgesdd_singular_values(shape.rows, shape.cols, a.data(), shape.rows, s.data());
    std::sort(singular.begin(), singular.end(), std::greater<>());
    for (std::uint64_t k = 0; k < count; ++k) {
      EXPECT_NEAR(s[k], singular[k], 1e-12 * static_cast<double>(count)) << shape.rows << "x" << shape.cols << " " << k;
    }
  }
}

TEST(Gesdd, TheWorkspaceQueryComesFirstAndSizesTheCall) {
  calls.clear();
  std::vector<double> singular(60, 1.0);
  std::vector<double> a = with_singular_values(singular, 150, 60), s(60);
  dgesdd_singular_values(150, 60, a.data(), 150, s.data());
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].lwork, -1);
  EXPECT_GE(calls[0].work_answer, 3.0 * 60 + 150);  // LAPACK's minimum for JOBZ = 'N': 3 mn + max(mx, 7 mn)
  EXPECT_EQ(calls[1].lwork, workspace_length(calls[0].work_answer, "lwork"));
}

TEST(Gesdd, SizesBeyondLapacksIntThrowLengthErrorBeforeAnyWork) {
  calls.clear();
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  // Before IWORK (8 min(m, n) integers) is allocated, too.
  EXPECT_THROW(dgesdd_singular_values(too_large, too_large, nullptr, too_large, nullptr), std::length_error);
  double a = 1, s = 0;
  try {
    dgesdd_singular_values(1, 1, &a, too_large, &s);
    FAIL() << "no exception";
  } catch (const std::length_error& error) {
    EXPECT_NE(std::string(error.what()).find("leading dimension"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(calls.empty());
}

TEST(Gesdd, ALeadingDimensionBelowTheRowsIsALogicErrorNamingTheRoutineAndArgument) {
  std::vector<double> a(20, 1.0), s(4);
  try {
    dgesdd_singular_values(5, 4, a.data(), 4, s.data());
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dgesdd"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 5"), std::string::npos) << error.what();  // LDA
  }
}

TEST(Gesdd, APositiveInfoIsALapackFailureNamingTheRoutine) {
  forced_info = 2;
  std::vector<double> singular(3, 2.0);
  std::vector<double> a = with_singular_values(singular, 4, 3), s(3);
  try {
    dgesdd_singular_values(4, 3, a.data(), 4, s.data());
    ADD_FAILURE() << "no exception";
  } catch (const LapackFailure& failure) {
    EXPECT_EQ(failure.routine(), "dgesdd");
    EXPECT_EQ(failure.info(), 2);
  }
  forced_info = 0;
}

}  // namespace
}  // namespace rankme
