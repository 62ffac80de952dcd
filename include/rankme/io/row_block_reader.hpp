#pragma once
// Reading one rank's shard of rows from a RowSource (row_source.hpp), a block of rows at a time. Memory:
// one block of stored values plus one block of doubles, whatever N is. Which dataset rows a block holds
// (shard, block, --rows/--sample) is decided here, the same way for every kind of source.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rankme/io/row_source.hpp"
#include "rankme/numerics/row_selection.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/numerics/stored_type.hpp"

namespace rankme {

// Rows per block when the user does not say: about 32 MiB of the values the products take (doubles, or
// float32 with --precision mixed: `value_bytes`), large enough for BLAS to run at full speed, small
// enough to stay far below the Gram matrix for wide data; rounded down to whole chunk rows of a chunked
// dataset, or raised to one chunk row when chunks are taller than that and a block of them (values plus
// stored values) fits in 512 MiB.
std::uint64_t default_block_rows(std::uint64_t cols, std::uint64_t chunk_rows = 0, int stored_bytes = 4,
                                 std::size_t value_bytes = sizeof(double));

// The runs of dataset rows behind positions [first, first + count) of `selected` (all rows when null):
// one run for contiguous rows, one per stretch of consecutive rows of a sample; none when count is 0.
std::vector<RowRun> row_runs(const SelectedRows* selected, std::uint64_t first, std::uint64_t count);

class RowBlockReader {
 public:
  // `source` must outlive the reader. Every rank of the source's communicator makes one. With `selected`
  // (kept alive by the caller), the shard counts positions in that selection of rows (--rows, --sample)
  // rather than dataset rows.
  RowBlockReader(RowSource& source, RowShard shard, std::uint64_t block_rows, const SelectedRows* selected = nullptr);

  // Reads this rank's rows of block `index` and widens them into `out` (room for block_rows x cols
  // doubles). Returns the number of rows read: 0 for a rank whose shard has no rows left, which still
  // takes part in the collective transfer. Collective: all ranks call it with the same index.
  std::uint64_t read(std::uint64_t index, double* out, BlockStatistics& stats);

  // The same transfer without the widening: the stored bytes of block `index` go to `raw` (room for
  // stored_block_bytes()), to be decoded by the caller (a prefetching thread decodes them to float32 or
  // double while the previous block is being multiplied). Collective like read().
  std::uint64_t read_stored(std::uint64_t index, unsigned char* raw);
  std::size_t stored_block_bytes() const { return stored_block_bytes_; }

  RowSource& source() const { return source_; }

 private:
  RowSource& source_;
  StoredType type_;
  std::uint64_t cols_;
  RowShard shard_;
  std::uint64_t block_rows_;
  const SelectedRows* selected_;
  std::size_t stored_block_bytes_ = 0;
  std::vector<unsigned char> raw_;  // read()'s own buffer, made on its first use
};

}  // namespace rankme
