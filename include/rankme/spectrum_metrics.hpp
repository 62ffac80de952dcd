#pragma once
// RankMe and the spectrum it is computed from. Pure numerics: no MPI, no HDF5.
#include <cstdint>
#include <vector>

namespace rankme {

// The paper's epsilon: p_k = s_k / sum(s) + eps.
inline constexpr double default_rankme_eps = 1e-7;

// Singular values of Z from the eigenvalues of its Gram matrix Z^T Z (any order): s_k = sqrt(lambda_k),
// descending, keeping the min(rows, cols) largest.
//
// The Gram route resolves eigenvalues only down to its rounding noise, a few u * lambda_1 (u the unit
// roundoff; measured 2.5 u at K = 64 and 7 u at K = 2048, both signs equally often). An eigenvalue at or
// below gram_noise_floor(cols) * lambda_1 is noise, and a float64 SVD of the same data would call it
// (close to) zero, so it becomes exactly zero: this is what makes an exactly rank-deficient matrix
// score like its SVD (to 1e-13 instead of 1e-5).
std::vector<double> singular_values_from_gram_eigenvalues(std::vector<double> eigenvalues,
                                                          std::uint64_t rows, std::uint64_t cols);

// Relative eigenvalue threshold used above: 4 sqrt(K) u, a 3-6x margin over the measured noise.
double gram_noise_floor(std::uint64_t cols);

// RankMe (Garrido et al., ICML 2023): exp(-sum_k p_k log p_k), p_k = s_k / sum(s) + eps over the given
// singular values. 0 when all are zero. The caller passes the min(N, K) values to use. Any NaN or
// infinity gives NaN (the caller reports such data as non-finite rather than as a number).
double rankme_from_singular_values(const std::vector<double>& singular_values,
                                   double eps = default_rankme_eps);

}  // namespace rankme
