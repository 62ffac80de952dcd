#include "rankme/numerics/row_shard.hpp"

#include <stdexcept>

namespace rankme {

RowShard RowShard::of_rank(std::uint64_t total_rows, int rank, int ranks) {
  if (ranks <= 0 || rank < 0 || rank >= ranks) throw std::invalid_argument("RowShard: rank out of range");
  const auto p = static_cast<std::uint64_t>(ranks);
  const auto r = static_cast<std::uint64_t>(rank);
  const std::uint64_t base = total_rows / p;
  const std::uint64_t extra = total_rows % p;
  RowShard shard;
  shard.count = base + (r < extra ? 1 : 0);
  shard.begin = r * base + (r < extra ? r : extra);
  return shard;
}

std::uint64_t block_count(std::uint64_t total_rows, int ranks, std::uint64_t block_rows) {
  if (block_rows == 0) throw std::invalid_argument("block_count: block_rows must be positive");
  const std::uint64_t largest = RowShard::of_rank(total_rows, 0, ranks).count;
  // Not (largest + block_rows - 1) / block_rows: that wraps to 0 for block_rows near 2^64.
  return largest / block_rows + (largest % block_rows != 0 ? 1 : 0);
}

}  // namespace rankme
