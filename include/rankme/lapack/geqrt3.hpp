#pragma once
// LAPACK's recursive QR factorisation with the compact WY factor T, dgeqrt3.
#include <cstdint>

namespace rankme {

// A = Q R for the m x n column-major `a` (m >= n, leading dimension lda >= max(m, 1)): R in the upper
// triangle, the reflectors V below it (unit diagonal implied), Q = I - V T V^T with T (n x n upper
// triangular, leading dimension ldt >= max(n, 1)). Sizes are narrowed to LAPACK's int first
// (std::length_error naming the argument, before any work); std::logic_error on an argument LAPACK
// rejects (m < n among them).
void dgeqrt3(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* t, std::uint64_t ldt);

}  // namespace rankme
