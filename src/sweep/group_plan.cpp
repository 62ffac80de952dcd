#include "rankme/sweep/group_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rankme {

double scoring_cost(const DatasetTarget& target) {
  if (!target.scorable()) return 0;
  const auto n = static_cast<double>(target.rows);
  const auto k = static_cast<double>(target.cols);
  return n * k * k + 4.0 / 3.0 * k * k * k;
}

int choose_group_size(const std::vector<DatasetTarget>& targets, int ranks, int forced) {
  if (ranks <= 1) return 1;
  if (forced > 0) return std::min(forced, ranks);
  double total = 0, largest = 0;
  std::size_t datasets = 0;
  for (const DatasetTarget& target : targets) {
    if (!target.scorable()) continue;
    const double cost = scoring_cost(target);
    total += cost;
    largest = std::max(largest, cost);
    ++datasets;
  }
  if (datasets == 0 || total <= 0) return ranks;
  const double enough_groups = static_cast<double>(ranks) / static_cast<double>(datasets);
  const double short_tail = static_cast<double>(ranks) * largest / total;
  const double needed = std::max(enough_groups, short_tail);
  for (int size = 1; size < ranks; ++size) {
    // The 1e-9 absorbs rounding in the ratios: 4 equal datasets on 4 ranks give exactly 1, not 1.0000001.
    if (ranks % size == 0 && static_cast<double>(size) >= needed * (1 - 1e-9)) return size;
  }
  return ranks;
}

std::vector<std::size_t> handout_order(const std::vector<DatasetTarget>& targets) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].scorable()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scoring_cost(targets[a]) > scoring_cost(targets[b]); });
  return order;
}

}  // namespace rankme
