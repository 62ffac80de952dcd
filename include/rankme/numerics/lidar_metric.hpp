#pragma once
// LiDAR from the combined scatter sums (lidar_accumulator.hpp; numerics.md, "LiDAR"): the between-object
// scatter from the objects' means, the two covariance matrices, and the value from the eigenvalues of the
// pencil Sigma_b v = lambda Sigma_w v. Pure numerics; the eigensolve itself is parallel/.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rankme {

inline constexpr double default_lidar_delta = 1e-4;  // Sigma_w's ridge (--lidar-delta), as in the paper
inline constexpr double lidar_probability_floor = 1e-7;  // p_k = lambda_k / sum lambda + this, as in the paper

// The objects that count (those with at least one view) and Sigma_w's denominator sum_i (q_i - 1), the
// pooled within-object degrees of freedom: n (q - 1) for q views each; an object with one view adds
// nothing to either sum of Sigma_w.
struct LidarWeights {
  std::uint64_t objects = 0;
  double within_degrees = 0;
};
LidarWeights lidar_weights(const std::vector<double>& counts);

// Why LiDAR is not defined for these weights (fewer than two objects, or no object with two views), or
// nothing.
std::optional<std::string> lidar_undefined_reason(const LidarWeights& weights);

// mu = the mean of the objects' means mu_i (objects with views only, each weighing the same).
std::vector<double> mean_of_object_means(const std::vector<double>& counts, const std::vector<double>& means,
                                         std::uint64_t cols);

// Adds sum (mu_i - mu)(mu_i - mu)^T over the objects in [first, last) that have views, into `between`
// (cols x cols, column-major, lower triangle): one process's share of the between-object scatter.
void add_between_scatter(const std::vector<double>& counts, const std::vector<double>& means,
                         const std::vector<double>& grand_mean, std::uint64_t first, std::uint64_t last,
                         std::uint64_t cols, std::vector<double>& between);

// Adds sum c_i mu_i mu_i^T over the objects in [first, last) (c_i = counts[i] views, mu_i = their mean),
// into `gram` (cols x cols, column-major, lower triangle): one process's share of the term that turns the
// within-object scatter W into the uncentred Gram matrix of all views, sum_ij e_ij e_ij^T = W + sum_i c_i mu_i
// mu_i^T (exact; both terms positive semidefinite, so their sum cancels nothing: numerics.md, "LiDAR").
void add_object_mean_products(const std::vector<double>& counts, const std::vector<double>& means, std::uint64_t first,
                              std::uint64_t last, std::uint64_t cols, std::vector<double>& gram);

// In place: within becomes Sigma_w = within / within_degrees + delta I and between Sigma_b =
// between / (objects - 1) (lower triangles).
void scale_to_covariances(std::vector<double>& within, std::vector<double>& between, std::uint64_t cols,
                          const LidarWeights& weights, double delta);

// LiDAR = exp(-sum p_k log p_k), p_k = lambda_k / sum lambda + 1e-7, over all the eigenvalues. Negative
// eigenvalues (rounding: Sigma_b is positive semidefinite, so its pencil's eigenvalues are >= 0 in exact
// arithmetic; those of Sigma_b's null space come out as +-eps times the largest) count as 0. All zero
// (every object's mean the same): p_k = 1e-7 each.
double lidar_from_eigenvalues(const std::vector<double>& eigenvalues);

}  // namespace rankme
