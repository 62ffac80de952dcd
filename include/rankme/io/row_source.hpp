#pragma once
// The one interface through which the scoring pipeline reads an N x K matrix: its shape, its element
// type, "copy the stored bytes of these rows into a block", and a fingerprint that tells whether the
// input changed while it was read. HDF5 is its first implementation (hdf5_row_source.hpp); the block
// reader (row_block_reader.hpp) and the prefetcher (block_prefetcher.hpp) above it know nothing else.
//
// Rows are asked for as runs of consecutive dataset rows, ascending: one run for a block of a contiguous
// shard, several for a block of sampled rows (--sample), none for a rank whose shard is done. Which rows
// a rank reads (shards, blocks, --rows/--sample) is decided above the source, once for every source.
//
// Collective contract: every rank of the communicator the source was opened on calls read_rows() the same
// number of times, in the same order, also with no runs (a rank with nothing left to read, or whose own
// preparation of the block failed: it still calls, reading nothing, and raises its error afterwards).
// Parallel HDF5 needs that (H5Dread with collective MPI-IO is matched over the ranks), and so would an
// MPI-IO source (MPI_File_read_at_all). A source whose reads are local may ignore it.
//
// A source that is a byte range of a file (.npy, safetensors: a header, then rows x cols values stored
// row after row) is one new file implementing this class: rows(), cols() and stored_type() from its
// header; read_rows() copies each run's bytes [offset + first * row_bytes, offset + (first + count) *
// row_bytes) to the next place in `out`, by pread (looping over short reads), from an mmap, or, collectively,
// by MPI_File_read_at_all on a file view of the runs (an MPI_Type_create_hindexed of them); stored_type()
// carries the byte order, so decoding (stored_type.hpp) is the same as for HDF5; fingerprint() is
// FileFingerprint::of(path).
//
// No storage hints here: the rows per block and the --max-memory check take the chunk shape from
// discovery (DatasetTarget::chunk_dims, empty for a format without chunks), because a dataset too large
// for memory is refused before it is opened.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rankme/numerics/stored_type.hpp"
#include "rankme/os/file_fingerprint.hpp"

namespace rankme {

// Dataset rows [first, first + count).
struct RowRun {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

class RowSource {
 public:
  virtual ~RowSource() = default;

  virtual std::uint64_t rows() const = 0;
  virtual std::uint64_t cols() const = 0;
  virtual StoredType stored_type() const = 0;
  // Bytes of one stored row: cols() values of stored_type().
  std::size_t row_bytes() const { return static_cast<std::size_t>(cols() * static_cast<std::uint64_t>(stored_type().bytes)); }

  // Copies the stored bytes of the rows of `runs` (ascending, inside [0, rows()), not overlapping), row
  // after row in the order of the runs, to `out`, which has room for `out_bytes` >= their rows times
  // row_bytes(). The values are not decoded: the caller does that (it may do it on another thread).
  // Collective as the header says. Throws std::runtime_error for a failed read; a collective source
  // still takes part in the transfer before it throws, so that the other ranks are not left waiting.
  virtual void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) = 0;

  // The same for columns [first_col, first_col + col_count) of each row only: `out` receives col_count
  // values per row, row after row. --pool first/last read one vector of each sample this way. The default
  // reads the whole rows (one read_rows, into a buffer of the block's size) and copies the range out; a
  // source that can read a sub-range directly overrides it (Hdf5RowSource: a hyperslab of the range, when
  // it lies inside the last axis), which saves reading the rest of the row. Collective like read_rows
  // (one read per call either way); throws std::out_of_range for a range past cols().
  virtual void read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col, std::uint64_t col_count,
                                unsigned char* out, std::size_t out_bytes);

  // Seconds spent so far decoding stored data inside read_rows (inflating compressed chunks: --timings
  // "decode"), which read_rows's own time includes; 0 for a source that stores values as they are.
  virtual double decode_seconds() const { return 0; }

  // The threads that decode inside read_rows: the most this source can use (0: it decodes nothing), and
  // how many of them the next reads use (clamped to [1, the most]; all of them at first). A caller that
  // reads in the background while its own threads keep the cores busy uses fewer (block_prefetcher.hpp).
  // Not while a read is under way.
  virtual int decode_threads() const { return 0; }
  virtual void use_decode_threads(int threads) { (void)threads; }

  // What identifies the input's bytes now. The pipeline takes one when it opens the input and compares
  // it with another once every block is read: a file truncated, rewritten or replaced in between is
  // reported, not scored. Throws std::runtime_error when the input cannot be examined (removed, say).
  virtual FileFingerprint fingerprint() const = 0;
};

}  // namespace rankme
