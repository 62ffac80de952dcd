#include "rankme/numerics/rankme_sensitivity.hpp"

#include <cmath>

namespace rankme {

std::vector<double> entropy_slopes(const std::vector<double>& singular_values, double eps) {
  double sum = 0;
  for (const double s : singular_values) sum += s;
  if (!(sum > 0)) return {};
  // sum_j (log p_j + 1) s_j / S, the part of dH/ds_k that every k shares.
  double shared = 0;
  for (const double s : singular_values) shared += (std::log(s / sum + eps) + 1) * s / sum;
  std::vector<double> slopes;
  slopes.reserve(singular_values.size());
  for (const double s : singular_values) slopes.push_back((-(std::log(s / sum + eps) + 1) + shared) / sum);
  return slopes;
}

}  // namespace rankme
