#pragma once
// Accumulates the Gram matrix Z^T Z of a matrix that arrives in row blocks. Pure numerics.
#include <cstdint>
#include <optional>
#include <vector>

#include "rankme/numerics/precision_criterion.hpp"

namespace rankme {

// What one decoded row block looked like; computed while widening it to double (stored_type.hpp).
struct BlockStatistics {
  double max_abs = 0;        // largest |value| among the finite values
  bool all_finite = true;    // false when any value is NaN or +-Inf
};

// The K x K Gram matrix in double, accumulated over row blocks, column-major with the LOWER triangle valid
// (the upper one is never written): OpenBLAS's dsyevd is 22% faster on 'L' than on 'U' at K = 4096.
//
// Two kinds of block product feed it: add_block (double values, dsyrk) and add_block_single (float32 values,
// ssyrk into a float32 K x K scratch, added into the double matrix after every block: --precision mixed).
// The float32 products round each block's sums at about 2^-24; summing blocks in double keeps that error
// from growing with N the way a float32 Gram of the whole matrix does.
//
// Values whose squares would overflow or underflow double (|z| beyond about 1e154 or below 1e-154) are
// handled by an exact power-of-two scale: the accumulator holds G / 4^scale_exponent. RankMe and the
// other spectral ratios do not depend on the scale, and ordinary data never triggers it (the exponent
// stays 0 while the largest |value| is within 2^+-300), so their Gram matrix is bit-for-bit the plain one.
//
// Centred (`centre` true): the matrix is (Z - 1 mu^T)^T (Z - 1 mu^T) for the column means mu of all rows
// added, never Z^T Z - N mu mu^T (which cancels catastrophically when the mean is large against the
// spread: the bug class of Spark's and faiss's covariance). Each block is centred on its own mean before
// dsyrk, and blocks merge with the pairwise update of Chan, Golub and LeVeque:
//   n = n_a + n_b,  delta = mu_b - mu_a,  mu = mu_a + delta n_b / n,  C = C_a + C_b + delta delta^T n_a n_b / n.
class GramAccumulator {
 public:
  explicit GramAccumulator(std::uint64_t cols, bool centre = false);

  // Adds block^T block for `rows` rows of `cols` values each, row-major. `block` may be rescaled in place
  // (by a power of two) when the data needs it. `stats` must describe the block (its finite max |value|).
  void add_block(double* block, std::uint64_t rows, const BlockStatistics& stats);

  // Adds block^T block for `rows` rows of float32 values that hold the data times 2^-block_exponent
  // (single_precision_block.hpp chooses the exponent that keeps float32 squares and sums in range), with
  // `max_abs` the block's largest |value| before that scaling. Uncentred accumulators only.
  void add_block_single(const float* block, std::uint64_t rows, int block_exponent, double max_abs);

  // add_block_single, measuring on the way the error that the float32 product of `probe_columns` evenly
  // spaced columns of this block has against their double product (from `exact`, the block's exact
  // values, or from `block` when null): --precision auto's probe (precision_criterion.hpp). Nothing is
  // measured for a scaled block (block_exponent != 0).
  std::optional<Float32ProductError> add_block_single_measuring_float32_error(const float* block, const double* exact,
                                                                            std::uint64_t rows,
                                                                            std::uint64_t probe_columns,
                                                                            int block_exponent, double max_abs);

  // Rescales to the exponent chosen for a larger maximum |value| (another rank's data, before a sum):
  // every rank must hold its Gram matrix at the same scale before they are added.
  void rescale_for_max_abs(double max_abs);

  std::uint64_t cols() const { return cols_; }
  bool centred() const { return centre_; }
  std::uint64_t count() const { return count_; }          // rows added (centred mode)
  const std::vector<double>& mean() const { return mean_; }  // their column means, held at the scale

  // Centred mode, before the ranks' matrices are summed: shifts this accumulator's centred matrix from its
  // own mean to the global mean (adds count * (mu_local - mu_global)(...)^T, the parallel-axis term), so
  // that the sum over ranks is the centred matrix of all rows. `global_mean` is held at the same scale.
  void recentre_on(const std::vector<double>& global_mean);
  double max_abs() const { return max_abs_; }
  int scale_exponent() const { return scale_exponent_; }
  std::vector<double>& matrix() { return gram_; }
  const std::vector<double>& matrix() const { return gram_; }

  // Power-of-two exponent S for data whose largest |value| is max_abs: 0 in the ordinary range.
  static int scale_exponent_for(double max_abs);

 private:
  void rescale_to(int new_exponent);
  void merge_mean(std::uint64_t rows, const std::vector<double>& block_mean);
  void single_product_into_scratch(const float* block, std::uint64_t rows);

  std::uint64_t cols_;
  bool centre_;
  std::vector<double> gram_;
  std::vector<float> single_scratch_;  // float32 products of one block (mixed precision), made when first needed
  std::uint64_t count_ = 0;
  std::vector<double> mean_;
  double max_abs_ = 0;
  int scale_exponent_ = 0;
};

}  // namespace rankme
