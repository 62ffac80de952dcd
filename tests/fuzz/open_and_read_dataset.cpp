#include "fuzz/open_and_read_dataset.hpp"

#include <hdf5.h>

#include <vector>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/input_spec.hpp"
#include "rankme/pipeline/target_pooling.hpp"

namespace rankme::fuzz {

FileReadOutcome open_and_read_every_dataset(const Communicator& comm, const std::string& path) {
  FileReadOutcome outcome;
  InputSpec whole_file;
  whole_file.file = path;
  Discovery discovery = discover_targets_on_root(comm, {whole_file});
  pool_targets(discovery, PoolMode::none);  // as the tool does without --pool: arrays of 3+ axes noted
  ScoreOptions options;  // the tool's defaults (Gram route, --precision auto with its fallback) ...
  options.rows = RowSelection{RowSelection::Kind::first, max_rows_read, 0};  // ... with --rows as the cap
  options.block_rows = rows_per_block;
  for (const DatasetTarget& target : discovery.targets) {
    ++outcome.targets;
    if (!target.scorable()) {
      ++outcome.listing_errors;
      continue;
    }
    if (target.cols > max_cols_scored) {
      ++outcome.too_wide;
      continue;
    }
    const DatasetResult result = score_dataset(comm, target, options);
    if (result.status == ResultStatus::error) {
      ++outcome.scoring_errors;
    } else {
      ++outcome.scored;
    }
  }
  const ssize_t left = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  outcome.hdf5_objects_left_open = left > 0 ? static_cast<std::size_t>(left) : 0;
  return outcome;
}

}  // namespace rankme::fuzz
