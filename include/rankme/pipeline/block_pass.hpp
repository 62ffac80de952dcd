#pragma once
// One pass over a dataset's blocks (score_plan.hpp): every block of this rank's shard read (the next one
// on a worker thread while this one is consumed) and handed to a sink, the Gram accumulator or the TSQR
// factor, with one agreement per block, so that every rank stops at the same block.
#include <cstdint>
#include <functional>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/pipeline/score_plan.hpp"

namespace rankme {

enum class ReadOutcome { complete, nonfinite, interrupted };

// What consumes each decoded block: the Gram accumulator or the TSQR factor.
using BlockSink = std::function<void(DecodedBlock& block)>;

// Reads every block of `plan.selected`'s rows as `values`, `block_rows` rows per block and rank, and hands
// each to `add_block`. Stops early, on every rank at the same block, when the data holds
// a NaN or infinity (no number will be reported) or when any rank was asked to stop. Collective; throws
// CollectiveError on every rank for a failure on any (a read, the sink, an injected fault).
ReadOutcome read_all_blocks(const ScorePlan& plan, BlockValues values, std::uint64_t block_rows,
                            const BlockSink& add_block);

// Collective: the input must be the one that was opened, untouched, once every block has been read.
void check_input_unchanged(const ScorePlan& plan);

}  // namespace rankme
