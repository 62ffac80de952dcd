#include "rankme/sweep/resume.hpp"

#include <map>
#include <set>

namespace rankme {

bool settles_dataset(const DatasetResult& result) {
  return result.status == ResultStatus::ok || result.status == ResultStatus::nonfinite;
}

std::vector<DatasetTarget> targets_to_resume(const std::vector<DatasetTarget>& targets,
                                             const ResultsFileContents& previous) {
  std::set<ResultIdentity> done;
  for (const DatasetResult& result : previous.results) {
    if (settles_dataset(result)) done.insert(identity_of(result));
  }
  std::vector<DatasetTarget> remaining;
  for (const DatasetTarget& target : targets) {
    if (!done.count(identity_of(target))) remaining.push_back(target);
  }
  return remaining;
}

std::vector<DatasetResult> final_result_per_dataset(const std::vector<DatasetResult>& results) {
  std::map<ResultIdentity, std::size_t> slot_of;  // identity -> index in `chosen`
  std::vector<DatasetResult> chosen;
  for (const DatasetResult& result : results) {
    const auto [found, is_new] = slot_of.emplace(identity_of(result), chosen.size());
    if (is_new) {
      chosen.push_back(result);
    } else if (settles_dataset(result) || !settles_dataset(chosen[found->second])) {
      chosen[found->second] = result;
    }
  }
  return chosen;
}

}  // namespace rankme
