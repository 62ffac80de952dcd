#pragma once
// LAPACK's singular values of a bidiagonal matrix, dbdsqr without vectors (the dqds algorithm, to high
// relative accuracy).
#include <cstdint>

namespace rankme {

// The singular values of the n x n upper bidiagonal matrix with diagonal d (n values) and superdiagonal e
// (n - 1 values, e has room for n), descending, into d; e is overwritten. Sizes are narrowed to LAPACK's
// int first (std::length_error); std::logic_error on an argument LAPACK rejects, LapackFailure when it
// does not converge.
void dbdsqr_singular_values(std::uint64_t n, double* d, double* e);

}  // namespace rankme
