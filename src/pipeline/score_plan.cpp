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

std::uint64_t block_rows_of(const DatasetTarget& target, const ScoreOptions& options, bool float_values) {
  if (options.block_rows > 0) return options.block_rows;
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 ? target.chunk_dims[0] : 0;
  return default_block_rows(target.cols, chunk_rows, target.type->bytes, float_values ? sizeof(float) : sizeof(double));
}

std::optional<std::string> memory_shortfall(const Communicator& comm, const DatasetTarget& target,
                                            const ScoreOptions& options, bool mixed, std::uint64_t block_rows) {
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
