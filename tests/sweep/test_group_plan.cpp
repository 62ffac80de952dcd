#include "rankme/sweep/group_plan.hpp"

#include <gtest/gtest.h>

namespace rankme {
namespace {

DatasetTarget matrix(std::uint64_t rows, std::uint64_t cols) {
  DatasetTarget target;
  target.rows = rows;
  target.cols = cols;
  target.type = StoredType{};
  return target;
}

TEST(GroupSize, ManySmallDatasetsGetOneRankEach) {
  const std::vector<DatasetTarget> sweep(200, matrix(1000, 64));
  EXPECT_EQ(choose_group_size(sweep, 4), 1);
  EXPECT_EQ(choose_group_size(sweep, 1), 1);
}

TEST(GroupSize, OneHugeDatasetGetsEveryRank) {
  EXPECT_EQ(choose_group_size({matrix(100000, 2048)}, 4), 4);
  EXPECT_EQ(choose_group_size({matrix(100000, 2048)}, 3), 3);
}

TEST(GroupSize, NoMoreGroupsThanDatasets) {
  const std::vector<DatasetTarget> two(2, matrix(1000, 64));
  EXPECT_EQ(choose_group_size(two, 4), 2);  // 2 groups of 2, not 4 groups with 2 idle
  EXPECT_EQ(choose_group_size(two, 3), 3);  // 3 has no divisor that makes 2 groups
}

TEST(GroupSize, ADominantDatasetWidensTheGroups) {
  // One dataset costs as much as all the others together: a group of one rank would finish it last.
  std::vector<DatasetTarget> sweep(8, matrix(1000, 64));
  sweep.push_back(matrix(8000, 64));
  EXPECT_EQ(choose_group_size(sweep, 4), 2);
}

TEST(GroupSize, ForcedSizeWinsAndUnscorableTargetsDoNotCount) {
  const std::vector<DatasetTarget> sweep(200, matrix(1000, 64));
  EXPECT_EQ(choose_group_size(sweep, 4, 3), 3);
  EXPECT_EQ(choose_group_size(sweep, 4, 9), 4);
  DatasetTarget broken = matrix(10, 10);
  broken.error = "no such file";
  EXPECT_EQ(scoring_cost(broken), 0.0);
  EXPECT_EQ(choose_group_size({broken, broken}, 4), 4);  // nothing to balance
}

TEST(HandoutOrder, CostliestFirstStableAndWithoutUnscorableTargets) {
  DatasetTarget broken = matrix(10, 10);
  broken.error = "bad";
  const std::vector<DatasetTarget> targets = {matrix(10, 8), broken, matrix(500, 8), matrix(10, 8), matrix(10, 64)};
  EXPECT_EQ(handout_order(targets), (std::vector<std::size_t>{4, 2, 0, 3}));
}

}  // namespace
}  // namespace rankme
