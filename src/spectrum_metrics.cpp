#include "rankme/spectrum_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace rankme {

double gram_noise_floor(std::uint64_t cols) {
  const double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;
  return 4.0 * std::sqrt(static_cast<double>(std::max<std::uint64_t>(cols, 1))) * unit_roundoff;
}

std::vector<double> singular_values_from_gram_eigenvalues(std::vector<double> eigenvalues,
                                                          std::uint64_t rows, std::uint64_t cols) {
  std::sort(eigenvalues.begin(), eigenvalues.end(), std::greater<>());
  const auto kept = static_cast<std::size_t>(std::min<std::uint64_t>({rows, cols, eigenvalues.size()}));
  eigenvalues.resize(kept);
  if (kept == 0) return eigenvalues;
  const double floor = eigenvalues.front() > 0 ? gram_noise_floor(cols) * eigenvalues.front() : 0.0;
  for (double& value : eigenvalues) {
    // NaN stays NaN (std::sqrt), so non-finite data cannot turn into a plausible number here.
    value = (value > floor || std::isnan(value)) ? std::sqrt(value) : 0.0;
  }
  return eigenvalues;
}

double rankme_from_singular_values(const std::vector<double>& singular_values, double eps) {
  double total = 0;
  for (double s : singular_values) total += s;
  if (std::isnan(total) || std::isinf(total)) return std::numeric_limits<double>::quiet_NaN();
  if (total == 0) return 0.0;  // a collapsed (all-zero) embedding has no rank at all
  double entropy = 0;
  for (double s : singular_values) {
    const double p = s / total + eps;
    if (p > 0) entropy -= p * std::log(p);  // 0 log 0 = 0 (only reachable with eps = 0)
  }
  return std::exp(entropy);
}

}  // namespace rankme
