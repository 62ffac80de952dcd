#include "rankme/pipeline/score_plan.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "rankme/io/row_block_reader.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/pipeline/input_opening.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/pipeline/lidar_pass.hpp"

namespace rankme {

namespace {

// TSQR gives each thread at least this many rows of every block: below it, the per-panel work on R outweighs
// the work on the rows (triangle_on_top_qr at K = 2048, one thread: 2.4 times dsyrk's time at 512 rows,
// 2.5 at 256, 2.9 at 128, 3.7 at 64).
constexpr std::uint64_t tsqr_rows_per_thread = 256;

// --pool: how many stored values are read per scored value. mean, first and last read a whole sample
// (M vectors) per row; flatten reads whole samples for runs of rows, so only sampled rows (--sample)
// cost a sample each. 1 for a matrix. Saturates instead of overflowing (a hostile shape).
std::uint64_t read_expansion(const DatasetTarget& target, const ScoreOptions& options) {
  if (target.pool == PoolMode::none || target.shape.size() < 3) return 1;
  if (target.pool == PoolMode::flatten && options.rows.kind != RowSelection::Kind::sample) return 1;
  std::uint64_t middle = 1;
  for (std::size_t axis = 1; axis + 1 < target.shape.size(); ++axis) {
    if (__builtin_mul_overflow(middle, target.shape[axis], &middle)) return std::numeric_limits<std::uint64_t>::max();
  }
  return std::max<std::uint64_t>(middle, 1);
}

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<std::uint64_t>::max() : product;
}

// The whole samples a pooled block is read into before it is pooled (PooledRowSource), beside the
// block itself: block rows x M x K stored values. 0 for a matrix.
std::uint64_t pooling_buffer_bytes(const DatasetTarget& target, const ScoreOptions& options, std::uint64_t block_rows) {
  if (target.pool == PoolMode::none || target.shape.size() < 3) return 0;
  std::uint64_t sample_values = 1;
  for (std::size_t axis = 1; axis < target.shape.size(); ++axis) sample_values = saturating_product(sample_values, target.shape[axis]);
  const std::uint64_t samples = target.pool == PoolMode::flatten && options.rows.kind != RowSelection::Kind::sample
                                    ? block_rows / std::max<std::uint64_t>(1, sample_values / std::max<std::uint64_t>(target.cols, 1)) + 2
                                    : block_rows;
  return saturating_product(saturating_product(samples, sample_values), static_cast<std::uint64_t>(target.type->bytes));
}

}  // namespace

std::uint64_t tsqr_block_rows(const DatasetTarget& target, const ScoreOptions& options, int threads) {
  const std::uint64_t rows = block_rows_of(target, options, false);
  const std::uint64_t wanted = tsqr_rows_per_thread * static_cast<std::uint64_t>(std::max(threads, 1));
  if (options.block_rows > 0 || rows >= wanted) return rows;
  // Whole chunk rows, as block_rows_of keeps them.
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 && target.pool == PoolMode::none ? target.chunk_dims[0] : 0;
  return chunk_rows > 0 ? (wanted + chunk_rows - 1) / chunk_rows * chunk_rows : wanted;
}

std::uint64_t block_rows_of(const DatasetTarget& target, const ScoreOptions& options, bool float_values) {
  if (options.block_rows > 0) return options.block_rows;
  // Chunks of an N-D dataset are not rows of the scored matrix: whole chunk rows only for a matrix.
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 && target.pool == PoolMode::none ? target.chunk_dims[0] : 0;
  // A pooled block reads read_expansion times its values: fewer rows per block keep that in bounds.
  const std::uint64_t width = saturating_product(target.cols, read_expansion(target, options));
  return default_block_rows(width, chunk_rows, target.type->bytes, float_values ? sizeof(float) : sizeof(double));
}

std::optional<std::string> memory_shortfall(const Communicator& comm, const DatasetTarget& target,
                                            const ScoreOptions& options, bool mixed, std::uint64_t block_rows,
                                            int tsqr_threads) {
  if (options.max_memory == 0 || !target.type) return std::nullopt;
  MemoryShape shape;
  shape.cols = target.cols;
  // A block never holds more than a rank's shard (--block-rows may ask for any number).
  const std::uint64_t ranks = static_cast<std::uint64_t>(comm.size());
  shape.block_rows = std::min(block_rows, std::max<std::uint64_t>(1, target.rows / ranks + 1));
  shape.stored_bytes = target.type->bytes;
  shape.value_bytes = mixed ? sizeof(float) : sizeof(double);
  shape.mixed = mixed;
  shape.tsqr = options.method == SpectrumMethod::tsqr;
  shape.scalapack = !shape.tsqr && resolve_solver(options.solver, target.cols, comm.size()) == SolverChoice::scalapack;
  if (target.chunk_dims.size() == 2) {
    shape.chunk_bytes = target.chunk_dims[0] * target.chunk_dims[1] * static_cast<std::uint64_t>(target.type->bytes);
    shape.chunk_rows = target.chunk_dims[0];
    shape.decode_threads = current_blas_threads();
  }
  shape.ranks = comm.size();
  shape.threads = tsqr_threads;
  const MemoryEstimate estimate = estimate_memory_per_rank(shape);
  const std::uint64_t pooling = pooling_buffer_bytes(target, options, shape.block_rows);
  // --lidar: its per-object means and scatter matrices (lidar_pass.hpp); --groups objects are counted as
  // the rows at most, before their ids are read.
  const bool lidar = options.lidar && (target.views > 0 || !target.groups.empty());
  const std::uint64_t lidar_bytes =
      lidar ? lidar_memory_bytes(target.views > 0 ? target.rows / target.views : target.rows, target.cols, shape.block_rows)
            : 0;
  const std::uint64_t extra = pooling > std::numeric_limits<std::uint64_t>::max() - lidar_bytes
                                  ? std::numeric_limits<std::uint64_t>::max()
                                  : pooling + lidar_bytes;
  const std::uint64_t total = estimate.total() > std::numeric_limits<std::uint64_t>::max() - extra
                                  ? std::numeric_limits<std::uint64_t>::max()
                                  : estimate.total() + extra;
  if (total <= options.max_memory) return std::nullopt;
  std::string pooled = pooling == 0 ? "" : " and " + describe_bytes(pooling) + " of whole samples to pool (--pool)";
  if (lidar_bytes > 0) pooled += " and " + describe_bytes(lidar_bytes) + " for LiDAR (--lidar)";
  return "needs about " + estimate.describe() + pooled + " per rank for " + std::to_string(target.cols) +
         " columns, more than the " + describe_bytes(options.max_memory) +
         " of --max-memory; not read (raise --max-memory if this node has the memory)";
}

ScorePlan plan_scoring(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                       PhaseTimings& timings, std::unique_ptr<RowSource> opened) {
  const bool accurate = options.method == SpectrumMethod::tsqr;
  // --method auto may take a TSQR pass after the Gram route's: planned here too, but never refused for it.
  const bool may_take_tsqr = accurate || options.method == SpectrumMethod::automatic;
  const Precision precision = accurate || options.center ? Precision::double_precision : options.precision;
  const bool mixed = precision != Precision::double_precision;
  const std::uint64_t double_block_rows = block_rows_of(target, options, false);
  const std::uint64_t float_block_rows = block_rows_of(target, options, true);
  // Refused on every rank when it would not fit on some rank: before anything of its size is allocated.
  // TSQR keeps one R factor per thread, and blocks tall enough for every thread's share: as many threads
  // as this rank has BLAS threads, or as many as fit.
  int tsqr_threads = may_take_tsqr ? current_blas_threads() : 1;
  std::uint64_t tsqr_rows = double_block_rows;
  bool tsqr_fits = may_take_tsqr;
  run_stage(comm, [&] {
    const std::uint64_t block_rows = mixed ? float_block_rows : double_block_rows;
    if (!accurate) {
      if (auto shortfall = memory_shortfall(comm, target, options, mixed, block_rows)) throw std::runtime_error(*shortfall);
    }
    if (!may_take_tsqr) return;
    ScoreOptions tsqr = options;
    tsqr.method = SpectrumMethod::tsqr;
    for (;; --tsqr_threads) {
      tsqr_rows = tsqr_block_rows(target, tsqr, tsqr_threads);
      const auto shortfall = memory_shortfall(comm, target, tsqr, false, tsqr_rows, tsqr_threads);
      if (!shortfall) break;
      if (tsqr_threads > 1) continue;
      if (accurate) throw std::runtime_error(*shortfall);
      tsqr_fits = false;  // auto keeps the Gram route's number (the report says why)
      break;
    }
  });
  if (may_take_tsqr) {
    tsqr_fits = !comm.any(!tsqr_fits);
    // Every rank reads the same blocks (HDF5's reads are collective): the shortest any rank chose. Rows
    // chosen here fit an int (block_rows_of's largest is a 512 MiB chunk of rows); --block-rows is the same
    // on every rank and kept as given.
    int rows = static_cast<int>(std::min<std::uint64_t>(tsqr_rows, std::numeric_limits<int>::max()));
    comm.min_in_place(&rows, 1);
    if (options.block_rows == 0) tsqr_rows = static_cast<std::uint64_t>(rows);
  }
  OpenedInput input;
  if (opened) {
    input.opened = opened->fingerprint();
    input.source = std::move(opened);
  } else {
    input = open_input(comm, target);
  }
  std::optional<SelectedRows> selected;
  run_stage(comm, [&] { selected.emplace(options.rows, target.rows); });  // the same rows on every rank
  return ScorePlan{comm,
                   options,
                   std::move(input.source),
                   input.opened,
                   target.file,
                   target.dataset,
                   std::move(*selected),
                   precision,
                   double_block_rows,
                   float_block_rows,
                   tsqr_rows,
                   timings,
                   tsqr_threads,
                   tsqr_fits};
}

}  // namespace rankme
