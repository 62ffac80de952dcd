#include "rankme/pipeline/lidar_pass.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "rankme/io/hdf5_object_ids.hpp"
#include "rankme/numerics/lidar_metric.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/generalised_eigensolver.hpp"

namespace rankme {

std::uint64_t lidar_memory_bytes(std::uint64_t objects, std::uint64_t cols, std::uint64_t block_rows) {
  const std::uint64_t doubles = 2 * objects * cols + objects + 2 * cols * cols + block_rows * cols * 2 + 256 * cols;
  return doubles * sizeof(double) + objects * sizeof(std::uint64_t);
}

LidarPass::LidarPass(const Communicator& comm, const DatasetTarget& target, std::uint64_t rows)
    : comm_(comm), cols_(target.cols), views_(target.views) {
  const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
  shard_begin_ = shard.begin;
  if (views_ > 0) {
    objects_ = rows / views_;
    return;
  }
  // --groups: this rank's ids, then every rank's distinct ids in turn, so that all number them alike.
  std::vector<std::int64_t> ids;
  run_stage(comm, [&] {
    if (target.groups.empty()) throw std::logic_error("LiDAR without views or groups");
    ids = read_object_ids(target.file, target.groups, rows, shard.begin, shard.count);
  });
  std::vector<std::int64_t> distinct = ids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::int64_t> all;
  for (int rank = 0; rank < comm.size(); ++rank) {
    std::vector<std::uint64_t> theirs;
    if (rank == comm.rank()) {
      for (std::int64_t id : distinct) theirs.push_back(static_cast<std::uint64_t>(id));
    }
    comm.broadcast(theirs, rank);
    for (std::uint64_t id : theirs) all.push_back(static_cast<std::int64_t>(id));
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  objects_ = all.size();
  object_of_row_.resize(ids.size());
  for (std::size_t row = 0; row < ids.size(); ++row) {
    object_of_row_[row] = static_cast<std::uint64_t>(std::lower_bound(all.begin(), all.end(), ids[row]) - all.begin());
  }
}

void LidarPass::start_pass(std::uint64_t block_rows) {
  if (complete_) return;
  block_rows_ = block_rows;
  accumulator_.emplace(cols_, objects_);
}

void LidarPass::add_block(const DecodedBlock& block) {
  if (complete_ || block.rows == 0) return;
  const std::uint64_t first = block.index * block_rows_;  // within this rank's shard
  block_objects_.resize(static_cast<std::size_t>(block.rows));
  for (std::uint64_t r = 0; r < block.rows; ++r) {
    block_objects_[r] = views_ > 0 ? (shard_begin_ + first + r) / views_ : object_of_row_[first + r];
  }
  const double* values = nullptr;
  if (!block.wide.empty()) {
    values = block.wide.data();
  } else {
    // A float block of a type float32 holds exactly: its values are the data times 2^-float_exponent, so
    // the doubles are exact too.
    const std::size_t count = static_cast<std::size_t>(block.rows * cols_);
    widened_.resize(count);
    const float* single = const_cast<DecodedBlock&>(block).single();
    const double scale = std::ldexp(1.0, block.float_exponent);  // a power of two: exact products
    for (std::size_t i = 0; i < count; ++i) widened_[i] = static_cast<double>(single[i]) * scale;
    values = widened_.data();
  }
  accumulator_->add_block(values, block_objects_.data(), block.rows);
}

void LidarPass::end_pass(bool complete) {
  if (complete) complete_ = true;
}

void LidarPass::combine() {
  if (combined_) return;
  if (!complete_) throw std::logic_error("LiDAR of an incomplete pass");
  const std::size_t k = static_cast<std::size_t>(cols_);
  LidarAccumulator& accumulator = *accumulator_;
  // Every step that allocates or can fail on one rank is a stage of its own, agreed on before the next
  // collective (collective_status.hpp).
  run_stage(comm_, [&] {
    counts_ = accumulator.counts();
    means_ = accumulator.means();
    // Each object's mean over all ranks from the ranks' sums (count x mean).
    if (comm_.size() > 1) {
      for (std::size_t object = 0; object < counts_.size(); ++object) {
        for (std::size_t c = 0; c < k; ++c) means_[object * k + c] *= counts_[object];
      }
    }
  });
  if (comm_.size() > 1) {
    comm_.sum_in_place(counts_.data(), counts_.size());
    comm_.sum_in_place(means_.data(), means_.size());
  }
  run_stage(comm_, [&] {
    if (comm_.size() > 1) {
      for (std::size_t object = 0; object < counts_.size(); ++object) {
        if (counts_[object] <= 0) continue;
        for (std::size_t c = 0; c < k; ++c) means_[object * k + c] /= counts_[object];
      }
      // Each rank's part of an object shifted onto the object's global mean.
      accumulator.shift_to_global_means(counts_, means_);
    }
    within_ = accumulator.within();
  });
  if (comm_.size() > 1) comm_.sum_in_place(within_.data(), within_.size());
  combined_ = true;
}

std::vector<double> LidarPass::uncentred_gram() {
  combine();
  if (within_consumed_) throw std::logic_error("LiDAR's Gram matrix after its value");
  std::vector<double> gram;
  run_stage(comm_, [&] {
    gram.assign(within_.size(), 0.0);
    const RowShard share = RowShard::of_rank(objects_, comm_.rank(), comm_.size());
    add_object_mean_products(counts_, means_, share.begin, share.begin + share.count, cols_, gram);
  });
  if (comm_.size() > 1) comm_.sum_in_place(gram.data(), gram.size());
  // W (already the sum over ranks) added once, after the sum.
  const std::size_t k = static_cast<std::size_t>(cols_);
  for (std::size_t col = 0; col < k; ++col) {
    for (std::size_t row = col; row < k; ++row) gram[row + col * k] += within_[row + col * k];
  }
  return gram;
}

LidarValue LidarPass::value(double delta, SolverChoice solver) {
  LidarValue result;
  combine();
  const std::size_t k = static_cast<std::size_t>(cols_);
  const LidarWeights weights = lidar_weights(counts_);  // the same on every rank
  if (auto reason = lidar_undefined_reason(weights)) {
    result.missing = *reason;
    return result;
  }
  std::vector<double> within, between;
  run_stage(comm_, [&] {
    within = std::move(within_);  // the eigensolver overwrites it: uncentred_gram comes first, if at all
    within_consumed_ = true;
    // Sigma_b: each rank the objects of its share, summed with the within scatter's parts.
    const std::vector<double> grand_mean = mean_of_object_means(counts_, means_, cols_);
    between.assign(k * k, 0.0);
    const RowShard share = RowShard::of_rank(objects_, comm_.rank(), comm_.size());
    add_between_scatter(counts_, means_, grand_mean, share.begin, share.begin + share.count, cols_, between);
  });
  if (comm_.size() > 1) comm_.sum_in_place(between.data(), between.size());
  scale_to_covariances(within, between, cols_, weights, delta);
  const Eigenvalues eigenvalues = generalised_eigenvalues(comm_, between, within, cols_, solver);
  result.solver = eigenvalues.solver;
  const double lidar = lidar_from_eigenvalues(eigenvalues.values);
  if (std::isfinite(lidar)) {
    result.value = lidar;
  } else {
    result.missing = "LiDAR came out non-finite (data beyond double's range for its scatter matrices?)";
  }
  return result;
}

}  // namespace rankme
