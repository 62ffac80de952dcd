#pragma once
// LiDAR's scatter sums over row blocks whose rows are views of objects (Thilak et al., ICLR 2024;
// numerics.md, "LiDAR"), on one process. Pure numerics: the ranks' parts are combined above (pipeline).
//
// The within-object scatter W = sum_i sum_j (e_ij - mu_i)(e_ij - mu_i)^T is never formed as
// sum e e^T - sum_i S_i S_i^T / q_i, which cancels catastrophically when the data's common offset (or the
// spread between objects) is large against the spread of an object's views. Instead:
//   - each block's rows are grouped by object into fragments (the object's rows in that block); every row
//     has its fragment's mean subtracted before one dsyrk of the block, so W gets each fragment's own
//     centred scatter;
//   - a fragment joins the object's earlier fragments by the pairwise update of Chan, Golub and LeVeque:
//     c = c_a + c_b, d = m_b - m_a, m = m_a + d c_b / c, W += d d^T c_a c_b / c (the rows sqrt(c_a c_b / c) d
//     are collected and added by dsyrk in batches);
//   - across ranks, shifted_to_global_means adds sum_i c_r (m_ri - m_i)(...)^T, the parallel-axis term of
//     each rank's part of an object against the object's global mean, before the ranks' W are summed.
// Every term is a sum of squares of differences of nearby numbers: rounding is relative to the views'
// own spread, not to the data's magnitude.
#include <cstdint>
#include <vector>

namespace rankme {

class LidarAccumulator {
 public:
  // `objects`: how many objects there are (indices 0 .. objects - 1), K = `cols`.
  LidarAccumulator(std::uint64_t cols, std::uint64_t objects);

  // Adds `rows` rows of `cols` doubles (row-major) whose objects are object_of_row[0 .. rows); any order,
  // any object (< objects()). `rows` is not changed.
  void add_block(const double* block, const std::uint64_t* object_of_row, std::uint64_t rows);

  // Before the ranks' parts are combined: this process's views per object (as doubles, for a sum over
  // ranks), their means (objects x cols, row-major; 0 for an object with no views here), and W so far
  // (cols x cols, column-major, lower triangle valid).
  const std::vector<double>& counts() const { return counts_; }
  const std::vector<double>& means() const { return means_; }
  const std::vector<double>& within();  // adds the pending merge terms first

  // Given every object's views and mean over all ranks: adds count_here * (mean_here - mean)(...)^T of
  // every object this process holds only part of, so that the ranks' W sum to the within-object scatter
  // of all views.
  void shift_to_global_means(const std::vector<double>& global_counts, const std::vector<double>& global_means);

  std::uint64_t cols() const { return cols_; }
  std::uint64_t objects() const { return objects_; }

 private:
  void add_merge_row(const double* difference, double weight);
  void flush_merge_rows();

  std::uint64_t cols_;
  std::uint64_t objects_;
  std::vector<double> counts_;
  std::vector<double> means_;
  std::vector<double> within_;
  std::vector<double> centred_;       // one block's rows, each less its fragment's mean
  std::vector<double> merge_rows_;    // sqrt(weight) * difference rows waiting for one dsyrk
  std::uint64_t merge_row_count_ = 0;
  std::vector<std::uint64_t> order_;  // a block's rows by object
  std::vector<double> fragment_mean_;
};

}  // namespace rankme
