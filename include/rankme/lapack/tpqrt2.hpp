#pragma once
// LAPACK's unblocked QR factorisation of a triangle on top of a pentagon, dtpqrt2.
#include <cstdint>

namespace rankme {

// [A; B] = Q [R; 0] for A (n x n upper triangular, column-major, leading dimension lda >= max(n, 1)) on top
// of B (m x n, column-major, leading dimension ldb >= max(m, 1)), whose last l rows (l <= min(m, n)) are
// upper trapezoidal (the pentagon; l = 0: B is dense). R overwrites A, the reflectors' lower parts V
// overwrite B (Q = I - [I; V] T [I; V]^T), and T (n x n upper triangular, leading dimension ldt >=
// max(n, 1)) receives the block reflector's factor. No workspace. Sizes are narrowed to LAPACK's int
// first (std::length_error naming the argument, before any work); std::logic_error on an argument LAPACK
// rejects.
void dtpqrt2(std::uint64_t m, std::uint64_t n, std::uint64_t l, double* a, std::uint64_t lda, double* b,
             std::uint64_t ldb, double* t, std::uint64_t ldt);

}  // namespace rankme
