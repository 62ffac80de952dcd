#pragma once
// LiDAR in the same block pass as RankMe (numerics.md, "LiDAR"): every block the route reads is also added
// to a LidarAccumulator, by object, before the route's own products see it; once every block is read, the
// ranks' parts are combined and the pencil's eigenvalues give the value.
//
// Objects: for an array read as views (DatasetTarget::views = q), row r is a view of object r / q; for
// --groups, each rank reads the ids of its own rows and the objects are the distinct ids, numbered in
// ascending order over all ranks. An object's rows may lie in several blocks and on several ranks.
//
// Memory per rank: the objects' counts and means and their sums over ranks (2 n K doubles), the two K x K
// scatter matrices, one block of rows widened to double and centred (block_rows x K) and the merge rows
// (256 x K): lidar_memory_bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/numerics/lidar_accumulator.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// What lidar_memory_bytes counts, per rank, for `objects` objects (at most the rows), K = cols.
std::uint64_t lidar_memory_bytes(std::uint64_t objects, std::uint64_t cols, std::uint64_t block_rows);

// LiDAR's outcome: the value, or why there is none (no views, fewer than two objects, ...).
struct LidarValue {
  std::optional<double> value;
  std::string solver;   // the generalised eigensolver that ran
  std::string missing;  // why value is empty
};

class LidarPass {
 public:
  // Collective over `comm`: the objects of this rank's shard of the `rows` rows (all of the dataset's: --lidar
  // takes no --rows or --sample). Throws CollectiveError on every rank when the --groups dataset is missing
  // or does not fit on some rank.
  LidarPass(const Communicator& comm, const DatasetTarget& target, std::uint64_t rows);

  // Before each pass of a route: a fresh accumulator (unless an earlier pass already read every block, in
  // which case nothing is added again), for blocks of `block_rows` rows per rank.
  void start_pass(std::uint64_t block_rows);
  // One block of the pass (block.index-th of this rank's shard), before the route's products touch it.
  void add_block(const DecodedBlock& block);
  // After the pass: whether it read every block.
  void end_pass(bool complete);

  // Collective: the ranks' parts combined, Sigma_w and Sigma_b, the eigenvalues and the value. Needs a
  // complete pass; once only, and after uncentred_gram if that is wanted (it takes W over).
  LidarValue value(double delta, SolverChoice solver);
  // Collective, after a complete pass: the uncentred Gram matrix of all the dataset's rows, sum e e^T =
  // W + sum_i c_i mu_i mu_i^T, from the within-object scatter W and the objects' counts and means that LiDAR
  // already holds (K x K, column-major, lower triangle valid, the same on every rank): RankMe's Gram route
  // takes it instead of a product pass of its own (spectrum_route.hpp). The extra product is over the
  // objects (N / q rows), not the N rows. Exact up to double rounding: both terms are positive
  // semidefinite, so nothing cancels; the data's own values, unscaled (the route uses it only when they are
  // within GramAccumulator's unscaled range).
  std::vector<double> uncentred_gram();

 private:
  const Communicator& comm_;
  std::uint64_t cols_;
  std::uint64_t views_;               // > 0: objects are rows / views
  std::uint64_t objects_ = 0;
  std::uint64_t shard_begin_ = 0;     // this rank's first row
  std::vector<std::uint64_t> object_of_row_;  // --groups: this rank's rows' objects
  std::uint64_t block_rows_ = 0;
  bool complete_ = false;
  std::optional<LidarAccumulator> accumulator_;
  // After combine(): every object's views and mean over all ranks, and W summed over ranks.
  void combine();
  bool combined_ = false;
  bool within_consumed_ = false;  // value() took within_
  std::vector<double> counts_, means_, within_;
  std::vector<double> widened_;       // a float32 block's values as doubles
  std::vector<std::uint64_t> block_objects_;
};

}  // namespace rankme
