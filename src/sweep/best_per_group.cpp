#include "rankme/sweep/best_per_group.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "rankme/pipeline/path_params.hpp"

namespace rankme {

namespace {

bool is_scored(const DatasetResult& result) { return result.status == ResultStatus::ok && result.rankme.has_value(); }

// 0: scored, 1: nonfinite, 2: error (a group's standing, and which result stands for it).
int standing(const DatasetResult& result) {
  if (is_scored(result)) return 0;
  return result.status == ResultStatus::nonfinite ? 1 : 2;
}

std::string trimmed(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

std::vector<std::string> parse_group_keys(const std::string& text) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string key = trimmed(text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    if (key.empty()) throw std::invalid_argument("expected comma-separated param names (or run), got '" + text + "'");
    if (!seen.insert(key).second) throw std::invalid_argument("'" + key + "' given twice in '" + text + "'");
    keys.push_back(key);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return keys;
}

ParamValue run_of(const DatasetResult& result) {
  const auto named = result.params.find("run");
  if (named != result.params.end()) return named->second;
  std::string run = without_positions(result.file, true);
  if (!result.dataset.empty()) run += ":" + without_positions(result.dataset, false);
  return run;
}

std::optional<ParamValue> group_value(const DatasetResult& result, const std::string& key) {
  if (key == "run") return run_of(result);
  const auto found = result.params.find(key);
  if (found == result.params.end()) return std::nullopt;
  return found->second;
}

BestPerGroup best_per_group(const std::vector<DatasetResult>& results, const std::vector<std::string>& keys) {
  BestPerGroup grouped;
  grouped.keys = keys;
  grouped.missing.assign(keys.size(), 0);
  std::map<std::vector<std::optional<ParamValue>>, std::size_t> slot_of;
  for (const DatasetResult& result : results) {
    std::vector<std::optional<ParamValue>> values;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      values.push_back(group_value(result, keys[k]));
      if (!values.back()) ++grouped.missing[k];
    }
    const auto [found, is_new] = slot_of.emplace(values, grouped.groups.size());
    if (is_new) {
      grouped.groups.push_back({values, result, 0, 0});
    }
    ResultGroup& group = grouped.groups[found->second];
    ++group.results;
    if (is_scored(result)) ++group.scored;
    const int mine = standing(result), theirs = standing(group.best);
    // Strictly better only: the first of equal scores stays.
    if (!is_new && (mine < theirs || (mine == 0 && theirs == 0 && *result.rankme > *group.best.rankme))) group.best = result;
  }
  std::stable_sort(grouped.groups.begin(), grouped.groups.end(), [](const ResultGroup& a, const ResultGroup& b) {
    const int standing_a = standing(a.best), standing_b = standing(b.best);
    if (standing_a != standing_b) return standing_a < standing_b;
    return standing_a == 0 && *a.best.rankme > *b.best.rankme;
  });
  return grouped;
}

}  // namespace rankme
