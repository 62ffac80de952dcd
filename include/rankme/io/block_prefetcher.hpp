#pragma once
// Reading block i + 1 while block i is being multiplied: the collective read and the decoding (to double
// or float32) of the next row block run on a worker thread, so that the block products hide them.
//
// MPI and HDF5 are never called from two threads at once: the worker makes the only calls into the row
// source (row_source.hpp: HDF5 and MPI-IO for an HDF5 file) while it runs, and the caller makes its own
// MPI calls (the per-block agreement, the scheduler) only between wait() and the next start(). That needs
// MPI_THREAD_SERIALIZED, not MULTIPLE, and no thread-safe HDF5 build. Without SERIALIZED (mpi_session.hpp
// says), blocks are read in start() itself.
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/numerics/stored_type.hpp"
#include "rankme/numerics/uninitialised_buffer.hpp"

namespace rankme {

// Which values the block products take.
enum class BlockValues { double_values, float_values };

// One row block as the accumulators take it, with what reading and decoding it found.
struct DecodedBlock {
  std::uint64_t index = 0;
  std::uint64_t rows = 0;                 // this rank's rows in the block (0 once its shard is done)
  BlockStatistics stats;
  UninitialisedBuffer<double> wide;       // double values (double blocks; also types wider than float32)
  UninitialisedBuffer<float> narrow;      // float32 values (float blocks), times 2^-float_exponent, unless
  bool narrow_in_raw = false;             // ... native float32 data is used where it was read, in `raw`
  int float_exponent = 0;                 // single_precision_block.hpp
  std::optional<std::string> error;       // a failed read or decode on this rank
  double read_seconds = 0;                // RowSource::read_rows (H5Dread)
  double convert_seconds = 0;             // decoding the stored bytes, checking finiteness
  UninitialisedBuffer<unsigned char> raw;  // the stored bytes

  // The float32 values of a float block, wherever they are.
  float* single() { return narrow_in_raw ? reinterpret_cast<float*>(raw.data()) : narrow.data(); }
};

class BlockPrefetcher {
 public:
  // `reader` must outlive the prefetcher; the stored type and columns are its source's. `background`
  // false reads in start() (no worker thread).
  BlockPrefetcher(RowBlockReader& reader, BlockValues values, bool background);
  BlockPrefetcher(const BlockPrefetcher&) = delete;
  BlockPrefetcher& operator=(const BlockPrefetcher&) = delete;
  ~BlockPrefetcher();

  // Starts reading block `index` into the slot that the block returned by the last wait() does not use.
  // Collective (the read is): every rank starts the same indices in the same order.
  void start(std::uint64_t index);

  // The block started last, once it is read; valid until the start() after the next one.
  DecodedBlock& wait();

 private:
  void load(DecodedBlock& block) const;

  RowBlockReader& reader_;
  StoredType type_;
  std::uint64_t cols_;
  BlockValues values_;
  bool background_;
  DecodedBlock slots_[2];
  int filling_ = 0;
  std::future<void> pending_;
};

}  // namespace rankme
