#pragma once
// Does a metric agree with the probes? Over matched runs: the rank correlations of the metric with the
// accuracy, and the accuracy lost by picking the run the metric prefers (the regret).
#include <cstddef>
#include <string>
#include <vector>

#include "metric_criteria.hpp"
#include "rank_correlation.hpp"
#include "result_matching.hpp"

namespace rankme::agree {

struct MetricAgreement {
  std::string group;             // "" for all runs; "method=simclr" with --within
  MetricCriterion criterion;
  std::size_t n = 0;             // runs with an accuracy and a finite value of the metric
  SpearmanTest spearman{};
  KendallTest kendall{};
  const MatchedRun* picked = nullptr;  // the run with the best value (the first of equals, in results order)
  std::size_t tied_with_pick = 0;      // other runs with the same best value
  double best_accuracy = 0;            // the highest accuracy of the n runs
  double regret = 0;                   // best_accuracy - picked->accuracy, >= 0
};

// One entry per metric, RankMe first: RankMe whenever a run has it, every other metric when at least
// `minimum_pairs` runs have it. A run without a finite value (a diverged run: status nonfinite) takes part
// in no statistic and is never picked. `runs` must outlive the result.
std::vector<MetricAgreement> metric_agreement(const std::vector<MatchedRun>& runs, const std::string& group,
                                              std::size_t minimum_pairs = 3);

}  // namespace rankme::agree
