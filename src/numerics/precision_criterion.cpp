#include "rankme/numerics/precision_criterion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

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
  double sum = 0;
  for (const double s : singular_values) sum += s;
  if (!(sum > 0)) return 0;  // an all-zero matrix: its float32 products are exact zeros too
  const double delta = std::sqrt(2.0) * gram_error / static_cast<double>(cols);
  // sum_j (log p_j + 1) s_j / S, the part of dH/ds_k that every k shares.
  double shared = 0;
  for (const double s : singular_values) shared += (std::log(s / sum + eps) + 1) * s / sum;
  double squared = 0;
  for (const double s : singular_values) {
    const double slope = (-(std::log(s / sum + eps) + 1) + shared) / sum;
    const double move = std::sqrt(s * s + delta) - s;
    squared += slope * move * slope * move;
  }
  return std::sqrt(squared);
}

}  // namespace rankme
