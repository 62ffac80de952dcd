// The numerical check of the running BLAS kernel: it passes on this library with room to spare, and it fails
// on what a broken kernel would give.
//
// This executable defines cblas_dgemm, cblas_sgemm, cblas_dsyrk and cblas_ssyrk itself: the linker binds the
// check's calls to these spies, which forward to OpenBLAS's own routines (looked up in RANKME_OPENBLAS_LIBRARY)
// and then, when a test asks, spoil the result the way a broken kernel would. (Every kernel this machine can
// run is checked in a probe process by tests/app/test_cli_blas_guard.cpp.)
#include "rankme/lapack/blas_kernel_check.hpp"

#include <cblas.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace {

// What the next calls of a routine get wrong: nothing, one element of the result off by `relative` of its
// value (the last one, an edge of the matrix), a NaN there, or a write into the strict upper triangle.
enum class Spoil { none, off, not_a_number, upper_triangle };

struct Spy {
  const char* symbol;
  Spoil spoil = Spoil::none;
  double relative = 0;
  int calls = 0;

  template <typename Routine>
  Routine real() const {
    static void* const library = dlopen(RANKME_OPENBLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) throw std::runtime_error(std::string("dlopen ") + RANKME_OPENBLAS_LIBRARY + ": " + dlerror());
    void* const found = dlsym(library, symbol);
    if (found == nullptr) throw std::runtime_error(std::string("dlsym ") + symbol + ": " + dlerror());
    return reinterpret_cast<Routine>(found);
  }

  // C is column-major, m x n with leading dimension ldc.
  template <typename T>
  void spoil_result(T* c, int m, int n, int ldc) {
    ++calls;
    T& last = c[(m - 1) + static_cast<std::size_t>(n - 1) * ldc];
    switch (spoil) {
      case Spoil::none: break;
      case Spoil::off: last = static_cast<T>(last * (1 + relative)); break;
      case Spoil::not_a_number: last = std::numeric_limits<T>::quiet_NaN(); break;
      case Spoil::upper_triangle: c[0 + static_cast<std::size_t>(n - 1) * ldc] = T(0); break;
    }
  }
};

Spy dgemm_spy{"cblas_dgemm"}, sgemm_spy{"cblas_sgemm"}, dsyrk_spy{"cblas_dsyrk"}, ssyrk_spy{"cblas_ssyrk"};

}  // namespace

extern "C" {
void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE ta, const enum CBLAS_TRANSPOSE tb, const blasint m,
                 const blasint n, const blasint k, const double alpha, const double* a, const blasint lda, const double* b,
                 const blasint ldb, const double beta, double* c, const blasint ldc) {
  dgemm_spy.real<decltype(&cblas_dgemm)>()(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  dgemm_spy.spoil_result(c, m, n, ldc);
}
void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE ta, const enum CBLAS_TRANSPOSE tb, const blasint m,
                 const blasint n, const blasint k, const float alpha, const float* a, const blasint lda, const float* b,
                 const blasint ldb, const float beta, float* c, const blasint ldc) {
  sgemm_spy.real<decltype(&cblas_sgemm)>()(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  sgemm_spy.spoil_result(c, m, n, ldc);
}
void cblas_dsyrk(const enum CBLAS_ORDER order, const enum CBLAS_UPLO uplo, const enum CBLAS_TRANSPOSE trans, const blasint n,
                 const blasint k, const double alpha, const double* a, const blasint lda, const double beta, double* c,
                 const blasint ldc) {
  dsyrk_spy.real<decltype(&cblas_dsyrk)>()(order, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
  dsyrk_spy.spoil_result(c, n, n, ldc);
}
void cblas_ssyrk(const enum CBLAS_ORDER order, const enum CBLAS_UPLO uplo, const enum CBLAS_TRANSPOSE trans, const blasint n,
                 const blasint k, const float alpha, const float* a, const blasint lda, const float beta, float* c,
                 const blasint ldc) {
  ssyrk_spy.real<decltype(&cblas_ssyrk)>()(order, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
  ssyrk_spy.spoil_result(c, n, n, ldc);
}
}

namespace rankme {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class BlasKernelCheck : public ::testing::Test {
 protected:
  void TearDown() override {
    for (Spy* spy : {&dgemm_spy, &sgemm_spy, &dsyrk_spy, &ssyrk_spy}) {
      spy->spoil = Spoil::none;
      spy->calls = 0;
    }
  }
  // The check with `spy` spoiling every result it returns.
  static KernelCheckResult spoiled(Spy& spy, Spoil spoil, double relative = 0) {
    spy.spoil = spoil;
    spy.relative = relative;
    const KernelCheckResult result = check_blas_kernel();
    spy.spoil = Spoil::none;
    return result;
  }
};

TEST_F(BlasKernelCheck, PassesOnTheLoadedKernelWellInsideTheBound) {
  const KernelCheckResult result = check_blas_kernel();
  EXPECT_TRUE(result.passed) << result.failure;
  EXPECT_TRUE(result.failure.empty()) << result.failure;
  // Rounding errors of a correct kernel sit far below their bound: a check this loose could not miss a
  // broken kernel, and one this tight would not fail a correct one on another summation order.
  EXPECT_LT(result.worst, 0.25) << result.worst_case;
  EXPECT_FALSE(result.worst_case.empty());
  // Every routine rankme's results rest on, in both precisions.
  EXPECT_GE(dgemm_spy.calls, 3);
  EXPECT_GE(sgemm_spy.calls, 3);
  EXPECT_GE(dsyrk_spy.calls, 2);
  EXPECT_GE(ssyrk_spy.calls, 2);
}

TEST_F(BlasKernelCheck, FailsWhenOneElementIsSlightlyOff) {
  // 1e-10 of one element in double, 1e-4 in float: far beyond rounding, far below what a plot would show.
  const KernelCheckResult dgemm = spoiled(dgemm_spy, Spoil::off, 1e-10);
  EXPECT_FALSE(dgemm.passed);
  EXPECT_TRUE(contains(dgemm.failure, "dgemm")) << dgemm.failure;
  EXPECT_TRUE(contains(dgemm.failure, "times its rounding error bound")) << dgemm.failure;
  const KernelCheckResult dsyrk = spoiled(dsyrk_spy, Spoil::off, 1e-10);
  EXPECT_FALSE(dsyrk.passed);
  EXPECT_TRUE(contains(dsyrk.failure, "dsyrk")) << dsyrk.failure;
  const KernelCheckResult ssyrk = spoiled(ssyrk_spy, Spoil::off, 1e-4);
  EXPECT_FALSE(ssyrk.passed);
  EXPECT_TRUE(contains(ssyrk.failure, "ssyrk")) << ssyrk.failure;
}

TEST_F(BlasKernelCheck, FailsOnANanAndOnAWriteOutsideTheTriangle) {
  const KernelCheckResult nan = spoiled(sgemm_spy, Spoil::not_a_number);
  EXPECT_FALSE(nan.passed);
  EXPECT_TRUE(contains(nan.failure, "sgemm")) << nan.failure;
  const KernelCheckResult upper = spoiled(dsyrk_spy, Spoil::upper_triangle);
  EXPECT_FALSE(upper.passed);
  EXPECT_TRUE(contains(upper.failure, "dsyrk")) << upper.failure;
  EXPECT_TRUE(contains(upper.failure, "wrote outside the lower triangle")) << upper.failure;
}

TEST(BlasKernelCheckComparison, ErrorOverTolerance) {
  const double eps64 = std::numeric_limits<double>::epsilon(), eps32 = std::numeric_limits<float>::epsilon();
  // A dot product of 45 terms of size ~1/3 (magnitude 15) that left one term out, as an edge bug would.
  EXPECT_GT(error_over_tolerance(15.0 - 0.3, 15.0, 15.0, 45, eps64), 1e9);
  EXPECT_GT(error_over_tolerance(15.0 - 0.3, 15.0, 15.0, 45, eps32), 1e3);
  // A NaN or an infinity never passes, nor an error where every term was zero.
  EXPECT_TRUE(std::isinf(error_over_tolerance(std::nan(""), 1.0, 1.0, 45, eps64)));
  EXPECT_TRUE(std::isinf(error_over_tolerance(INFINITY, 1.0, 1.0, 45, eps64)));
  EXPECT_TRUE(std::isinf(error_over_tolerance(1e-300, 0.0, 0.0, 45, eps64)));
  // Exact is 0; an error at the bound (2k + 2) eps * magnitude is 1.
  EXPECT_EQ(error_over_tolerance(2.0, 2.0, 3.0, 45, eps64), 0.0);
  EXPECT_NEAR(error_over_tolerance(1.0 + 92 * eps32 * 4.0, 1.0, 4.0, 45, eps32), 1.0, 1e-6);
}

}  // namespace
}  // namespace rankme
