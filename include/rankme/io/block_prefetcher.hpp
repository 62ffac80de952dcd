#pragma once
// Reading block i + 1 while block i is being multiplied: the collective read and the decoding (to double
// or float32) of the next row block run on a worker thread, so that the block products hide them.
//
// MPI and HDF5 are never called from two threads at once: the worker makes the only calls into the row
// source (row_source.hpp: HDF5 and MPI-IO for an HDF5 file) while it runs, and the caller makes its own
// MPI calls (the per-block agreement, the scheduler) only between wait() and the next start(). That needs
// MPI_THREAD_SERIALIZED, not MULTIPLE, and no thread-safe HDF5 build. Without SERIALIZED (mpi_session.hpp
// says), blocks are read in start() itself.
//
// A source that decodes on several threads (compressed HDF5 chunks: row_source.hpp, decode_threads()) is
// told how many to use for each block (next_decode_threads below): decoding competes for the cores with
// the products, which BLAS runs on every core of the rank.
#include <chrono>
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
  double read_seconds = 0;                // RowSource::read_rows (H5Dread), but its decode_seconds
  double decode_seconds = 0;              // inflating compressed chunks inside read_rows (decode_seconds())
  double convert_seconds = 0;             // decoding the stored bytes, checking finiteness
  std::chrono::steady_clock::time_point loaded_at;  // when reading and decoding it ended
  UninitialisedBuffer<unsigned char> raw;  // the stored bytes

  // The float32 values of a float block, wherever they are.
  float* single() { return narrow_in_raw ? reinterpret_cast<float*>(raw.data()) : narrow.data(); }
};

// How many threads the source decodes the next block with, while the products of the block before run on
// every core: as many as keep the products from waiting for blocks, and no more. Decoding beside the
// products slows them (threads beyond the cores: OpenBLAS's threads share out a product evenly and wait
// for the slowest), so an extra thread pays only where decoding takes longer than the products (narrow
// rows: decoding grows with K, the products with K^2). Measured at 1 rank x 2 BLAS threads on 2 cores,
// gzip against uncompressed: 25,600 x 2,048 took 1.11x with 1 decoding thread, 1.20x with 2; 200,000 x 512
// took 2.18x with 1, 1.67x with 2 (docs/inputs.md).
//
// From `current`: one more (up to `most`) when the products had to wait for the block (`waited`), one fewer
// (down to 1) when it was ready `slack_seconds` before they asked, longer than it took to read and decode
// (`load_seconds`): with one thread fewer it would still have been ready. Otherwise unchanged.
int next_decode_threads(int current, int most, bool waited, double slack_seconds, double load_seconds);

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
  int most_decode_threads_;  // the source's (0: it decodes nothing)
  int decode_threads_ = 1;   // for blocks read beside the products (the first is read alone: with all)
  bool first_block_ = true;
  DecodedBlock slots_[2];
  int filling_ = 0;
  std::future<void> pending_;
};

}  // namespace rankme
