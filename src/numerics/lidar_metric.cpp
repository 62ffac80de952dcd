#include "rankme/numerics/lidar_metric.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rankme/lapack/blas_int.hpp"

namespace rankme {

LidarWeights lidar_weights(const std::vector<double>& counts) {
  LidarWeights weights;
  for (double count : counts) {
    if (count <= 0) continue;
    ++weights.objects;
    weights.within_degrees += count - 1;
  }
  return weights;
}

std::optional<std::string> lidar_undefined_reason(const LidarWeights& weights) {
  if (weights.objects < 2) return "LiDAR needs at least two objects (" + std::to_string(weights.objects) + " found)";
  if (weights.within_degrees <= 0) return "LiDAR needs an object with at least two views (every object has one)";
  return std::nullopt;
}

std::vector<double> mean_of_object_means(const std::vector<double>& counts, const std::vector<double>& means,
                                         std::uint64_t cols) {
  const std::size_t k = static_cast<std::size_t>(cols);
  std::vector<double> mean(k, 0.0);
  double objects = 0;
  for (std::size_t object = 0; object < counts.size(); ++object) {
    if (counts[object] <= 0) continue;
    ++objects;
    for (std::size_t c = 0; c < k; ++c) mean[c] += means[object * k + c];
  }
  if (objects > 0) {
    for (double& value : mean) value /= objects;
  }
  return mean;
}

namespace {

// target += R^T R, R the rows row_of(object, out) writes for each object in [first, last) with views, a
// few hundred at a time, each batch one dsyrk (rather than one rank-1 update per object).
template <typename RowOf>
void add_object_row_products(const std::vector<double>& counts, std::uint64_t first, std::uint64_t last,
                             std::uint64_t cols, std::vector<double>& target, const RowOf& row_of) {
  const std::size_t k = static_cast<std::size_t>(cols);
  const blas_int order = to_blas_int(cols, "columns");
  const std::size_t batch = 512;
  std::vector<double> rows(batch * k);
  std::size_t filled = 0;
  auto flush = [&] {
    if (filled == 0) return;
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, order, to_blas_int(filled, "rows"), 1.0, rows.data(), order,
                1.0, target.data(), order);
    filled = 0;
  };
  for (std::uint64_t object = first; object < last; ++object) {
    if (counts[static_cast<std::size_t>(object)] <= 0) continue;
    row_of(object, rows.data() + filled * k);
    if (++filled == batch) flush();
  }
  flush();
}

}  // namespace

void add_between_scatter(const std::vector<double>& counts, const std::vector<double>& means,
                         const std::vector<double>& grand_mean, std::uint64_t first, std::uint64_t last,
                         std::uint64_t cols, std::vector<double>& between) {
  const std::size_t k = static_cast<std::size_t>(cols);
  // The rows mu_i - mu.
  add_object_row_products(counts, first, last, cols, between, [&](std::uint64_t object, double* row) {
    const double* mean = means.data() + object * k;
    for (std::size_t c = 0; c < k; ++c) row[c] = mean[c] - grand_mean[c];
  });
}

void add_object_mean_products(const std::vector<double>& counts, const std::vector<double>& means, std::uint64_t first,
                              std::uint64_t last, std::uint64_t cols, std::vector<double>& gram) {
  const std::size_t k = static_cast<std::size_t>(cols);
  // The rows sqrt(c_i) mu_i.
  add_object_row_products(counts, first, last, cols, gram, [&](std::uint64_t object, double* row) {
    const double weight = std::sqrt(counts[static_cast<std::size_t>(object)]);
    const double* mean = means.data() + object * k;
    for (std::size_t c = 0; c < k; ++c) row[c] = mean[c] * weight;
  });
}

void scale_to_covariances(std::vector<double>& within, std::vector<double>& between, std::uint64_t cols,
                          const LidarWeights& weights, double delta) {
  if (lidar_undefined_reason(weights)) throw std::invalid_argument("LiDAR: " + *lidar_undefined_reason(weights));
  const std::size_t k = static_cast<std::size_t>(cols);
  const double within_scale = 1.0 / weights.within_degrees;
  const double between_scale = 1.0 / static_cast<double>(weights.objects - 1);
  for (std::size_t col = 0; col < k; ++col) {
    for (std::size_t row = col; row < k; ++row) {
      within[row + col * k] *= within_scale;
      between[row + col * k] *= between_scale;
    }
    within[col + col * k] += delta;
  }
}

double lidar_from_eigenvalues(const std::vector<double>& eigenvalues) {
  double sum = 0;
  for (double lambda : eigenvalues) sum += std::max(lambda, 0.0);
  double entropy = 0;
  for (double lambda : eigenvalues) {
    const double share = sum > 0 ? std::max(lambda, 0.0) / sum : 0.0;
    const double p = share + lidar_probability_floor;
    entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

}  // namespace rankme
