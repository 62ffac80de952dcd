#include "rankme/lapack/blas_kernel_check.hpp"

#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "rankme/lapack/blas_int.hpp"

namespace rankme {

namespace {

// Fixed inputs in [-1, 1): a 64-bit LCG (Knuth's MMIX constants), the same on every machine and library.
template <typename T>
std::vector<T> pseudo_random(std::size_t count, std::uint64_t seed) {
  std::vector<T> values(count);
  std::uint64_t state = seed * 2862933555777941757ULL + 3037000493ULL;
  for (T& value : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    value = static_cast<T>(static_cast<double>(state >> 11) * 0x1p-52 - 1.0);
  }
  return values;
}

template <typename T>
constexpr double epsilon_of() {
  return std::numeric_limits<T>::epsilon();
}

template <typename T>
const char* prefix() {
  return sizeof(T) == sizeof(double) ? "d" : "s";
}

// Folds one element's comparison into the result.
void compare(KernelCheckResult& result, const std::string& name, double value, double reference, double magnitude,
             std::size_t k, double epsilon) {
  const double ratio = error_over_tolerance(value, reference, magnitude, k, epsilon);
  if (!(ratio <= result.worst)) {  // a NaN ratio cannot happen (infinite instead), but must not pass either
    result.worst = ratio;
    result.worst_case = name;
  }
}

// C (n x n, column-major, lower) = beta C + A A^T, A n x k column-major: the Gram accumulation's call
// (gram_accumulator.cpp), whose row-major block of k rows of n values is this A. beta 1 on a C that already
// holds values, as a block is added to the running Gram; beta 0 as the float scratch is filled.
template <typename T>
void check_syrk(KernelCheckResult& result, std::size_t n, std::size_t k, T beta) {
  const std::string name = std::string(prefix<T>()) + "syrk " + std::to_string(n) + "x" + std::to_string(k) +
                           (beta != 0 ? " beta 1" : "");
  const std::vector<T> a = pseudo_random<T>(n * k, n * 131 + k);
  const std::vector<T> before = pseudo_random<T>(n * n, n * 7 + k * 3);
  // The strict upper triangle holds a value no product can give: a kernel that writes there is caught.
  std::vector<T> c(n * n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) c[i + j * n] = i >= j ? before[i + j * n] : T(1e30);
  }
  const blas_int order = to_blas_int(n, "check order"), depth = to_blas_int(k, "check depth");
  if constexpr (sizeof(T) == sizeof(double)) {
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, order, depth, 1.0, a.data(), order, beta, c.data(), order);
  } else {
    cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, order, depth, 1.0F, a.data(), order, beta, c.data(), order);
  }
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      if (i < j) {
        if (c[i + j * n] != T(1e30) && result.failure.empty()) {
          result.failure = name + " wrote outside the lower triangle";
        }
        continue;
      }
      double sum = beta != 0 ? static_cast<double>(before[i + j * n]) : 0.0;
      double magnitude = std::abs(sum);
      for (std::size_t l = 0; l < k; ++l) {
        const double term = static_cast<double>(a[i + l * n]) * static_cast<double>(a[j + l * n]);
        sum += term;
        magnitude += std::abs(term);
      }
      compare(result, name, c[i + j * n], sum, magnitude, k, epsilon_of<T>());
    }
  }
}

// C (m x n, column-major) = op(A) op(B), beta 0.
template <typename T>
void check_gemm(KernelCheckResult& result, bool transpose_a, bool transpose_b, std::size_t m, std::size_t n,
                std::size_t k) {
  const std::string name = std::string(prefix<T>()) + "gemm " + (transpose_a ? "T" : "N") + (transpose_b ? "T" : "N") +
                           " " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  // op(A) is m x k: A is stored m x k (lda m) or k x m (lda k); likewise op(B) k x n.
  const std::vector<T> a = pseudo_random<T>(m * k, m * 17 + k);
  const std::vector<T> b = pseudo_random<T>(k * n, n * 29 + k);
  std::vector<T> c(m * n, T(1e30));
  const std::size_t lda = transpose_a ? k : m, ldb = transpose_b ? n : k;
  const auto a_at = [&](std::size_t i, std::size_t l) { return transpose_a ? a[l + i * lda] : a[i + l * lda]; };
  const auto b_at = [&](std::size_t l, std::size_t j) { return transpose_b ? b[j + l * ldb] : b[l + j * ldb]; };
  const CBLAS_TRANSPOSE op_a = transpose_a ? CblasTrans : CblasNoTrans, op_b = transpose_b ? CblasTrans : CblasNoTrans;
  const blas_int rows = to_blas_int(m, "check rows"), cols = to_blas_int(n, "check columns");
  const blas_int depth = to_blas_int(k, "check depth");
  if constexpr (sizeof(T) == sizeof(double)) {
    cblas_dgemm(CblasColMajor, op_a, op_b, rows, cols, depth, 1.0, a.data(), static_cast<blas_int>(lda), b.data(),
                static_cast<blas_int>(ldb), 0.0, c.data(), rows);
  } else {
    cblas_sgemm(CblasColMajor, op_a, op_b, rows, cols, depth, 1.0F, a.data(), static_cast<blas_int>(lda), b.data(),
                static_cast<blas_int>(ldb), 0.0F, c.data(), rows);
  }
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < m; ++i) {
      double sum = 0, magnitude = 0;
      for (std::size_t l = 0; l < k; ++l) {
        const double term = static_cast<double>(a_at(i, l)) * static_cast<double>(b_at(l, j));
        sum += term;
        magnitude += std::abs(term);
      }
      compare(result, name, c[i + j * m], sum, magnitude, k, epsilon_of<T>());
    }
  }
}

template <typename T>
void check_precision(KernelCheckResult& result) {
  check_syrk<T>(result, 67, 45, T(1));
  check_syrk<T>(result, 131, 211, T(1));
  check_syrk<T>(result, 67, 45, T(0));
  check_syrk<T>(result, 131, 211, T(0));
  check_gemm<T>(result, false, false, 67, 45, 33);
  check_gemm<T>(result, true, false, 131, 97, 103);  // M N K above 100^3: the blocked kernels
  check_gemm<T>(result, false, true, 45, 67, 29);
  check_gemm<T>(result, false, false, 129, 113, 107);
}

}  // namespace

double error_over_tolerance(double result, double reference, double magnitude, std::size_t k, double epsilon) {
  if (!std::isfinite(result)) return std::numeric_limits<double>::infinity();
  const double error = std::abs(result - reference);
  if (error == 0) return 0;
  const double tolerance = (2.0 * static_cast<double>(k) + 2.0) * epsilon * magnitude;
  return tolerance > 0 ? error / tolerance : std::numeric_limits<double>::infinity();
}

KernelCheckResult check_blas_kernel() {
  KernelCheckResult result;
  check_precision<double>(result);
  check_precision<float>(result);
  if (result.failure.empty() && !(result.worst < 1)) {
    result.failure = result.worst_case + " is off by " + std::to_string(result.worst) +
                     " times its rounding error bound";
  }
  result.passed = result.failure.empty();
  return result;
}

}  // namespace rankme
