#include "rankme/pipeline/dataset_suggestion.hpp"

#include "rankme/numerics/nearest_names.hpp"

namespace rankme {

std::string nearest_datasets_text(const std::string& wanted, const std::vector<std::string>& names) {
  if (names.empty()) return "it holds no dataset";
  const std::vector<std::string> nearest = nearest_names(wanted, names, 3, false);
  std::string text = names.size() == 1 ? "its one dataset: " : "the nearest of its " + std::to_string(names.size()) + " datasets: ";
  for (std::size_t i = 0; i < nearest.size(); ++i) text += (i == 0 ? "'" : ", '") + nearest[i] + "'";
  return text;
}

}  // namespace rankme
