#include "agreement.hpp"

#include <algorithm>
#include <optional>

namespace rankme::agree {

std::vector<MetricAgreement> metric_agreement(const std::vector<MatchedRun>& runs, const std::string& group,
                                              std::size_t minimum_pairs) {
  std::vector<MetricAgreement> agreements;
  for (const MetricCriterion& criterion : metric_criteria()) {
    std::vector<double> values, accuracies;
    std::vector<const MatchedRun*> compared;
    for (const MatchedRun& run : runs) {
      const std::optional<double> value = criterion_value(*run.result, criterion);
      if (!value) continue;
      values.push_back(*value);
      accuracies.push_back(run.accuracy);
      compared.push_back(&run);
    }
    const bool wanted = criterion.name == "rankme" ? !compared.empty() : compared.size() >= minimum_pairs;
    if (!wanted) continue;
    MetricAgreement agreement;
    agreement.group = group;
    agreement.criterion = criterion;
    agreement.n = compared.size();
    agreement.spearman = spearman_test(values, accuracies);
    agreement.kendall = kendall_tau_b_test(values, accuracies);
    std::size_t pick = 0;
    for (std::size_t i = 1; i < values.size(); ++i) {
      if (criterion.higher_is_better ? values[i] > values[pick] : values[i] < values[pick]) pick = i;
    }
    agreement.picked = compared[pick];
    agreement.tied_with_pick =
        static_cast<std::size_t>(std::count(values.begin(), values.end(), values[pick])) - 1;
    agreement.best_accuracy = *std::max_element(accuracies.begin(), accuracies.end());
    agreement.regret = agreement.best_accuracy - agreement.picked->accuracy;
    agreements.push_back(std::move(agreement));
  }
  return agreements;
}

}  // namespace rankme::agree
