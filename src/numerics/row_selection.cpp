#include "rankme/numerics/row_selection.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <unordered_set>

namespace rankme {

namespace {
// A uniform integer in [0, bound) from the generator's raw 64-bit output, rejecting the top sliver that
// would bias the remainder: portable, unlike std::uniform_int_distribution.
std::uint64_t uniform_below(std::mt19937_64& generator, std::uint64_t bound) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
  std::uint64_t value;
  do {
    value = generator();
  } while (value >= limit);
  return value % bound;
}
}  // namespace

std::vector<std::uint64_t> sample_without_replacement(std::uint64_t population, std::uint64_t count, std::uint64_t seed) {
  if (count > population) throw std::invalid_argument("sample larger than its population");
  std::mt19937_64 generator(seed);
  std::unordered_set<std::uint64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(count));
  // Floyd: for j = population - count .. population - 1, take t uniform in [0, j]; if taken, take j.
  for (std::uint64_t j = population - count; j < population; ++j) {
    const std::uint64_t t = uniform_below(generator, j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  std::vector<std::uint64_t> rows(chosen.begin(), chosen.end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

SelectedRows::SelectedRows(const RowSelection& selection, std::uint64_t dataset_rows) {
  size_ = selection.kind == RowSelection::Kind::all ? dataset_rows : std::min(selection.count, dataset_rows);
  if (selection.kind == RowSelection::Kind::sample && size_ < dataset_rows) {
    contiguous_ = false;
    sampled_ = sample_without_replacement(dataset_rows, size_, selection.seed);
  }
}

}  // namespace rankme
