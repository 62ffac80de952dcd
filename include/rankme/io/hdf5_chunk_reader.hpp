#pragma once
// Reading a deflate-compressed chunked HDF5 dataset without HDF5's filter pipeline, which inflates chunk
// after chunk on one thread with zlib (about 0.11 GB/s measured): the stored chunks are read as they are
// (H5Dread_chunk) by the calling thread, and inflated (and unshuffled) by libdeflate on a pool of
// threads, which then copy each chunk's values into place. Only pipelines chunk_filters.hpp accepts come
// here; everything else is read by HDF5 itself (Hdf5RowSource decides).
//
// Threads: only the caller (the prefetching thread) calls HDF5; the pool's threads call libdeflate and
// memcpy, nothing else (MPI_THREAD_SERIALIZED, a non-thread-safe HDF5). The stored chunks are read
// independently, not collectively: each rank reads the chunks its rows lie in, whole (two ranks whose
// shards meet inside a chunk both read it), so a read takes part in no collective call.
//
// Memory: the stored chunks of one read are held at most `max(out_bytes, one stored chunk)` bytes at a
// time (read in batches beyond that); each thread has up to two decoded chunks of scratch; and the chunks
// of the last band a read touched, when its rows go on past the read, are kept decoded for the next read
// (the next block starts there: a shard that starts inside a chunk would otherwise inflate one chunk twice
// per block, and a chunk taller than a block once per block).
#include <hdf5.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/chunk_filters.hpp"
#include "rankme/io/chunk_grid.hpp"
#include "rankme/io/row_source.hpp"
#include "rankme/io/zlib_inflater.hpp"
#include "rankme/numerics/uninitialised_buffer.hpp"
#include "rankme/parallel/task_pool.hpp"

namespace rankme {

class Hdf5ChunkReader {
 public:
  // Reads `dataset` (kept open by the caller, who outlives this reader), named `name` in messages, whose
  // shape and chunk shape `grid` gives, `value_bytes` per value, filtered by `filters`; decoding on
  // `threads` threads (the caller's included; at least 1).
  Hdf5ChunkReader(hid_t dataset, std::string name, ChunkGrid grid, std::size_t value_bytes, ChunkFilters filters,
                  int threads);

  // The values of rows `runs` (ascending) times the box `start`, `count` (one per axis after the first), as
  // stored, row after row, into `out` (room for `out_bytes`, checked by the caller). Throws
  // std::runtime_error naming the chunk ("chunk at rows 512-767, cols 0-2047 of '/embeddings': deflate
  // stream is corrupt") when one cannot be read or decoded; all of its threads' work is over by then.
  void read(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
            const std::vector<std::uint64_t>& count, unsigned char* out, std::size_t out_bytes);

  // Wall seconds of read() spent other than in HDF5's calls (decoding, copying, waiting for the pool),
  // and the stored chunks decoded, both since construction.
  double decode_seconds() const { return decode_seconds_; }
  std::uint64_t chunks_decoded() const { return chunks_decoded_; }
  // The most threads decoding (the caller's included), and how many the next reads use (clamped to
  // [1, threads()]; all at first). Not while a read is under way.
  int threads() const { return threads_; }
  void use_threads(int threads) { active_threads_ = std::clamp(threads, 1, threads_); }
  int active_threads() const { return active_threads_; }

 private:
  struct ThreadScratch {
    ZlibInflater inflater;
    UninitialisedBuffer<unsigned char> stage;  // inflated, not yet unshuffled
    UninitialisedBuffer<unsigned char> chunk;  // a decoded chunk only part of which is read
  };
  using Origin = std::vector<std::uint64_t>;

  // Whether the chunk at `origin` reaches past the dataset's end on some axis (a partial edge chunk).
  bool overhangs(const Origin& origin) const;
  // The prefix of every message about the chunk at `origin`.
  std::string chunk_name(const Origin& origin) const;
  // Reads the stored chunk at `origin` into the batch, after the others (waiting for the pool first when
  // they would not fit); returns where it is, with its size and filter mask.
  const unsigned char* read_stored_chunk(const Origin& origin, std::size_t& stored_bytes, unsigned& filter_mask,
                                         std::size_t batch_bytes, double& hdf5_seconds);
  TaskPool& pool();

  hid_t dataset_;
  std::string name_;
  ChunkGrid grid_;
  std::size_t value_bytes_;
  std::size_t chunk_bytes_;
  ChunkFilters filters_;
  int threads_;
  int active_threads_;
  std::uint64_t file_bytes_ = 0;
  std::optional<TaskPool> pool_;  // started on the first read
  std::vector<ThreadScratch> scratch_;
  UninitialisedBuffer<unsigned char> batch_;  // stored chunks waiting to be decoded
  std::size_t batch_used_ = 0;
  std::map<Origin, UninitialisedBuffer<unsigned char>> kept_;  // decoded chunks of the last band read
  double decode_seconds_ = 0;
  std::uint64_t chunks_decoded_ = 0;
};

}  // namespace rankme
