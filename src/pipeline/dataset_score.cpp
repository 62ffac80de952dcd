#include "rankme/pipeline/dataset_score.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <mpi.h>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/os/stop_request.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/gram_reduction.hpp"
#include "rankme/parallel/mpi_session.hpp"
#include "rankme/parallel/tsqr.hpp"
#include "rankme/pipeline/memory_budget.hpp"

namespace rankme {

namespace {

// The file may have changed between discovery and now (another job rewriting it): score only what was
// listed, or say that it changed.
void check_unchanged(hid_t dataset, const DatasetTarget& target) {
  const DatasetDescription now = describe_dataset(dataset);
  const bool same = now.dims.size() == 2 && now.dims[0] == target.rows && now.dims[1] == target.cols &&
                    now.type.has_value() && target.type.has_value() && *now.type == *target.type;
  if (!same) {
    throw std::runtime_error("changed while rankme ran (now " + now.type_description + " " + now.shape() + ")");
  }
  if (auto missing = now.incompleteness()) throw std::runtime_error(*missing);
}

// Rows per block and rank: --block-rows, else whole chunk rows of about 32 MiB of decoded values.
std::uint64_t block_rows_of(const DatasetTarget& target, const ScoreOptions& options, bool float_values) {
  if (options.block_rows > 0) return options.block_rows;
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 ? target.chunk_dims[0] : 0;
  return default_block_rows(target.cols, chunk_rows, target.type->bytes, float_values ? sizeof(float) : sizeof(double));
}

// Why `target` would not fit in --max-memory on this rank, or nothing when it fits (or has no limit).
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

// Refuses, on every rank, a dataset whose pipeline would not fit in --max-memory on some rank: before
// anything of its size is allocated.
void check_fits_in_memory(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                          bool mixed, std::uint64_t block_rows) {
  run_stage(comm, [&] {
    if (auto shortfall = memory_shortfall(comm, target, options, mixed, block_rows)) throw std::runtime_error(*shortfall);
  });
}

// The file must be the one that was opened, untouched, once every block has been read.
void check_file_unchanged(const Communicator& comm, const DatasetTarget& target, const FileFingerprint& opened) {
  run_stage(comm, [&] {
    if (auto change = opened.change_to(FileFingerprint::of(target.file))) {
      throw std::runtime_error("'" + target.file + "' changed while it was being read (" + *change +
                               "): not scored; score it again once it is written");
    }
  });
}

enum class ReadOutcome { complete, nonfinite, interrupted };

// What consumes each decoded block: the Gram accumulator or the TSQR factor.
using BlockSink = std::function<void(DecodedBlock& block)>;

// Reads every block (the next one on a worker thread while the sink multiplies this one) and hands each
// to `add_block`. Stops early, on every rank at the same block, when the data holds a NaN or infinity (no
// number will be reported) or when any rank was asked to stop.
ReadOutcome read_all_blocks(const Communicator& comm, hid_t dataset, const DatasetTarget& target,
                            const SelectedRows& selected, const ScoreOptions& options, BlockValues values,
                            std::uint64_t block_rows, PhaseTimings& timings, const BlockSink& add_block) {
  // Shards split the selected rows (all of them unless --rows or --sample), not the dataset's.
  const RowShard shard = RowShard::of_rank(selected.size(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(selected.size(), comm.size(), block_rows);

  std::optional<RowBlockReader> reader;
  std::optional<BlockPrefetcher> prefetcher;
  run_stage(comm, [&] {
    reader.emplace(dataset, *target.type, target.cols, shard, block_rows, &selected);
    prefetcher.emplace(*reader, *target.type, target.cols, values, options.prefetch && mpi_allows_serialized_threads());
  });
  if (blocks == 0) return ReadOutcome::complete;
  prefetcher->start(0);
  DecodedBlock* current = &prefetcher->wait();
  std::optional<std::string> product_error;  // from the previous block's products, agreed with the next read
  for (std::uint64_t index = 0;; ++index) {
    timings.read += current->read_seconds;
    timings.convert += current->convert_seconds;
    // One agreement per block (an Allreduce of a few ints, microseconds against a block of milliseconds):
    // every rank stops at the same block, whether for an error or for a NaN. No read is in flight here.
    if (index == blocks && !product_error) {
      // This round also settles whether each rank is ready to reduce: the reduction that follows is a
      // collective no rank may skip alone.
      try {
        fault_point(FaultStage::reduce);
      } catch (const std::exception& error) {
        product_error = error.what();
      }
    }
    const std::optional<std::string>& local_error = product_error ? product_error : current->error;
    const bool local_nonfinite = current->rows > 0 && !current->stats.all_finite;
    const AgreedOutcome outcome = agree(comm, local_error, local_nonfinite, stop_requested());
    if (outcome.error) throw CollectiveError(*outcome.error);
    if (outcome.flag) return ReadOutcome::nonfinite;
    if (outcome.stop) return ReadOutcome::interrupted;
    if (index == blocks) return ReadOutcome::complete;  // the last block's products, agreed

    if (index + 1 < blocks) prefetcher->start(index + 1);
    // std::chrono while the worker may be inside MPI-IO: this thread makes no MPI call until wait().
    const auto products_started = std::chrono::steady_clock::now();
    try {
      fault_point(FaultStage::gram, index);
      if (current->rows > 0) add_block(*current);
    } catch (const std::exception& error) {
      product_error = error.what();
    }
    const auto products_done = std::chrono::steady_clock::now();
    timings.gram += std::chrono::duration<double>(products_done - products_started).count();
    if (index + 1 < blocks) {
      current = &prefetcher->wait();
      timings.read_wait += std::chrono::duration<double>(std::chrono::steady_clock::now() - products_done).count();
    } else {
      current->rows = 0;  // nothing left to read: the next round only agrees on the last products
      current->error.reset();
      current->read_seconds = current->convert_seconds = 0;
    }
    if (options.after_block) options.after_block(index + 1, blocks);
  }
}

// The largest of each phase over the ranks (each rank measured its own).
void take_slowest_rank(const Communicator& comm, PhaseTimings& timings) {
  std::vector<double*> phases = {&timings.open, &timings.read, &timings.convert, &timings.read_wait, &timings.gram,
                                 &timings.reduce, &timings.eigensolve, &timings.metrics, &timings.total};
  std::vector<double> values;
  for (double* phase : phases) values.push_back(*phase);
  comm.max_in_place(values.data(), static_cast<int>(values.size()));
  for (std::size_t i = 0; i < phases.size(); ++i) *phases[i] = values[i];
}

// One pass of the Gram route at one precision: every block into a fresh accumulator, summed over ranks,
// eigenvalues. `probe` gets the float32 error measured on rank 0's first block (mixed passes whose
// data allowed it; rank 0 only).
struct GramPass {
  ReadOutcome read = ReadOutcome::complete;
  std::vector<double> singular_values;  // descending, min(N, K) of them, of the data times 2^-scale_exponent
  int scale_exponent = 0;
  std::string solver;
  std::optional<Float32ProductError> probe;
  bool scaled_block = false;  // a mixed block was scaled out of float32's ordinary range (on this rank)
};

GramPass score_on_gram_route(const Communicator& comm, hid_t dataset, const DatasetTarget& target,
                             const FileFingerprint& opened, const SelectedRows& selected, const ScoreOptions& options,
                             bool mixed, std::uint64_t block_rows, PhaseTimings& timings) {
  GramPass pass;
  std::optional<GramAccumulator> gram;
  run_stage(comm, [&] { gram.emplace(target.cols, options.center); });
  bool first_block = true;
  pass.read = read_all_blocks(
      comm, dataset, target, selected, options, mixed ? BlockValues::float_values : BlockValues::double_values,
      block_rows, timings, [&](DecodedBlock& block) {
        if (mixed && block.float_exponent != 0) pass.scaled_block = true;
        if (!mixed) {
          gram->add_block(block.wide.data(), block.rows, block.stats);
        } else if (first_block && comm.is_root()) {
          pass.probe = gram->add_block_single_measuring_float32_error(
              block.single(), block.wide.empty() ? nullptr : block.wide.data(), block.rows, float32_probe_columns,
              block.float_exponent, block.stats.max_abs);
        } else {
          gram->add_block_single(block.single(), block.rows, block.float_exponent, block.stats.max_abs);
        }
        first_block = false;
      });
  if (pass.read != ReadOutcome::complete) return pass;
  check_file_unchanged(comm, target, opened);
  double started = MPI_Wtime();
  sum_gram_over_ranks(comm, *gram);
  timings.reduce += MPI_Wtime() - started;
  started = MPI_Wtime();
  const Eigenvalues eigenvalues = symmetric_eigenvalues(comm, gram->matrix(), target.cols, options.solver);
  timings.eigensolve += MPI_Wtime() - started;
  pass.solver = eigenvalues.solver;
  pass.singular_values = singular_values_from_gram_eigenvalues(eigenvalues.values, selected.size(), target.cols);
  pass.scale_exponent = gram->scale_exponent();
  return pass;
}

// --precision auto after a mixed pass: the predicted RankMe error of its number (precision_criterion.hpp),
// or nothing when the probe could not measure (data scaled out of float32's ordinary range, in any block
// of any rank: a probe of ordinary blocks says nothing about the rounding of scaled ones, e.g. one huge
// row among unit ones). Collective; every rank computes the same (rank 0's probe, the same spectrum
// everywhere).
std::optional<double> predicted_error_of_mixed_pass(const Communicator& comm, const GramPass& pass, std::uint64_t rows,
                                                    std::uint64_t cols, double eps) {
  std::vector<double> probe = {-1.0, 0.0, 0.0, pass.scaled_block ? 1.0 : 0.0};  // -1: not measured
  if (pass.probe) {
    probe[0] = static_cast<double>(pass.probe->rows);
    probe[1] = static_cast<double>(pass.probe->columns);
    probe[2] = pass.probe->error;
  }
  comm.max_in_place(probe.data(), 4);  // only rank 0 measures; the others hold -1 and 0
  if (probe[0] < 0 || probe[3] > 0) return std::nullopt;
  const Float32ProductError measured{static_cast<std::uint64_t>(probe[0]), static_cast<std::uint64_t>(probe[1]), probe[2]};
  return predicted_rankme_error(pass.singular_values, eps, estimated_float32_gram_error(measured, cols, rows), cols);
}

}  // namespace

DatasetResult score_dataset(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options) {
  const double start = MPI_Wtime();
  DatasetResult result;
  PhaseTimings timings;
  result.file = target.file;
  result.dataset = target.dataset;
  result.rows = target.rows;
  result.cols = target.cols;
  result.dtype = target.dtype;
  result.ranks = comm.size();
  result.file_size = target.file_size;
  result.file_mtime_ns = target.file_mtime_ns;
  result.canonical_file = target.canonical_file;
  if (!target.scorable()) {
    result.status = ResultStatus::error;
    result.error = target.error;
    // A declared shape too large for memory is said first (e.g. 2^40 x 2^20, never written, so also
    // incomplete). Only the rank that reports it gets here, so its own limit decides.
    if (target.type && target.cols > 0) {
      if (auto shortfall = memory_shortfall(comm, target, options, false, block_rows_of(target, options, false))) {
        result.error = "dataset '" + target.dataset + "' in '" + target.file + "' " + *shortfall + "; besides, " + target.error;
      }
    }
    return result;
  }
  set_fault_dataset(target.dataset);
  try {
    const bool accurate = options.method == SpectrumMethod::tsqr;
    // Centred blocks are merged in double (block_centring.hpp), and TSQR is a double method.
    const Precision precision = accurate || options.center ? Precision::double_precision : options.precision;
    bool mixed = precision != Precision::double_precision;
    const auto block_rows_for = [&](bool float_values) { return block_rows_of(target, options, float_values); };
    check_fits_in_memory(comm, target, options, mixed, block_rows_for(mixed));
    const Hdf5Handle file = open_file_on_all_ranks(target.file, comm);
    Hdf5Handle dataset;
    FileFingerprint opened;
    run_stage(comm, [&] {
      dataset = open_dataset(file.get(), target.dataset);
      opened = FileFingerprint::of(target.file);
      check_unchanged(dataset.get(), target);
    });
    if (target.file_size != 0) {
      // What was read, should the file have been rewritten (same shape) since it was listed: --resume
      // then knows this result by the file it came from.
      result.file_size = opened.size;
      result.file_mtime_ns = opened.mtime_ns;
    }
    std::optional<SelectedRows> selected;
    run_stage(comm, [&] { selected.emplace(options.rows, target.rows); });  // the same rows on every rank
    result.rows_used = selected->size();
    timings.open = MPI_Wtime() - start;
    ReadOutcome read = ReadOutcome::complete;
    std::vector<double> singular_values;
    int scale_exponent = 0;  // the singular values are those of the data times 2^-scale_exponent (huge or tiny data)
    if (accurate) {
      std::optional<TsqrAccumulator> tsqr;
      run_stage(comm, [&] { tsqr.emplace(target.cols, options.center); });
      timings.block_rows = block_rows_for(false);
      read = read_all_blocks(comm, dataset.get(), target, *selected, options, BlockValues::double_values,
                             timings.block_rows, timings,
                             [&](DecodedBlock& block) { tsqr->add_block(block.wide.data(), block.rows); });
      if (read == ReadOutcome::complete) {
        check_file_unchanged(comm, target, opened);
        double started = MPI_Wtime();
        reduce_factors_to_root(comm, *tsqr);
        timings.reduce += MPI_Wtime() - started;
        started = MPI_Wtime();
        run_stage(comm, [&] {
          fault_point(FaultStage::eigensolve);
          if (comm.is_root()) singular_values = singular_values_of_factor(*tsqr);
          scale_exponent = tsqr->scale_exponent();
        });
        comm.broadcast(singular_values, 0);
        timings.eigensolve += MPI_Wtime() - started;
        // R can have more than min(N, K) rows (centring adds a between-means row per merge); RankMe is over
        // the min(N, K) largest, as on the Gram route (extra zeros would each add -eps log eps).
        singular_values.resize(std::min<std::size_t>(singular_values.size(),
                                                     static_cast<std::size_t>(std::min(result.rows_used, target.cols))));
        result.solver = "tsqr";
      }
    } else {
      for (;;) {
        timings.block_rows = block_rows_for(mixed);
        GramPass pass = score_on_gram_route(comm, dataset.get(), target, opened, *selected, options, mixed,
                                            timings.block_rows, timings);
        read = pass.read;
        if (read == ReadOutcome::complete && mixed && precision == Precision::automatic) {
          const double started = MPI_Wtime();
          const std::optional<double> predicted =
              predicted_error_of_mixed_pass(comm, pass, result.rows_used, target.cols, options.eps);
          timings.metrics += MPI_Wtime() - started;
          result.mixed_error_estimate = predicted;
          if (!predicted || *predicted > mixed_precision_tolerance) {
            mixed = false;  // float32 may be off on this spectrum: score it again in double
            result.precision_fallback = true;
            continue;
          }
        }
        singular_values = std::move(pass.singular_values);
        scale_exponent = pass.scale_exponent;
        result.solver = pass.solver;
        break;
      }
    }
    result.precision = mixed ? "mixed" : "double";
    if (read == ReadOutcome::nonfinite) {
      result.status = ResultStatus::nonfinite;
    } else if (read == ReadOutcome::interrupted) {
      result.status = ResultStatus::interrupted;
    } else {
      const double metrics_started = MPI_Wtime();
      const double rankme = rankme_from_singular_values(singular_values, options.eps);
      if (std::isfinite(rankme)) {
        result.rankme = rankme;
        if (options.keep_spectrum) {
          // --spectrum: the data's own singular values (infinite where they exceed double, e.g. DBL_MAX data).
          result.singular_values = singular_values;
          for (double& value : result.singular_values) value = std::ldexp(value, scale_exponent);
        }
        // Every rank computes the same from the same eigenvalues: no agreement needed.
        MetricSelection selection = options.metrics;
        selection.cols = target.cols;
        selection.centered = options.center;
        // The accurate route resolves far smaller singular values: its own default rank tolerance.
        if (accurate && !selection.rank_rtol) selection.rank_rtol = default_rank_rtol_tsqr(result.rows_used, target.cols);
        selection.eps = options.eps;
        const SpectrumMetrics metrics = compute_metrics(singular_values, selection);
        for (const std::string& name : metric_names()) {
          const auto value = metric_value(metrics, name);
          if (name != "rankme" && value) result.metrics[name] = *value;
        }
      } else {
        // Finite data always gives a finite Gram matrix (it is scaled), so this is a failure of the
        // computation: say so rather than report a number.
        result.status = ResultStatus::error;
        result.error = "the spectrum of '" + target.dataset + "' came out non-finite although the data is finite";
      }
      timings.metrics += MPI_Wtime() - metrics_started;
    }
  } catch (const CollectiveError& error) {
    // Every failure while scoring says which dataset it was, whichever stage raised it.
    result.status = ResultStatus::error;
    result.error = "dataset '" + target.dataset + "' in '" + target.file + "': " + error.what();
  }
  result.seconds = MPI_Wtime() - start;
  if (options.timings) {
    // Every rank gets here, also after an agreed error (CollectiveError is raised on all of them).
    timings.total = result.seconds;
    take_slowest_rank(comm, timings);
    result.timings = timings;
  }
  return result;
}

}  // namespace rankme
