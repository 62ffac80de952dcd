#pragma once
// Which rows of a dataset are scored: all of them, the first N (--rows), or N drawn uniformly without
// replacement (--sample, --seed). The paper compares runs at a fixed N (25,600 samples).
#include <cstdint>
#include <vector>

namespace rankme {

struct RowSelection {
  enum class Kind { all, first, sample };
  Kind kind = Kind::all;
  std::uint64_t count = 0;  // first / sample: how many rows
  std::uint64_t seed = 0;   // sample
};

// The selected rows of one dataset, in ascending order. The same on every rank and for every number of
// ranks or groups: the sample comes from std::mt19937_64 (whose output the standard fixes) through our
// own rejection sampling (std::uniform_int_distribution differs between standard libraries).
class SelectedRows {
 public:
  SelectedRows(const RowSelection& selection, std::uint64_t dataset_rows);

  std::uint64_t size() const { return size_; }
  // The dataset row of selected position `position` (0 <= position < size()).
  std::uint64_t row(std::uint64_t position) const { return contiguous_ ? position : sampled_[position]; }
  bool contiguous() const { return contiguous_; }  // rows 0 .. size()-1

 private:
  std::uint64_t size_ = 0;
  bool contiguous_ = true;
  std::vector<std::uint64_t> sampled_;  // sorted, only for a sample smaller than the dataset
};

// `count` distinct integers from [0, population), sorted, by Floyd's algorithm (count draws, whatever the
// population). Requires count <= population.
std::vector<std::uint64_t> sample_without_replacement(std::uint64_t population, std::uint64_t count, std::uint64_t seed);

}  // namespace rankme
