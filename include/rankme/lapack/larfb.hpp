#pragma once
// LAPACK's application of a block reflector, dlarfb (forward direction, as dgeqrt3 makes them: geqrt3.hpp).
#include <cstdint>

namespace rankme {

enum class ReflectorSide { left, right };                    // H C or C H
enum class ReflectorStorage { columns, rows };               // V's reflectors are its columns (QR) or rows (LQ)

// C := H C, H^T C, C H or C H^T (`side`, `transpose`) for the m x n column-major `c` (leading dimension ldc
// >= max(m, 1)), where H = I - V T V^T (columns) or I - V^T T V (rows) is the block reflector of k
// reflectors: V unit lower trapezoidal (columns: (m or n) x k, leading dimension ldv) or unit upper
// trapezoidal (rows: k x (m or n)), T k x k upper triangular (leading dimension ldt >= k). The workspace
// is allocated here. Sizes are narrowed to LAPACK's int first (std::length_error naming the argument).
void dlarfb(ReflectorSide side, bool transpose, ReflectorStorage storage, std::uint64_t m, std::uint64_t n,
            std::uint64_t k, const double* v, std::uint64_t ldv, const double* t, std::uint64_t ldt, double* c,
            std::uint64_t ldc);

}  // namespace rankme
