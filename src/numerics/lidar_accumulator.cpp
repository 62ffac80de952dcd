#include "rankme/numerics/lidar_accumulator.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "rankme/lapack/blas_int.hpp"

namespace rankme {

namespace {
// Merge rows are few (one per fragment that joins earlier views of its object: about one per block for
// contiguous objects), so they wait for a dsyrk of this many rather than costing a rank-1 update each.
const std::uint64_t merge_batch_rows = 256;
}  // namespace

LidarAccumulator::LidarAccumulator(std::uint64_t cols, std::uint64_t objects)
    : cols_(cols),
      objects_(objects),
      counts_(static_cast<std::size_t>(objects), 0.0),
      means_(static_cast<std::size_t>(objects * cols), 0.0),
      within_(static_cast<std::size_t>(cols * cols), 0.0),
      merge_rows_(static_cast<std::size_t>(merge_batch_rows * cols), 0.0),
      fragment_mean_(static_cast<std::size_t>(cols), 0.0) {
  to_blas_int(cols, "columns");
}

void LidarAccumulator::add_block(const double* block, const std::uint64_t* object_of_row, std::uint64_t rows) {
  if (rows == 0) return;
  const std::size_t k = static_cast<std::size_t>(cols_);
  order_.resize(static_cast<std::size_t>(rows));
  std::iota(order_.begin(), order_.end(), std::uint64_t{0});
  for (std::uint64_t r = 0; r < rows; ++r) {
    if (object_of_row[r] >= objects_) throw std::out_of_range("LiDAR: object index beyond the objects counted");
  }
  // Views of one object next to each other (already so for a 3-D dataset: nothing moves).
  if (!std::is_sorted(object_of_row, object_of_row + rows)) {
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::uint64_t a, std::uint64_t b) { return object_of_row[a] < object_of_row[b]; });
  }
  centred_.resize(static_cast<std::size_t>(rows) * k);
  std::uint64_t begin = 0;
  while (begin < rows) {
    const std::uint64_t object = object_of_row[order_[begin]];
    std::uint64_t end = begin + 1;
    while (end < rows && object_of_row[order_[end]] == object) ++end;
    const auto views = static_cast<double>(end - begin);
    // The fragment's mean, then its rows less it.
    std::fill(fragment_mean_.begin(), fragment_mean_.end(), 0.0);
    for (std::uint64_t r = begin; r < end; ++r) {
      const double* row = block + order_[r] * k;
      for (std::size_t c = 0; c < k; ++c) fragment_mean_[c] += row[c];
    }
    for (double& value : fragment_mean_) value /= views;
    for (std::uint64_t r = begin; r < end; ++r) {
      const double* row = block + order_[r] * k;
      double* out = centred_.data() + r * k;
      for (std::size_t c = 0; c < k; ++c) out[c] = row[c] - fragment_mean_[c];
    }
    // Joined to the object's earlier views (Chan, Golub and LeVeque).
    double& count = counts_[static_cast<std::size_t>(object)];
    double* mean = means_.data() + object * k;
    if (count == 0) {
      std::copy(fragment_mean_.begin(), fragment_mean_.end(), mean);
    } else {
      const double total = count + views;
      for (std::size_t c = 0; c < k; ++c) fragment_mean_[c] -= mean[c];  // now the difference d
      add_merge_row(fragment_mean_.data(), count * views / total);
      for (std::size_t c = 0; c < k; ++c) mean[c] += fragment_mean_[c] * (views / total);
    }
    count += views;
    begin = end;
  }
  const blas_int order = to_blas_int(cols_, "columns");
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, order, to_blas_int(rows, "block rows"), 1.0, centred_.data(),
              order, 1.0, within_.data(), order);
}

void LidarAccumulator::add_merge_row(const double* difference, double weight) {
  const std::size_t k = static_cast<std::size_t>(cols_);
  const double scale = std::sqrt(weight);
  double* out = merge_rows_.data() + merge_row_count_ * k;
  for (std::size_t c = 0; c < k; ++c) out[c] = difference[c] * scale;
  if (++merge_row_count_ == merge_batch_rows) flush_merge_rows();
}

void LidarAccumulator::flush_merge_rows() {
  if (merge_row_count_ == 0) return;
  const blas_int order = to_blas_int(cols_, "columns");
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, order, to_blas_int(merge_row_count_, "merge rows"), 1.0,
              merge_rows_.data(), order, 1.0, within_.data(), order);
  merge_row_count_ = 0;
}

const std::vector<double>& LidarAccumulator::within() {
  flush_merge_rows();
  return within_;
}

void LidarAccumulator::shift_to_global_means(const std::vector<double>& global_counts,
                                             const std::vector<double>& global_means) {
  if (global_counts.size() != counts_.size() || global_means.size() != means_.size()) {
    throw std::invalid_argument("LiDAR: global counts or means of another shape");
  }
  const std::size_t k = static_cast<std::size_t>(cols_);
  std::vector<double> difference(k);
  for (std::size_t object = 0; object < counts_.size(); ++object) {
    const double here = counts_[object];
    // An object whose views all lie here has mean_here == mean: no term (its rounding aside).
    if (here == 0 || here == global_counts[object]) continue;
    for (std::size_t c = 0; c < k; ++c) difference[c] = means_[object * k + c] - global_means[object * k + c];
    add_merge_row(difference.data(), here);
  }
  flush_merge_rows();
}

}  // namespace rankme
