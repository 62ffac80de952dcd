#include "rankme/pipeline/target_pooling.hpp"

#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rankme {

namespace {

std::string describe_array(const DatasetTarget& target) {
  return std::to_string(target.shape.size()) + "-D " + array_shape_text(target.shape);
}

}  // namespace

void pool_targets(Discovery& discovery, PoolMode mode) {
  std::vector<DatasetTarget> kept;
  std::vector<std::string> files_with_skipped;  // in the order found
  for (DatasetTarget& target : discovery.targets) {
    // Without --pool an array is skipped (or refused) whatever else is wrong with it (say, never written):
    // it would not be scored anyway. With a mode, its other errors stand.
    if (!target.awaits_pooling() || (mode != PoolMode::none && !target.error.empty())) {
      kept.push_back(std::move(target));
      continue;
    }
    const std::string where = "dataset '" + target.dataset + "' in '" + target.file + "'";
    if (mode == PoolMode::none) {
      if (target.named_explicitly) {
        target.error = where + " is " + describe_array(target) + " " + target.dtype +
                       ", not a matrix: give --pool mean|first|last|flatten to score it (mean or first/last over " +
                       "the middle axes, or flatten them into rows)";
        kept.push_back(std::move(target));
      } else {
        discovery.notes.push_back("skipped " + where + ": " + describe_array(target) +
                                  ": use --pool mean|first|last|flatten");
        files_with_skipped.push_back(target.file);
      }
      continue;
    }
    try {
      const auto [rows, cols] = pooled_matrix_shape(target.shape, mode);
      target.rows = rows;
      target.cols = cols;
      target.pool = mode;
    } catch (const std::exception& error) {
      target.error = where + ": " + error.what();
    }
    kept.push_back(std::move(target));
  }
  // A file whose only datasets were arrays waiting for --pool has nothing left: an error, as for a file
  // with no matrix at all, so that it is not silently absent from the results.
  std::set<std::string> files_left;
  for (const DatasetTarget& target : kept) files_left.insert(target.file);
  for (const std::string& file : files_with_skipped) {
    if (files_left.insert(file).second) {
      kept.push_back(failed_target(file, "", "'" + file + "' holds no 2-D numeric dataset to score; its arrays of 3 or "
                                                 "more axes need --pool mean|first|last|flatten (see the notes)"));
    }
  }
  discovery.targets = std::move(kept);
}

}  // namespace rankme
