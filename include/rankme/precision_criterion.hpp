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
// The criterion (--precision auto) measures E instead of guessing it: rank 0 multiplies the first
// float32_probe_rows rows of its first block both in float32 and in double, which gives the float32 error
// of one product of that depth, e_probe = ||fl32(B^T B) - B^T B||_F (it includes the rounding of wider
// stored types to float32). Errors grow about linearly with the depth of a product and add in quadrature
// over independent blocks, so the whole matrix's error is estimated as
//     ||E||_F ~ e_probe * (block_rows / probe_rows) * sqrt(rows / block_rows)
// (measured on Gaussian and power-law data at 8192 x 512 and 25,600 x 2,048: the estimate is 1 to 4 times
// the true error). From the mixed spectrum s_1 >= ... >= s_m, each s_k moves by at most
// e_k = sqrt(s_k^2 + delta) - s_k, and RankMe = exp(H) by the first-order change of H,
//     predicted relative error = sqrt(sum_k (dH/ds_k * e_k)^2),
// dH/ds_k = (-(log p_k + 1) + sum_j (log p_j + 1) s_j / S) / S, S = sum s. Measured on 12 spectra (Gaussian,
// column scales k^-0.5 and k^-1, power laws to 1e-1 ... 1e-6, 100 equal values over 1e-2, 1e-4 or 0,
// an offset, half-zero columns) the prediction is within 0.03 to 25 times the true error of the mixed
// result against a float64 SVD. The mixed result is kept when the prediction is at most 1e-8, 100 times
// below the 1e-6 that auto promises; otherwise the dataset is scored again in double.
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

// Rows of rank 0's first block that --precision auto multiplies in both precisions.
inline constexpr std::uint64_t float32_probe_rows = 256;

// The predicted RankMe error up to which auto keeps the mixed result.
inline constexpr double mixed_precision_tolerance = 1e-8;

// The estimate of ||E||_F above, from the probe's error; `block_rows` is the depth of the block products,
// `rows` the number of rows scored.
double estimated_float32_gram_error(double probe_error, std::uint64_t probe_rows, std::uint64_t block_rows,
                                    std::uint64_t rows);

// The predicted relative RankMe error of `singular_values` (descending, the m = min(N, K) used by RankMe)
// when the Gram matrix of order `cols` carries an error of Frobenius norm `gram_error`.
double predicted_rankme_error(const std::vector<double>& singular_values, double eps, double gram_error,
                              std::uint64_t cols);

}  // namespace rankme
