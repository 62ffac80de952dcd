#include "rankme/pipeline/score_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "rankme/io/row_block_reader.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/pipeline/input_opening.hpp"
#include "rankme/pipeline/memory_budget.hpp"

namespace rankme {

namespace {

// --pool: how many stored values are read per scored value. mean, first and last read a whole sample
// (M vectors) per row; flatten reads whole samples for runs of rows, so only sampled rows (--sample)
// cost a sample each. 1 for a matrix.
std::uint64_t read_expansion(const DatasetTarget& target, const ScoreOptions& options) {
  if (target.pool == PoolMode::none || target.shape.size() < 3) return 1;
  std::uint64_t middle = 1;
  for (std::size_t axis = 1; axis + 1 < target.shape.size(); ++axis) middle *= target.shape[axis];
  if (target.pool == PoolMode::flatten && options.rows.kind != RowSelection::Kind::sample) return 1;
  return std::max<std::uint64_t>(middle, 1);
}

}  // namespace

std::uint64_t block_rows_of(const DatasetTarget& target, const ScoreOptions& options, bool float_values) {
  if (options.block_rows > 0) return options.block_rows;
  // Chunks of an N-D dataset are not rows of the scored matrix: whole chunk rows only for a matrix.
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 && target.pool == PoolMode::none ? target.chunk_dims[0] : 0;
  // A pooled block reads read_expansion times its values: fewer rows per block keep that in bounds.
  return default_block_rows(target.cols * read_expansion(target, options), chunk_rows, target.type->bytes,
                            float_values ? sizeof(float) : sizeof(double));
}

std::optional<std::string> memory_shortfall(const Communicator& comm, const DatasetTarget& target,
                                            const ScoreOptions& options, bool mixed, std::uint64_t block_rows) {
  if (options.max_memory == 0 || !target.type) return std::nullopt;
  MemoryShape shape;
  shape.cols = target.cols;
  // A block never holds more than a rank's shard (--block-rows may ask for any number).
  const std::uint64_t ranks = static_cast<std::uint64_t>(comm.size());
  shape.block_rows = std::min(block_rows, std::max<std::uint64_t>(1, target.rows / ranks + 1));
  // A pooled block also holds the whole samples it was pooled from (and mean, its float64 values).
  shape.stored_bytes = target.type->bytes * static_cast<int>(std::min<std::uint64_t>(read_expansion(target, options), 1u << 20)) +
                       (target.pool == PoolMode::mean ? 8 : 0);
  shape.value_bytes = mixed ? sizeof(float) : sizeof(double);
  shape.mixed = mixed;
  shape.tsqr = options.method == SpectrumMethod::tsqr;
  shape.scalapack = !shape.tsqr && resolve_solver(options.solver, target.cols, comm.size()) == SolverChoice::scalapack;
  if (target.chunk_dims.size() == 2) {
    shape.chunk_bytes = target.chunk_dims[0] * target.chunk_dims[1] * static_cast<std::uint64_t>(target.type->bytes);
  }
  shape.ranks = comm.size();
  const MemoryEstimate estimate = estimate_memory_per_rank(shape);
  if (estimate.total() <= options.max_memory) return std::nullopt;
  return "needs about " + estimate.describe() + " per rank for " + std::to_string(target.cols) +
         " columns, more than the " + describe_bytes(options.max_memory) +
         " of --max-memory; not read (raise --max-memory if this node has the memory)";
}

ScorePlan plan_scoring(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                       PhaseTimings& timings) {
  const bool accurate = options.method == SpectrumMethod::tsqr;
  const Precision precision = accurate || options.center ? Precision::double_precision : options.precision;
  const bool mixed = precision != Precision::double_precision;
  const std::uint64_t double_block_rows = block_rows_of(target, options, false);
  const std::uint64_t float_block_rows = block_rows_of(target, options, true);
  // Refused on every rank when it would not fit on some rank: before anything of its size is allocated.
  run_stage(comm, [&] {
    const std::uint64_t block_rows = mixed ? float_block_rows : double_block_rows;
    if (auto shortfall = memory_shortfall(comm, target, options, mixed, block_rows)) throw std::runtime_error(*shortfall);
  });
  OpenedInput input = open_input(comm, target);
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
                   timings};
}

}  // namespace rankme
