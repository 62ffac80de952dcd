#pragma once
// LAPACK's reduction of a band matrix to bidiagonal form, dgbbrd, without the transformations.
#include <cstdint>

namespace rankme {

// The upper bidiagonal d (n values) and e (n - 1 values) of an n x n upper band matrix with `ku`
// superdiagonals, held in LAPACK's band storage `ab` (leading dimension ldab >= ku + 1: A(i, j) at
// ab[ku + i - j + j * ldab] for max(0, j - ku) <= i <= j), which is overwritten. Its singular values are
// A's. Sizes are narrowed to LAPACK's int first (std::length_error naming the argument); std::logic_error
// on an argument LAPACK rejects.
void dgbbrd_upper_band(std::uint64_t n, std::uint64_t ku, double* ab, std::uint64_t ldab, double* d, double* e);

}  // namespace rankme
