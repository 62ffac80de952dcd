#include "rankme/numerics/precision_criterion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rankme/numerics/rankme_sensitivity.hpp"

namespace rankme {

std::string precision_name(Precision precision) {
  switch (precision) {
    case Precision::double_precision: return "double";
    case Precision::mixed: return "mixed";
    case Precision::automatic: return "auto";
  }
  return "auto";
}

Precision precision_from_name(const std::string& name) {
  if (name == "double") return Precision::double_precision;
  if (name == "mixed") return Precision::mixed;
  if (name == "auto") return Precision::automatic;
  throw std::invalid_argument("unknown precision '" + name + "' (expected auto, mixed or double)");
}

double estimated_float32_gram_error(const Float32ProductError& probe, std::uint64_t cols, std::uint64_t rows) {
  if (probe.rows == 0 || probe.columns == 0 || rows == 0) return 0;
  const double blocks = std::max(1.0, static_cast<double>(rows) / static_cast<double>(probe.rows));
  return probe.error * (static_cast<double>(cols) / static_cast<double>(probe.columns)) * std::sqrt(blocks);
}

double predicted_rankme_error(const std::vector<double>& singular_values, double eps, double gram_error,
                              std::uint64_t cols) {
  if (singular_values.empty() || cols == 0) return 0;
  const std::vector<double> slopes = entropy_slopes(singular_values, eps);
  if (slopes.empty()) return 0;  // an all-zero matrix: its float32 products are exact zeros too
  const double delta = std::sqrt(2.0) * gram_error / static_cast<double>(cols);
  double squared = 0;
  for (std::size_t k = 0; k < singular_values.size(); ++k) {
    const double s = singular_values[k];
    const double move = std::sqrt(s * s + delta) - s;
    squared += slopes[k] * move * slopes[k] * move;
  }
  return std::sqrt(squared);
}

}  // namespace rankme
