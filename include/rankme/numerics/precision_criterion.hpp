#pragma once
// --precision: which block products build the Gram matrix, and when float32 products are good enough.
// Pure numerics.
//
// Mixed precision rounds each block's products at float32's u = 2^-24 (the sums over blocks are in
// double). That error E (a K x K matrix) moves each eigenvalue by about v_k^T E v_k: for errors that
// behave like independent entries of RMS size ||E||_F / K, by delta = sqrt(2) ||E||_F / K typically. Large
// eigenvalues do not notice; small ones drown (an eigenvalue below delta comes out anywhere in [0, 2 delta]),
// and collapsed runs, the ones RankMe exists to catch, have exactly such spectra.
//
// The criterion (--precision auto) measures E instead of guessing it. An entry's rounding depends only on
// its two columns and on the depth of the product, so rank 0 multiplies c = min(K, 128) evenly spaced
// columns of its whole first block both in float32 (ssyrk, the same kernel and depth as the real products)
// and in double: e_c = ||fl32(B_c^T B_c) - B_c^T B_c||_F is the float32 error of that c x c part of one
// block product (it includes the rounding of wider stored types to float32). Scaled to all K^2 entries
// (x K / c) and added in quadrature over independent blocks, the whole matrix's error is estimated as
//     ||E||_F ~ e_c * (K / c) * sqrt(rows / block_rows).
// From the mixed spectrum s_1 >= ... >= s_m, each s_k moves by at most e_k = sqrt(s_k^2 + delta) - s_k,
// and RankMe = exp(H) by the first-order change of H,
//     predicted relative error = sqrt(sum_k (dH/ds_k * e_k)^2),
// dH/ds_k = (-(log p_k + 1) + sum_j (log p_j + 1) s_j / S) / S, S = sum s. The mixed result is kept when
// the prediction is at most 1e-8, 100 times below the 1e-6 that auto promises (--tolerance / 100); otherwise the dataset is
// scored again in double. The README's Precision section has the measured predictions against the true
// errors.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rankme {

enum class Precision {
  double_precision,  // double block products (dsyrk) all the way
  mixed,             // float32 block products (ssyrk), summed into the double Gram after every block
  automatic,         // mixed, then double again when the criterion says float32 may be off
};

// "double", "mixed", "auto"; and the inverse (throws std::invalid_argument).
std::string precision_name(Precision precision);
Precision precision_from_name(const std::string& name);

// Columns of rank 0's first block that --precision auto multiplies in both precisions.
inline constexpr std::uint64_t float32_probe_columns = 128;

// The predicted RankMe error up to which auto keeps the mixed result: a hundredth of the tolerance that the
// result promises (--tolerance, 1e-6 by default; gram_route_error.hpp), so that float32 rounding uses
// little of it.
inline constexpr double mixed_precision_share_of_tolerance = 1e-2;

// What the probe measured: the float32 error (Frobenius norm, both triangles) of the product of `columns`
// columns of a block of `rows` rows.
struct Float32ProductError {
  std::uint64_t rows = 0;
  std::uint64_t columns = 0;
  double error = 0;
};

// The estimate of ||E||_F above for a Gram matrix of `cols` columns and `rows` rows scored.
double estimated_float32_gram_error(const Float32ProductError& probe, std::uint64_t cols, std::uint64_t rows);

// The predicted relative RankMe error of `singular_values` (descending, the m = min(N, K) used by RankMe)
// when the Gram matrix of order `cols` carries an error of Frobenius norm `gram_error`.
double predicted_rankme_error(const std::vector<double>& singular_values, double eps, double gram_error,
                              std::uint64_t cols);

}  // namespace rankme
