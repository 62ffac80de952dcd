#include "rankme/numerics/gram_accumulator.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/numerics/block_centring.hpp"

namespace rankme {

namespace {
// Within 2^+-300 squares and sums of up to 2^400 of them stay far from overflow and underflow.
constexpr int ordinary_exponent_limit = 300;
}  // namespace

GramAccumulator::GramAccumulator(std::uint64_t cols, bool centre) : cols_(cols), centre_(centre) {
  if (cols > 0 && cols > std::numeric_limits<std::size_t>::max() / sizeof(double) / cols) {
    throw std::length_error("Gram matrix of " + std::to_string(cols) + " columns does not fit in memory");
  }
  gram_.assign(static_cast<std::size_t>(cols * cols), 0.0);
  if (centre_) mean_.assign(static_cast<std::size_t>(cols), 0.0);
}

int GramAccumulator::scale_exponent_for(double max_abs) {
  if (!(max_abs > 0) || std::isinf(max_abs)) return 0;
  const int exponent = std::ilogb(max_abs);
  return std::abs(exponent) <= ordinary_exponent_limit ? 0 : exponent;
}

void GramAccumulator::rescale_to(int new_exponent) {
  if (new_exponent == scale_exponent_) return;
  // G_true = 4^old * held = 4^new * (held * 4^(old - new)); ldexp is exact unless it underflows, and what
  // underflows is below 2^-600 of the largest entry.
  const int shift = 2 * (scale_exponent_ - new_exponent);
  for (double& value : gram_) value = std::ldexp(value, shift);
  for (double& value : mean_) value = std::ldexp(value, shift / 2);  // means scale like values, not squares
  scale_exponent_ = new_exponent;
}

void GramAccumulator::rescale_for_max_abs(double max_abs) {
  max_abs_ = std::max(max_abs_, max_abs);
  rescale_to(scale_exponent_for(max_abs_));
}

void GramAccumulator::add_block(double* block, std::uint64_t rows, const BlockStatistics& stats) {
  if (rows == 0 || cols_ == 0) return;
  rescale_for_max_abs(stats.max_abs);
  if (scale_exponent_ != 0) {
    const std::uint64_t count = rows * cols_;
    for (std::uint64_t i = 0; i < count; ++i) block[i] = std::ldexp(block[i], -scale_exponent_);
  }
  // A row-major rows x K block is a column-major K x rows matrix A; A A^T is the block's Z^T Z.
  const blas_int k = to_blas_int(cols_, "Gram columns");
  const std::vector<double> block_mean =
      centre_ ? centre_block_on_its_mean(block, rows, cols_) : std::vector<double>();
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, k, to_blas_int(rows, "block rows"), 1.0, block, k,
              1.0, gram_.data(), k);
  if (centre_) merge_mean(rows, block_mean);
}

void GramAccumulator::single_product_into_scratch(const float* block, std::uint64_t rows) {
  if (single_scratch_.empty()) single_scratch_.assign(gram_.size(), 0.0F);
  const blas_int k = to_blas_int(cols_, "Gram columns");
  cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, k, to_blas_int(rows, "block rows"), 1.0F, block, k, 0.0F,
              single_scratch_.data(), k);
}

void GramAccumulator::add_block_single(const float* block, std::uint64_t rows, int block_exponent, double max_abs) {
  if (centre_) throw std::logic_error("add_block_single: centred accumulators take double blocks");
  if (rows == 0 || cols_ == 0) return;
  rescale_for_max_abs(max_abs);
  single_product_into_scratch(block, rows);
  // The scratch holds (block product) / 4^block_exponent and the matrix holds G / 4^scale_exponent: a
  // power-of-two factor (exact) moves one onto the other; it is 1 for ordinary data.
  const double factor = std::ldexp(1.0, 2 * (block_exponent - scale_exponent_));
  const std::size_t k = static_cast<std::size_t>(cols_);
  for (std::size_t col = 0; col < k; ++col) {
    double* target = gram_.data() + col * k;
    const float* source = single_scratch_.data() + col * k;
    for (std::size_t row = col; row < k; ++row) target[row] += factor * static_cast<double>(source[row]);
  }
}

std::optional<Float32ProductError> GramAccumulator::add_block_single_measuring_float32_error(
    const float* block, const double* exact, std::uint64_t rows, std::uint64_t probe_columns, int block_exponent,
    double max_abs) {
  add_block_single(block, rows, block_exponent, max_abs);
  if (block_exponent != 0 || rows == 0 || cols_ == 0 || probe_columns == 0) return std::nullopt;
  const std::uint64_t columns = std::min(probe_columns, cols_);
  const std::size_t c = static_cast<std::size_t>(columns);
  // Evenly spaced columns, copied out row by row: a rows x c block of their own, in both precisions.
  std::vector<float> single(static_cast<std::size_t>(rows) * c);
  std::vector<double> wide(single.size());
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::size_t j = 0; j < c; ++j) {
      const std::uint64_t col = j * cols_ / columns;
      single[row * c + j] = block[row * cols_ + col];
      wide[row * c + j] = exact != nullptr ? exact[row * cols_ + col] : static_cast<double>(block[row * cols_ + col]);
    }
  }
  const blas_int order = to_blas_int(columns, "probe columns");
  const blas_int depth = to_blas_int(rows, "block rows");
  std::vector<float> single_product(c * c, 0.0F);
  std::vector<double> exact_product(c * c, 0.0);
  cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, order, depth, 1.0F, single.data(), order, 0.0F,
              single_product.data(), order);
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, order, depth, 1.0, wide.data(), order, 0.0, exact_product.data(),
              order);
  double squared = 0;
  for (std::size_t col = 0; col < c; ++col) {
    for (std::size_t row = col; row < c; ++row) {
      const double difference = static_cast<double>(single_product[row + col * c]) - exact_product[row + col * c];
      squared += (row == col ? 1.0 : 2.0) * difference * difference;
    }
  }
  return Float32ProductError{rows, columns, std::sqrt(squared)};
}

void GramAccumulator::merge_mean(std::uint64_t rows, const std::vector<double>& block_mean) {
  // Chan, Golub and LeVeque: the block's centred matrix is already in gram_; what remains is the
  // between-means term and the new mean.
  const double before = static_cast<double>(count_), added = static_cast<double>(rows);
  const double total = before + added;
  std::vector<double> delta(static_cast<std::size_t>(cols_));
  for (std::uint64_t col = 0; col < cols_; ++col) delta[col] = block_mean[col] - mean_[col];
  if (count_ > 0) {
    const blas_int k = to_blas_int(cols_, "Gram columns");
    cblas_dsyr(CblasColMajor, CblasLower, k, before * added / total, delta.data(), 1, gram_.data(), k);
  }
  for (std::uint64_t col = 0; col < cols_; ++col) mean_[col] += delta[col] * added / total;
  count_ += rows;
}

void GramAccumulator::recentre_on(const std::vector<double>& global_mean) {
  if (!centre_ || count_ == 0) return;
  std::vector<double> offset(static_cast<std::size_t>(cols_));
  for (std::uint64_t col = 0; col < cols_; ++col) offset[col] = mean_[col] - global_mean[col];
  const blas_int k = to_blas_int(cols_, "Gram columns");
  cblas_dsyr(CblasColMajor, CblasLower, k, static_cast<double>(count_), offset.data(), 1, gram_.data(), k);
  mean_ = global_mean;
}

}  // namespace rankme
