#include "rankme/dataset_score.hpp"

#include <cmath>
#include <functional>
#include <mpi.h>

#include "rankme/collective_status.hpp"
#include "rankme/gram_accumulator.hpp"
#include "rankme/gram_reduction.hpp"
#include "rankme/hdf5_dataset.hpp"
#include "rankme/hdf5_file.hpp"
#include "rankme/row_block_reader.hpp"
#include "rankme/stop_request.hpp"
#include "rankme/tsqr.hpp"

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

enum class ReadOutcome { complete, nonfinite, interrupted };

// Reads every block, accumulating the Gram matrix. Stops early, on every rank at the same block, when the
// data holds a NaN or infinity (no number will be reported) or when any rank was asked to stop.
// What consumes each decoded block: the Gram accumulator or the TSQR factor.
using BlockSink = std::function<void(double* block, std::uint64_t rows, const BlockStatistics& stats)>;

ReadOutcome read_all_blocks(const Communicator& comm, hid_t dataset, const DatasetTarget& target,
                            const SelectedRows& selected, const ScoreOptions& options, const BlockSink& add_block) {
  const std::uint64_t chunk_rows = target.chunk_dims.size() == 2 ? target.chunk_dims[0] : 0;
  const std::uint64_t block_rows = options.block_rows > 0 ? options.block_rows
                                                         : default_block_rows(target.cols, chunk_rows, target.type->bytes);
  // Shards split the selected rows (all of them unless --rows or --sample), not the dataset's.
  const RowShard shard = RowShard::of_rank(selected.size(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(selected.size(), comm.size(), block_rows);

  std::optional<RowBlockReader> reader;
  std::vector<double> block;
  run_stage(comm, [&] {
    reader.emplace(dataset, *target.type, target.cols, shard, block_rows, &selected);
    block.resize(static_cast<std::size_t>(std::min(block_rows, std::max<std::uint64_t>(shard.count, 1)) * target.cols));
  });
  for (std::uint64_t index = 0; index < blocks; ++index) {
    std::optional<std::string> local_error;
    bool local_nonfinite = false;
    try {
      BlockStatistics stats;
      const std::uint64_t rows = reader->read(index, block.data(), stats);
      local_nonfinite = !stats.all_finite;
      if (!local_nonfinite) add_block(block.data(), rows, stats);
    } catch (const std::exception& error) {
      local_error = error.what();
    }
    // One agreement per block (an Allreduce of two ints, microseconds against a block read of
    // milliseconds): every rank stops at the same block, whether for an error or for a NaN.
    const AgreedOutcome outcome = agree(comm, local_error, local_nonfinite, stop_requested());
    if (outcome.error) throw CollectiveError(*outcome.error);
    if (outcome.flag) return ReadOutcome::nonfinite;
    if (outcome.stop) return ReadOutcome::interrupted;
    if (options.after_block) options.after_block(index + 1, blocks);
  }
  return ReadOutcome::complete;
}

}  // namespace

DatasetResult score_dataset(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options) {
  const double start = MPI_Wtime();
  DatasetResult result;
  result.file = target.file;
  result.dataset = target.dataset;
  result.rows = target.rows;
  result.cols = target.cols;
  result.dtype = target.dtype;
  result.ranks = comm.size();
  result.file_size = target.file_size;
  result.file_mtime_ns = target.file_mtime_ns;
  if (!target.scorable()) {
    result.status = ResultStatus::error;
    result.error = target.error;
    return result;
  }
  try {
    const Hdf5Handle file = open_file_on_all_ranks(target.file, comm);
    Hdf5Handle dataset;
    run_stage(comm, [&] {
      dataset = open_dataset(file.get(), target.dataset);
      check_unchanged(dataset.get(), target);
    });
    std::optional<SelectedRows> selected;
    std::optional<GramAccumulator> gram;
    std::optional<TsqrAccumulator> tsqr;
    const bool accurate = options.method == SpectrumMethod::tsqr;
    run_stage(comm, [&] {
      selected.emplace(options.rows, target.rows);  // the same rows on every rank
      if (accurate) {
        tsqr.emplace(target.cols, options.center);
      } else {
        gram.emplace(target.cols, options.center);
      }
    });
    result.rows_used = selected->size();
    const ReadOutcome read =
        read_all_blocks(comm, dataset.get(), target, *selected, options,
                        [&](double* block, std::uint64_t rows, const BlockStatistics& stats) {
                          if (accurate) {
                            tsqr->add_block(block, rows);
                          } else {
                            gram->add_block(block, rows, stats);
                          }
                        });
    if (read == ReadOutcome::nonfinite) {
      result.status = ResultStatus::nonfinite;
    } else if (read == ReadOutcome::interrupted) {
      result.status = ResultStatus::interrupted;
    } else {
      std::vector<double> singular_values;
      if (accurate) {
        reduce_factors_to_root(comm, *tsqr);
        run_stage(comm, [&] {
          if (comm.is_root()) singular_values = singular_values_of_factor(*tsqr);
        });
        comm.broadcast(singular_values, 0);
        // R can have more than min(N, K) rows (centring adds a between-means row per merge); RankMe is over
        // the min(N, K) largest, as on the Gram route (extra zeros would each add -eps log eps).
        singular_values.resize(std::min<std::size_t>(singular_values.size(),
                                                     static_cast<std::size_t>(std::min(result.rows_used, target.cols))));
        result.solver = "tsqr";
      } else {
        sum_gram_over_ranks(comm, *gram);
        const Eigenvalues eigenvalues = symmetric_eigenvalues(comm, gram->matrix(), target.cols, options.solver);
        result.solver = eigenvalues.solver;
        singular_values = singular_values_from_gram_eigenvalues(eigenvalues.values, result.rows_used, target.cols);
      }
      const double rankme = rankme_from_singular_values(singular_values, options.eps);
      if (std::isfinite(rankme)) {
        result.rankme = rankme;
        if (options.keep_spectrum) result.singular_values = singular_values;  // --spectrum
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
    }
  } catch (const CollectiveError& error) {
    // Every failure while scoring says which dataset it was, whichever stage raised it.
    result.status = ResultStatus::error;
    result.error = "dataset '" + target.dataset + "' in '" + target.file + "': " + error.what();
  }
  result.seconds = MPI_Wtime() - start;
  return result;
}

}  // namespace rankme
