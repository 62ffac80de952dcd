#include "rankme/pipeline/block_pass.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/os/stop_request.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/mpi_session.hpp"

namespace rankme {

ReadOutcome read_all_blocks(const ScorePlan& plan, BlockValues values, std::uint64_t block_rows,
                            const BlockSink& add_block) {
  const Communicator& comm = plan.comm;
  PhaseTimings& timings = plan.timings;
  // Shards split the selected rows (all of them unless --rows or --sample), not the dataset's.
  const RowShard shard = RowShard::of_rank(plan.selected.size(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(plan.selected.size(), comm.size(), block_rows);

  std::optional<RowBlockReader> reader;
  std::optional<BlockPrefetcher> prefetcher;
  run_stage(comm, [&] {
    reader.emplace(*plan.source, shard, block_rows, &plan.selected);
    prefetcher.emplace(*reader, values, plan.options.prefetch && mpi_allows_serialized_threads());
  });
  if (blocks == 0) return ReadOutcome::complete;
  prefetcher->start(0);
  DecodedBlock* current = &prefetcher->wait();
  std::optional<std::string> product_error;  // from the previous block's products, agreed with the next read
  for (std::uint64_t index = 0;; ++index) {
    timings.read += current->read_seconds;
    timings.decode += current->decode_seconds;
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
      current->read_seconds = current->decode_seconds = current->convert_seconds = 0;
    }
    if (plan.options.after_block) plan.options.after_block(index + 1, blocks);
  }
}

void check_input_unchanged(const ScorePlan& plan) {
  run_stage(plan.comm, [&] {
    if (auto change = plan.opened.change_to(plan.source->fingerprint())) {
      throw std::runtime_error("'" + plan.file + "' changed while it was being read (" + *change +
                               "): not scored; score it again once it is written");
    }
  });
}

}  // namespace rankme
