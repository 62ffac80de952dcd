#pragma once
// What scoring one dataset reads and how, settled once before the first block: the opened input, the
// rows to score, the precision of the block products, the rows per block, and the options the routes
// (spectrum_route.hpp) and the block loop (block_pass.hpp) follow.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/io/row_source.hpp"
#include "rankme/numerics/precision_criterion.hpp"
#include "rankme/numerics/row_selection.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

class LidarPass;

struct ScorePlan {
  const Communicator& comm;
  const ScoreOptions& options;  // as given: method, centring, solver, eps, metrics, prefetch, after_block
  std::unique_ptr<RowSource> source;
  FileFingerprint opened;       // the input as it was opened (input_opening.hpp)
  std::string file;             // the input and its dataset, for messages
  std::string dataset;
  SelectedRows selected;        // the rows scored (--rows, --sample), the same on every rank
  // Of the block products. Centred blocks are merged in double (block_centring.hpp), and TSQR is a double
  // method, so --center and --method tsqr make it double; otherwise --precision as given (--method auto too:
  // its TSQR pass, when it takes one, reads double blocks of tsqr_block_rows).
  Precision precision;
  std::uint64_t double_block_rows;  // rows per block and rank of the Gram route's double blocks
  std::uint64_t float_block_rows;   // ... and of float32 blocks (mixed passes)
  std::uint64_t tsqr_block_rows;    // ... and of TSQR's blocks (tsqr_block_rows(): tall enough for every thread)
  PhaseTimings& timings;            // every stage adds its own seconds here
  // TSQR's partial factors, one per thread (parallel/tsqr.hpp): this rank's BLAS threads, fewer when their
  // K x K factors (and blocks tall enough for all: tsqr_block_rows) would not fit in --max-memory.
  int tsqr_threads = 1;
  // --method auto: whether a TSQR pass fits in --max-memory on every rank (--method tsqr refuses what does
  // not; --method gram never plans one).
  bool tsqr_fits = false;
  // --lidar on a dataset with views: fed every block of each pass before the route's products (set by
  // score_dataset after planning; null otherwise).
  LidarPass* lidar = nullptr;

  bool tsqr() const { return options.method == SpectrumMethod::tsqr; }
  // Rows per block and rank of the Gram route's passes.
  std::uint64_t block_rows(BlockValues values) const {
    return values == BlockValues::float_values ? float_block_rows : double_block_rows;
  }
};

// Rows per block and rank: --block-rows, else whole chunk rows of about 32 MiB of decoded values.
std::uint64_t block_rows_of(const DatasetTarget& target, const ScoreOptions& options, bool float_values);

// Rows per block and rank for TSQR with `threads` partial factors: block_rows_of's double blocks, taller
// when that leaves a thread fewer than 256 rows of each (whole chunk rows still), unless --block-rows.
std::uint64_t tsqr_block_rows(const DatasetTarget& target, const ScoreOptions& options, int threads);

// Why `target` would not fit in --max-memory on this rank, or nothing when it fits (or has no limit).
// `tsqr_threads`: the partial R factors --method tsqr would keep.
std::optional<std::string> memory_shortfall(const Communicator& comm, const DatasetTarget& target,
                                            const ScoreOptions& options, bool mixed, std::uint64_t block_rows,
                                            int tsqr_threads = 1);

// Collective: refuses a dataset that would not fit in --max-memory on some rank (before anything of its
// size is allocated), opens it (open_input) and selects its rows. Throws CollectiveError on every rank
// when any of that fails on some rank. `opened`: the rows already open (an array in memory, read by the
// Python module), taken instead of opening target's file; `target` then only describes them.
ScorePlan plan_scoring(const Communicator& comm, const DatasetTarget& target, const ScoreOptions& options,
                       PhaseTimings& timings, std::unique_ptr<RowSource> opened = nullptr);

}  // namespace rankme
