// The order every --shard task agrees on, the repeats it drops, and the shares. No file.
#include "rankme/pipeline/target_order.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace rankme {
namespace {

DatasetTarget target_of(const std::string& file, const std::string& dataset, const std::string& error = "") {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.error = error;
  if (error.empty()) target.rows = 10, target.cols = 4, target.dtype = "float32";
  return target;
}

std::string key_of(const DatasetTarget& target) { return target.file + "\n" + target.dataset; }

TEST(SortTargets, ByFileThenDatasetBytewiseErrorsIncluded) {
  std::vector<DatasetTarget> targets = {
      target_of("sweep/b.h5", "/z"),       target_of("sweep/a.h5", "/runs/x/emb"),
      target_of("sweep/broken.h5", "", "cannot open"),
      target_of("sweep/a.h5", "/runs/x emb"), target_of("sweep/a.h5", "/a"),
      target_of("sweep/a b.h5", "/emb"),
  };
  sort_targets(targets);
  std::vector<std::string> keys;
  for (const DatasetTarget& target : targets) keys.push_back(key_of(target));
  EXPECT_EQ(keys, (std::vector<std::string>{"sweep/a b.h5\n/emb", "sweep/a.h5\n/a", "sweep/a.h5\n/runs/x emb",
                                            "sweep/a.h5\n/runs/x/emb", "sweep/b.h5\n/z", "sweep/broken.h5\n"}));
}

TEST(SelectShard, EveryEntryInExactlyOneShardInOrder) {
  std::vector<DatasetTarget> targets;
  for (int file = 0; file < 4; ++file) {
    for (int dataset = 0; dataset < 3; ++dataset) {
      targets.push_back(target_of("f" + std::to_string(file) + ".h5", "/d" + std::to_string(dataset)));
    }
  }
  targets.push_back(target_of("broken.h5", "", "not an HDF5 file"));
  targets.push_back(target_of("empty_dir", "", "holds no HDF5 file"));
  sort_targets(targets);
  for (std::uint64_t count = 1; count <= 5; ++count) {
    SCOPED_TRACE("count = " + std::to_string(count));
    std::multiset<std::string> seen;
    for (std::uint64_t index = 0; index < count; ++index) {
      const std::vector<DatasetTarget> share = select_shard(targets, index, count);
      // Shares differ by at most one entry, and each is the sorted list's i, i + n, i + 2n, ...
      EXPECT_LE(share.size(), (targets.size() + count - 1) / count);
      EXPECT_GE(share.size(), targets.size() / count);
      for (std::size_t k = 0; k < share.size(); ++k) {
        EXPECT_EQ(key_of(share[k]), key_of(targets[static_cast<std::size_t>(index + k * count)]));
        seen.insert(key_of(share[k]));
      }
    }
    EXPECT_EQ(seen.size(), targets.size());
    for (const DatasetTarget& target : targets) EXPECT_EQ(seen.count(key_of(target)), 1u) << key_of(target);
  }
  EXPECT_EQ(select_shard(targets, 0, 1).size(), targets.size());
  EXPECT_TRUE(select_shard({}, 2, 3).empty());
  EXPECT_EQ(select_shard(targets, 13, 20).size(), 1u);
  EXPECT_TRUE(select_shard(targets, 19, 20).empty());
  EXPECT_THROW(select_shard(targets, 3, 3), std::invalid_argument);
  EXPECT_THROW(select_shard(targets, 0, 0), std::invalid_argument);
}

TEST(RemoveRepeatedTargets, KeepsOneOfEachFileAndDatasetAfterSorting) {
  auto target = [](const std::string& file, const std::string& dataset, const std::string& error = "") {
    DatasetTarget made;
    made.file = file;
    made.dataset = dataset;
    made.error = error;
    return made;
  };
  // "/emb" named explicitly and reached again by a whole-file scan of a.h5; b.h5's "/emb" is another one.
  std::vector<DatasetTarget> targets = {target("a.h5", "/emb"), target("b.h5", "/emb"), target("a.h5", "/x"),
                                        target("a.h5", "/emb"), target("a.h5", "/x", "broken")};
  sort_targets(targets);
  remove_repeated_targets(targets);
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[0].file + targets[0].dataset, "a.h5/emb");
  EXPECT_EQ(targets[1].file + targets[1].dataset, "a.h5/x");
  EXPECT_EQ(targets[2].file + targets[2].dataset, "a.h5/x");  // a different outcome for it: both kept
  EXPECT_EQ(targets[3].file + targets[3].dataset, "b.h5/emb");
}

}  // namespace
}  // namespace rankme
