#include "rankme/pipeline/target_lidar.hpp"

#include <utility>
#include <vector>

#include "rankme/io/pool_mode.hpp"

namespace rankme {

std::string resolve_groups_path(const std::string& groups, const std::string& dataset) {
  if (!groups.empty() && groups.front() == '/') return groups;
  const std::size_t slash = dataset.rfind('/');
  const std::string parent = slash == std::string::npos || slash == 0 ? "" : dataset.substr(0, slash);
  return parent + "/" + groups;
}

void lidar_targets(Discovery& discovery, const std::string& groups) {
  std::vector<DatasetTarget> kept;
  std::vector<std::string> without_views;
  for (DatasetTarget& target : discovery.targets) {
    if (!target.error.empty() || !target.parts.empty()) {
      kept.push_back(std::move(target));
      continue;
    }
    const std::string where = "dataset '" + target.dataset + "' in '" + target.file + "'";
    if (target.awaits_pooling()) {
      try {
        const auto [rows, cols] = pooled_matrix_shape(target.shape, PoolMode::flatten);
        target.rows = rows;
        target.cols = cols;
        target.pool = PoolMode::flatten;
        target.views = target.shape.front() == 0 ? 0 : rows / target.shape.front();
      } catch (const std::exception& error) {
        target.error = where + ": " + error.what();
      }
      kept.push_back(std::move(target));
      continue;
    }
    if (!groups.empty() && target.format == "hdf5") {
      const std::string path = resolve_groups_path(groups, target.dataset);
      if (path == target.dataset) {
        discovery.notes.push_back("skipped " + where + ": it is the --groups dataset of object ids");
        continue;
      }
      target.groups = path;
    } else {
      without_views.push_back(where);
    }
    kept.push_back(std::move(target));
  }
  if (!without_views.empty()) {
    std::string note = "--lidar: no views for " + std::to_string(without_views.size()) + " dataset" +
                       (without_views.size() == 1 ? "" : "s") + " (" + without_views.front() +
                       (without_views.size() > 1 ? ", ..." : "") +
                       "): LiDAR needs a 3-D array [objects, views, K] or, for an HDF5 matrix, --groups; lidar is "
                       "null for them";
    discovery.notes.push_back(note);
  }
  discovery.targets = std::move(kept);
}

}  // namespace rankme
