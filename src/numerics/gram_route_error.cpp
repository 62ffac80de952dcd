#include "rankme/numerics/gram_route_error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rankme/numerics/rankme_sensitivity.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"

namespace rankme {

double gram_eigenvalue_error(double largest_eigenvalue, std::uint64_t cols) {
  const double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;
  return std::sqrt(static_cast<double>(std::max<std::uint64_t>(cols, 1))) * unit_roundoff * largest_eigenvalue;
}

double predicted_gram_route_error(const std::vector<double>& singular_values, double eps, std::uint64_t cols) {
  if (singular_values.empty() || cols == 0) return 0;
  const std::vector<double> slopes = entropy_slopes(singular_values, eps);
  if (slopes.empty()) return 0;
  const double largest = *std::max_element(singular_values.begin(), singular_values.end());
  const double lambda_1 = largest * largest;
  const double error = gram_eigenvalue_error(lambda_1, cols);
  const double floor = gram_noise_floor(cols) * lambda_1;
  double kept_squared = 0, zeroed = 0;
  for (std::size_t k = 0; k < singular_values.size(); ++k) {
    const double s = singular_values[k];
    if (s > 0) {
      const double up = std::sqrt(s * s + error) - s;
      const double down = s - std::sqrt(std::max(s * s - error, 0.0));
      const double move = std::abs(slopes[k]) * std::max(up, down);
      kept_squared += move * move;
    } else {
      zeroed += std::abs(slopes[k]) * std::sqrt(floor + error);
    }
  }
  // Plus the rounding of H's own sum over m terms, which no route avoids.
  const double evaluation = static_cast<double>(singular_values.size()) * std::numeric_limits<double>::epsilon() / 2;
  return std::sqrt(kept_squared) + zeroed + evaluation;
}

}  // namespace rankme
