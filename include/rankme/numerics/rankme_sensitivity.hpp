#pragma once
// How much RankMe moves when its singular values move: the first-order sensitivity that both predictions
// of a route's error use (precision_criterion.hpp for float32 block products, gram_route_error.hpp for the
// Gram route itself). Pure numerics.
//
// RankMe = exp(H), H = -sum_k p_k log p_k, p_k = s_k / S + eps, S = sum s. A relative change of RankMe is
// the change of H, and
//     dH/ds_k = (-(log p_k + 1) + sum_j (log p_j + 1) s_j / S) / S.
// Small singular values have the steepest slopes (log p_k is most negative), which is why collapsed
// spectra, with many of them, are where an error in the small ones shows.
#include <vector>

namespace rankme {

// dH/ds_k for every k; empty when the sum of `singular_values` is not positive (an all-zero matrix, whose
// RankMe is 0 whatever the rounding).
std::vector<double> entropy_slopes(const std::vector<double>& singular_values, double eps);

}  // namespace rankme
