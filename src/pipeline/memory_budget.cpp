#include "rankme/pipeline/memory_budget.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "rankme/numerics/triangle_on_top_qr.hpp"
#include "rankme/parallel/blas_threads.hpp"

namespace rankme {

namespace {

constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();

std::uint64_t times(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > saturated / a) return saturated;
  return a * b;
}

std::uint64_t plus(std::uint64_t a, std::uint64_t b) { return a > saturated - b ? saturated : a + b; }

// The cgroup v2 limit of this process (memory.max of its own cgroup), then cgroup v1's.
std::optional<std::uint64_t> cgroup_limit() {
  std::string own = "/";
  std::ifstream membership("/proc/self/cgroup");
  for (std::string line; std::getline(membership, line);) {
    if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  for (const std::string& path : {"/sys/fs/cgroup" + own + "/memory.max", std::string("/sys/fs/cgroup/memory.max"),
                                  std::string("/sys/fs/cgroup/memory/memory.limit_in_bytes")}) {
    std::ifstream file(path);
    std::string text;
    if (!(file >> text) || text == "max") continue;
    try {
      const std::uint64_t limit = std::stoull(text);
      if (limit > 0 && limit < (std::uint64_t{1} << 62)) return limit;  // v1 says "no limit" as 2^63 - page
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

}  // namespace

std::uint64_t MemoryEstimate::total() const {
  return plus(plus(plus(gram, single), plus(blocks, chunks)), plus(eigensolve, baseline));
}

std::string MemoryEstimate::describe() const {
  std::string text = describe_bytes(total()) + " (Gram matrix " + describe_bytes(gram);
  if (single > 0) text += ", float32 scratch " + describe_bytes(single);
  text += ", row blocks " + describe_bytes(blocks);
  if (chunks > 0) text += ", HDF5 chunk buffers " + describe_bytes(chunks);
  text += ", eigensolver " + describe_bytes(eigensolve) + ", MPI/HDF5/BLAS " + describe_bytes(baseline) + ")";
  return text;
}

MemoryEstimate estimate_memory_per_rank(const MemoryShape& shape) {
  MemoryEstimate estimate;
  const std::uint64_t k = shape.cols;
  const std::uint64_t k_squared = times(k, k);
  // TSQR holds one R per BLAS thread (tsqr.hpp), and one more K x K: a partner's R while merging up the tree,
  // or a thread's dense stack of rows while its R is still wide.
  const auto factors = static_cast<std::uint64_t>(std::max(shape.threads, 1)) + 1;
  estimate.gram = shape.tsqr ? times(times(k_squared, 8), factors) : times(k_squared, 8);
  estimate.single = shape.mixed && !shape.tsqr ? times(k_squared, 4) : 0;
  // Two slots (one read ahead): the stored bytes and the decoded values (float or double; a mixed pass
  // that falls back to double decodes into doubles the second time).
  const std::uint64_t values = times(shape.block_rows, k);
  const std::uint64_t decoded = times(values, shape.mixed ? 8 : shape.value_bytes);
  estimate.blocks = times(plus(times(values, static_cast<std::uint64_t>(std::max(shape.stored_bytes, 1))), decoded), 2);
  // The QR works on the block in place; its workspace is a panel of 128 columns of the block's rows (split
  // among the threads) and each thread's trailing product, K x 128.
  if (shape.tsqr) {
    const std::uint64_t panel = TriangleOnTopQr::default_panel_columns * 8;
    estimate.blocks = plus(estimate.blocks, plus(times(shape.block_rows, panel), times(times(factors - 1, k), panel)));
  }
  // HDF5 reads a compressed chunk whole: its compressed and its decompressed bytes at once. rankme's own
  // decoding of gzip chunks holds a batch of stored chunks (a stored block, or two chunks per thread when
  // that is more), two decoded chunks of scratch per thread, and the chunk row kept for the next block.
  if (shape.chunk_bytes > 0) {
    const std::uint64_t threads = static_cast<std::uint64_t>(std::max(shape.decode_threads, 1));
    const std::uint64_t per_threads = times(times(shape.chunk_bytes, 2), threads);
    const std::uint64_t batch = std::max(times(values, static_cast<std::uint64_t>(std::max(shape.stored_bytes, 1))), per_threads);
    const std::uint64_t band = std::max(shape.chunk_bytes, times(times(shape.chunk_rows, k), static_cast<std::uint64_t>(std::max(shape.stored_bytes, 1))));
    estimate.chunks = std::max(times(shape.chunk_bytes, 2), plus(plus(batch, per_threads), band));
  }
  // LAPACK overwrites the Gram matrix in place; dsyevd_2stage's workspace is a band of about 64 columns.
  // ScaLAPACK copies its block-cyclic piece and takes about as much again for workspace.
  const std::uint64_t ranks = static_cast<std::uint64_t>(std::max(shape.ranks, 1));
  estimate.eigensolve = times(times(k, 8), 130);
  if (shape.scalapack) estimate.eigensolve = plus(estimate.eigensolve, times(k_squared, 16) / ranks);
  estimate.baseline = std::uint64_t{96} << 20;
  return estimate;
}

std::uint64_t parse_memory_size(const std::string& text) {
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("'" + text + "' is not a memory size (e.g. 4G, 512M, 1.5GiB)");
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
  const std::string units = "KMGTP";
  double factor = 1;
  if (!unit.empty()) {
    const auto position = units.find(unit);
    if (unit.size() != 1 || position == std::string::npos) {
      throw std::invalid_argument("'" + text + "' is not a memory size (e.g. 4G, 512M, 1.5GiB)");
    }
    factor = std::ldexp(1.0, 10 * static_cast<int>(position + 1));
  }
  const double bytes = number * factor;
  if (!std::isfinite(bytes) || bytes < 1 || bytes >= 1.8e19) {
    throw std::invalid_argument("'" + text + "' is not a memory size between 1 byte and 16 EiB");
  }
  return static_cast<std::uint64_t>(bytes);
}

std::string describe_bytes(std::uint64_t bytes) {
  if (bytes == saturated) return "more than 16 EiB";
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 6) {
    value /= 1024;
    ++unit;
  }
  char text[64];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  }
  return text;
}

std::optional<std::uint64_t> node_memory_bytes() {
  std::optional<std::uint64_t> memory;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) memory = times(static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(page_size));
  if (const auto limit = cgroup_limit()) memory = memory ? std::min(*memory, *limit) : *limit;
  return memory;
}

std::uint64_t default_memory_limit_per_rank(const Communicator& world) {
  const int sharing = ranks_sharing_node(world);  // collective: called on every rank whatever it knows
  const std::optional<std::uint64_t> memory = node_memory_bytes();
  if (!memory) return 0;
  return static_cast<std::uint64_t>(0.9 * static_cast<double>(*memory) / static_cast<double>(std::max(sharing, 1)));
}

}  // namespace rankme
