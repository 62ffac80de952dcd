#pragma once
// Accumulates the Gram matrix Z^T Z of a matrix that arrives in row blocks. Pure numerics.
#include <cstdint>
#include <vector>

namespace rankme {

// What one decoded row block looked like; computed while widening it to double (stored_type.hpp).
struct BlockStatistics {
  double max_abs = 0;        // largest |value| among the finite values
  bool all_finite = true;    // false when any value is NaN or +-Inf

  void merge(const BlockStatistics& other);
};

// The K x K Gram matrix in double, accumulated with BLAS dsyrk over row blocks, column-major with the
// upper triangle valid (the lower one is never written).
//
// Values whose squares would overflow or underflow double (|z| beyond about 1e154 or below 1e-154) are
// handled by an exact power-of-two scale: the accumulator holds G / 4^scale_exponent. RankMe and the
// other spectral ratios do not depend on the scale, and ordinary data never triggers it (the exponent
// stays 0 while the largest |value| is within 2^+-300), so their Gram matrix is bit-for-bit the plain one.
class GramAccumulator {
 public:
  explicit GramAccumulator(std::uint64_t cols);

  // Adds block^T block for `rows` rows of `cols` values each, row-major. `block` may be rescaled in place
  // (by a power of two) when the data needs it. `stats` must describe the block (its finite max |value|).
  void add_block(double* block, std::uint64_t rows, const BlockStatistics& stats);

  // Rescales to the exponent chosen for a larger maximum |value| (another rank's data, before a sum):
  // every rank must hold its Gram matrix at the same scale before they are added.
  void rescale_for_max_abs(double max_abs);

  std::uint64_t cols() const { return cols_; }
  double max_abs() const { return max_abs_; }
  int scale_exponent() const { return scale_exponent_; }
  std::vector<double>& matrix() { return gram_; }
  const std::vector<double>& matrix() const { return gram_; }

  // Power-of-two exponent S for data whose largest |value| is max_abs: 0 in the ordinary range.
  static int scale_exponent_for(double max_abs);

 private:
  void rescale_to(int new_exponent);

  std::uint64_t cols_;
  std::vector<double> gram_;
  double max_abs_ = 0;
  int scale_exponent_ = 0;
};

}  // namespace rankme
