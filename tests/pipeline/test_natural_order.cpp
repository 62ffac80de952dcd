// Natural order of file names: digit runs by value, so DDP shards sort in rank order.
#include "rankme/pipeline/natural_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rankme {
namespace {

TEST(NaturalOrder, ShardsSortByRankNumber) {
  std::vector<std::string> names = {"emb_rank10.npy", "emb_rank2.npy", "emb_rank1.npy", "emb_rank0.npy", "emb_rank11.npy"};
  std::sort(names.begin(), names.end(), natural_less);
  EXPECT_EQ(names, (std::vector<std::string>{"emb_rank0.npy", "emb_rank1.npy", "emb_rank2.npy", "emb_rank10.npy",
                                             "emb_rank11.npy"}));
}

TEST(NaturalOrder, SeveralNumbersDirectoriesAndText) {
  EXPECT_TRUE(natural_less("runs/lr2/emb_rank10.h5", "runs/lr10/emb_rank2.h5"));  // the first number decides
  EXPECT_TRUE(natural_less("train_0_2.npy", "train_1_2.npy"));
  EXPECT_TRUE(natural_less("a9b", "a10a"));
  EXPECT_TRUE(natural_less("abc", "abd"));
  EXPECT_TRUE(natural_less("emb", "emb0"));     // a prefix first
  EXPECT_FALSE(natural_less("emb0", "emb"));
  EXPECT_TRUE(natural_less("a/b", "a_b"));      // bytes elsewhere: '/' < '_'
  // Numbers longer than any integer type still compare by value.
  EXPECT_TRUE(natural_less("x99999999999999999999999", "x100000000000000000000000"));
}

TEST(NaturalOrder, IsAStrictTotalOrder) {
  // Equal values spelled differently are still ordered (shorter spelling first), never equal.
  EXPECT_TRUE(natural_less("rank1", "rank01"));
  EXPECT_FALSE(natural_less("rank01", "rank1"));
  EXPECT_FALSE(natural_less("same7", "same7"));
  const std::vector<std::string> names = {"a1", "a01", "a001", "a2", "a10", "b", "a", "", "10", "9", "a1b", "a1a"};
  for (const auto& x : names) {
    EXPECT_FALSE(natural_less(x, x)) << x;
    for (const auto& y : names) {
      if (x != y) {
        EXPECT_NE(natural_less(x, y), natural_less(y, x)) << x << " vs " << y;
      }
      for (const auto& z : names) {
        if (natural_less(x, y) && natural_less(y, z)) {
          EXPECT_TRUE(natural_less(x, z)) << x << " " << y << " " << z;
        }
      }
    }
  }
}

}  // namespace
}  // namespace rankme
