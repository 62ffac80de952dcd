#pragma once
// How much memory scoring one dataset takes on each rank, worked out from its shape before anything is
// allocated, and the limit it is held to (--max-memory). A dataset that declares 2^20 columns needs a
// K x K Gram matrix of 8 TiB on every rank: refused with that figure, not an allocation failure (or an
// OOM kill of the whole job) half-way through a sweep.
#include <cstdint>
#include <optional>
#include <string>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

// What the pipeline allocates per rank for one dataset, in bytes, saturating at UINT64_MAX (declared
// shapes can make the products overflow).
struct MemoryEstimate {
  std::uint64_t gram = 0;        // the K x K double Gram matrix (or TSQR's R factors), on every rank
  std::uint64_t single = 0;      // the float32 scratch of mixed-precision block products
  std::uint64_t blocks = 0;      // the two row blocks in flight (read-ahead), stored and decoded
  std::uint64_t chunks = 0;      // whole-chunk buffers (a compressed chunk is read whole): HDF5's, or rankme's
                                 // own decoding of gzip chunks (io/hdf5_chunk_reader.hpp), the larger
  std::uint64_t eigensolve = 0;  // the eigensolver's copy and workspace on the rank that solves
  std::uint64_t baseline = 0;    // MPI, HDF5 and BLAS buffers that every rank has anyway

  std::uint64_t total() const;
  // e.g. "8.0 TiB (Gram matrix 8.0 TiB, row blocks 64 MiB, ...)".
  std::string describe() const;
};

struct MemoryShape {
  std::uint64_t cols = 0;
  std::uint64_t block_rows = 0;      // rows per block and rank
  int stored_bytes = 0;              // bytes of one stored value
  std::size_t value_bytes = 8;       // bytes of one decoded value (4 in mixed precision)
  bool mixed = false;                // float32 block products (and maybe a double pass after)
  bool tsqr = false;                 // --method tsqr
  bool scalapack = false;            // the eigensolve runs on a process grid (else LAPACK, in place)
  std::uint64_t chunk_bytes = 0;     // one chunk's bytes when the dataset is chunked, else 0
  std::uint64_t chunk_rows = 0;      // its chunks' rows
  int decode_threads = 1;            // threads decoding gzip chunks (the rank's BLAS threads)
  int ranks = 1;                     // ranks scoring the dataset
  int threads = 1;                   // BLAS threads per rank (TSQR keeps one R factor per thread)
};

MemoryEstimate estimate_memory_per_rank(const MemoryShape& shape);

// "4G", "512M", "1.5GiB", "100000000" (bytes): binary multiples (K, M, G, T with optional "iB" or "B").
// Throws std::invalid_argument naming the text.
std::uint64_t parse_memory_size(const std::string& text);

// 1536 -> "1.5 KiB".
std::string describe_bytes(std::uint64_t bytes);

// This node's memory: the smaller of its physical memory and this process's cgroup limit (SLURM confines
// jobs with cgroups), or nothing when neither can be read.
std::optional<std::uint64_t> node_memory_bytes();

// The default --max-memory: 90% of the node's memory shared by the ranks of `world` on this node.
// Collective over `world` (it counts the ranks on each node). 0 (no limit) when the node's memory is unknown.
std::uint64_t default_memory_limit_per_rank(const Communicator& world);

}  // namespace rankme
