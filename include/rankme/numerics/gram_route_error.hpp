#pragma once
// The Gram route's own error, predicted from the spectrum it computed, for --method auto. Pure numerics.
//
// Why: the Gram route squares the singular values. Forming Z^T Z and solving for its eigenvalues in
// double both err by about sqrt(K) u lambda_1 (u = 2^-53) in every eigenvalue, so an eigenvalue near that
// size carries no information, and the route sets those below gram_noise_floor(K) lambda_1 = 4 sqrt(K) u
// lambda_1 to zero (spectrum_metrics.hpp). Singular values below about 1e-7 s_1 are therefore lost; a
// steep or collapsed spectrum has many of them, and their weight in the entropy is large (small p_k have
// the steepest slopes, rankme_sensitivity.hpp). Measured: logspace(0, -8, 256) singular values, 8,192
// rows, are 9e-7 off; a k^-3 power law over 512 columns is 1.1e-4 off, --precision double included.
//
// The prediction bounds what each computed s_k can be off by, and adds the effect on RankMe to first
// order (dH/ds_k):
//   - a kept s_k (its eigenvalue above the floor) is within [sqrt(s_k^2 - e), sqrt(s_k^2 + e)], e =
//     sqrt(K) u lambda_1; its move is the larger side. These errors have either sign from one k to the
//     next: they add in quadrature.
//   - a zeroed s_k may have been anything up to sqrt(floor + e): setting it to zero always lowers it, and
//     the slopes of small s_k share one sign, so these add linearly.
//   - evaluating H itself rounds m terms: m u.
// Calibrated against numpy (float64 Gram + eigvalsh, the same floor) and rankme on power-law and
// log-spaced spectra (docs/numerics.md): the prediction was above the true error in every case, by 1.1x
// to 80x, and below 1e-7 wherever the true error was below 1e-9.
#include <cstdint>
#include <vector>

namespace rankme {

// The relative RankMe error --method auto promises (--tolerance); above it, the dataset is scored again
// by TSQR.
inline constexpr double default_method_tolerance = 1e-6;

// The absolute error of every eigenvalue of a double Gram matrix of order `cols` whose largest eigenvalue
// is `largest_eigenvalue`: sqrt(K) u lambda_1.
double gram_eigenvalue_error(double largest_eigenvalue, std::uint64_t cols);

// The predicted relative RankMe error of a Gram-route spectrum: `singular_values` descending (the min(N,
// K) RankMe uses, those under the floor already zero, as singular_values_from_gram_eigenvalues gives
// them) of a Gram matrix of order `cols`. 0 for an empty or all-zero spectrum.
double predicted_gram_route_error(const std::vector<double>& singular_values, double eps, std::uint64_t cols);

}  // namespace rankme
