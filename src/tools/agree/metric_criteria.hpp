#pragma once
// Which way each metric points: the value rankme-agree correlates with the accuracy, and whether the run it
// picks is the one with the highest or the lowest of it.
#include <optional>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme::agree {

struct MetricCriterion {
  std::string name;        // the result's key: rankme, lidar, or one of numerics' metric_names()
  bool higher_is_better;   // the pick: the run with the highest (else the lowest) value
  bool distance_from_one;  // the value compared is |metric - 1| (alpha-ReQ), not the metric
  std::string direction;   // for the reports: "higher", "lower", "closest to 1"
};

// Every metric rankme writes that predicts quality, RankMe first, in the order of metric_names(), then LiDAR.
// Left out: alpha_req_r2, the goodness of alpha-ReQ's fit, which says how far to trust alpha, not how good
// the embedding is.
const std::vector<MetricCriterion>& metric_criteria();

// The value `criterion` compares for `result`: nothing when the result does not have the metric or its
// value is not finite (a diverged run, or the +inf condition number of a rank-deficient spectrum).
std::optional<double> criterion_value(const DatasetResult& result, const MetricCriterion& criterion);

}  // namespace rankme::agree
