#include "rankme/pipeline/target_order.hpp"

#include <algorithm>
#include <stdexcept>

namespace rankme {

void sort_targets(std::vector<DatasetTarget>& targets) {
  std::stable_sort(targets.begin(), targets.end(), [](const DatasetTarget& a, const DatasetTarget& b) {
    return a.file != b.file ? a.file < b.file : a.dataset < b.dataset;
  });
}

void remove_repeated_targets(std::vector<DatasetTarget>& sorted_targets) {
  const auto same = [](const DatasetTarget& a, const DatasetTarget& b) {
    return a.file == b.file && a.dataset == b.dataset && a.error == b.error;
  };
  sorted_targets.erase(std::unique(sorted_targets.begin(), sorted_targets.end(), same), sorted_targets.end());
}

std::vector<DatasetTarget> select_shard(const std::vector<DatasetTarget>& targets, std::uint64_t index,
                                        std::uint64_t count) {
  if (index >= count) {
    throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(count) +
                                ": the index must be below the count");
  }
  std::vector<DatasetTarget> share;
  for (std::uint64_t position = index; position < targets.size(); position += count) {
    share.push_back(targets[static_cast<std::size_t>(position)]);
  }
  return share;
}

}  // namespace rankme
