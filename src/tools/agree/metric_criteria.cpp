#include "metric_criteria.hpp"

#include <cmath>

namespace rankme::agree {

const std::vector<MetricCriterion>& metric_criteria() {
  // Directions (numerics/spectrum_metrics.hpp says what each measures): the rank-like metrics count the
  // dimensions the embedding uses, and collapse lowers them; the condition number and the top eigenvalue's
  // share grow as a few directions dominate; alpha-ReQ's authors (Agrawal et al., NeurIPS 2022) find
  // the best probes where the eigenspectrum decays as k^-1, worse both faster and slower.
  static const std::vector<MetricCriterion> criteria = {
      {"rankme", true, false, "higher"},
      {"effective_rank", true, false, "higher"},
      {"stable_rank", true, false, "higher"},
      {"participation_ratio", true, false, "higher"},
      {"nesum", true, false, "higher"},
      {"alpha_req", false, true, "closest to 1"},
      {"condition_number", false, false, "lower"},
      {"numerical_rank", true, false, "higher"},
      {"top_eigenvalue_share", false, false, "lower"},
      {"lidar", true, false, "higher"},
  };
  return criteria;
}

std::optional<double> criterion_value(const DatasetResult& result, const MetricCriterion& criterion) {
  std::optional<double> value;
  if (criterion.name == "rankme") {
    value = result.rankme;
  } else if (criterion.name == "lidar") {
    value = result.lidar;
  } else if (const auto found = result.metrics.find(criterion.name); found != result.metrics.end()) {
    value = found->second;
  }
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return criterion.distance_from_one ? std::fabs(*value - 1) : *value;
}

}  // namespace rankme::agree
