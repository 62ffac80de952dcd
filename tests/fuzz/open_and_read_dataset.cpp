#include "fuzz/open_and_read_dataset.hpp"

#include <vector>

#include "rankme/dataset_discovery.hpp"
#include "rankme/dataset_score.hpp"
#include "rankme/input_spec.hpp"

namespace rankme::fuzz {

FileReadOutcome open_and_read_every_dataset(const Communicator& comm, const std::string& path) {
  FileReadOutcome outcome;
  InputSpec whole_file;
  whole_file.file = path;
  const Discovery discovery = discover_targets_on_root(comm, {whole_file});
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
  return outcome;
}

}  // namespace rankme::fuzz
