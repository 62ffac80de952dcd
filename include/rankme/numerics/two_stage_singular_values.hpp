#pragma once
// The singular values of a square matrix in two stages, as LAPACK's two-stage eigensolvers do for
// symmetric matrices: dense -> upper band by blocked QR and LQ (matrix products), band -> bidiagonal
// (dgbbrd), bidiagonal -> values (dbdsqr). Pure numerics.
//
// dgesdd reduces straight to bidiagonal form (dgebrd): half of its 8/3 n^3 flops are matrix-vector
// products, each of which reads the whole trailing matrix, so at n = 2048 it streams tens of GB from
// memory and slows down sharply when other processes share the cache. Here the same flops are matrix
// products over panels of `bandwidth` columns, and the band stage works on n x (bandwidth + 1) values.
// Every step is an orthogonal transformation, so the values have the absolute accuracy of dgesdd's, about
// u s_1 (dbdsqr's are accurate to high relative accuracy for the bidiagonal it is given).
#include <cstdint>
#include <vector>

namespace rankme {

// All n singular values, descending, of the n x n column-major matrix `a` (leading dimension lda >=
// max(n, 1)), which is overwritten. `bandwidth` >= 1 (std::invalid_argument otherwise). Throws
// LapackFailure when dbdsqr does not converge.
std::vector<double> two_stage_singular_values(std::uint64_t n, double* a, std::uint64_t lda,
                                              std::uint64_t bandwidth = 32);

}  // namespace rankme
