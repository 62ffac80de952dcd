#pragma once
// Which rows of an N-row matrix one rank reads.
#include <cstdint>

namespace rankme {

// A contiguous range of rows [begin, begin + count). The first N % P ranks get one extra row, so shard
// sizes differ by at most one; a rank may get zero rows and must still take part in every collective.
struct RowShard {
  std::uint64_t begin = 0;
  std::uint64_t count = 0;

  static RowShard of_rank(std::uint64_t total_rows, int rank, int ranks);
};

// The number of block reads every rank makes for one dataset: the same on all ranks (collective reads
// must be matched), computed from the largest shard.
std::uint64_t block_count(std::uint64_t total_rows, int ranks, std::uint64_t block_rows);

}  // namespace rankme
