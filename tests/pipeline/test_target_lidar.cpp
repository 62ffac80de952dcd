// lidar_targets: where each dataset's views come from under --lidar (3-D arrays as views, --groups resolved
// absolute or next to each dataset, the groups dataset never scored, one note for the rest), before --pool.
#include "rankme/pipeline/target_lidar.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rankme/pipeline/target_pooling.hpp"

namespace rankme {
namespace {

DatasetTarget listed(const std::string& file, const std::string& dataset, std::vector<std::uint64_t> shape,
                     const std::string& format = "hdf5") {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.format = format;
  target.shape = std::move(shape);
  target.dtype = "float32";
  target.type = StoredType{StoredType::Kind::floating, 4, false};
  if (target.shape.size() == 2) {
    target.rows = target.shape[0];
    target.cols = target.shape[1];
  }
  return target;
}

TEST(TargetLidar, GroupsPathsResolveAbsoluteOrNextToTheDataset) {
  EXPECT_EQ(resolve_groups_path("/object_ids", "/run1/emb"), "/object_ids");
  EXPECT_EQ(resolve_groups_path("ids", "/run1/emb"), "/run1/ids");
  EXPECT_EQ(resolve_groups_path("ids", "/emb"), "/ids");
  EXPECT_EQ(resolve_groups_path("meta/ids", "/a/b/emb"), "/a/b/meta/ids");
}

TEST(TargetLidar, ThreeDArraysAreViewsAndMatricesTakeTheirGroups) {
  Discovery discovery;
  discovery.targets = {listed("a.h5", "/views", {100, 8, 16}), listed("a.h5", "/run/emb", {40, 16}),
                       listed("a.h5", "/run/ids", {40, 1}), listed("a.h5", "/four", {10, 2, 3, 5})};
  lidar_targets(discovery, "ids");
  pool_targets(discovery, PoolMode::none);  // what the program runs next: leaves them as they are
  ASSERT_EQ(discovery.targets.size(), 3u);
  const DatasetTarget& views = discovery.targets[0];
  EXPECT_EQ(views.rows, 800u);
  EXPECT_EQ(views.cols, 16u);
  EXPECT_EQ(views.views, 8u);
  EXPECT_EQ(views.pool, PoolMode::flatten);
  EXPECT_TRUE(views.scorable());
  EXPECT_EQ(discovery.targets[1].groups, "/run/ids");
  EXPECT_EQ(discovery.targets[1].views, 0u);
  EXPECT_EQ(discovery.targets[2].views, 6u);  // more axes: the middle ones together are the views
  EXPECT_EQ(discovery.targets[2].rows, 60u);
  ASSERT_EQ(discovery.notes.size(), 1u);
  EXPECT_EQ(discovery.notes[0], "skipped dataset '/run/ids' in 'a.h5': it is the --groups dataset of object ids");
}

TEST(TargetLidar, DatasetsWithoutViewsShareOneNote) {
  Discovery discovery;
  discovery.targets = {listed("a.h5", "/x", {40, 16}), listed("b.npy", "/", {40, 16}, "npy"),
                       failed_target("c.h5", "", "no such file")};
  lidar_targets(discovery, "");
  ASSERT_EQ(discovery.targets.size(), 3u);
  EXPECT_TRUE(discovery.targets[0].groups.empty());
  ASSERT_EQ(discovery.notes.size(), 1u);
  EXPECT_NE(discovery.notes[0].find("--lidar: no views for 2 datasets (dataset '/x' in 'a.h5', ...)"), std::string::npos)
      << discovery.notes[0];
  // --groups reads HDF5 only: a .npy matrix is among those without views.
  Discovery npy;
  npy.targets = {listed("b.npy", "/", {40, 16}, "npy")};
  lidar_targets(npy, "ids");
  EXPECT_TRUE(npy.targets[0].groups.empty());
  EXPECT_EQ(npy.notes.size(), 1u);
}

}  // namespace
}  // namespace rankme
