#include "rankme/numerics/row_selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace rankme {
namespace {

TEST(Sample, SortedDistinctInRangeAndOfTheRequestedSize) {
  for (std::uint64_t population : {1ull, 2ull, 10ull, 1000ull, 1000000ull}) {
    for (std::uint64_t count : {std::uint64_t{0}, std::uint64_t{1}, population / 2, population}) {
      const auto rows = sample_without_replacement(population, count, 7);
      EXPECT_EQ(rows.size(), count);
      EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
      EXPECT_EQ(std::set<std::uint64_t>(rows.begin(), rows.end()).size(), count);
      if (!rows.empty()) {
        EXPECT_LT(rows.back(), population);
      }
    }
  }
  EXPECT_THROW(sample_without_replacement(5, 6, 0), std::invalid_argument);
}

TEST(Sample, TheSeedDecidesAndNothingElse) {
  EXPECT_EQ(sample_without_replacement(25600, 100, 3), sample_without_replacement(25600, 100, 3));
  EXPECT_NE(sample_without_replacement(25600, 100, 3), sample_without_replacement(25600, 100, 4));
  // Pinned: mt19937_64 is fixed by the standard and the mapping to rows is ours, so these rows must not
  // change between machines or compilers (a change would silently change every --sample score).
  EXPECT_EQ(sample_without_replacement(1000, 5, 0), (std::vector<std::uint64_t>{310, 429, 596, 906, 991}));
}

TEST(Sample, EveryRowIsEquallyLikely) {
  // 3 of 10, over 20,000 seeds: each row should be chosen 30% of the time (binomial sd 0.32%).
  std::vector<int> chosen(10, 0);
  const int trials = 20000;
  for (int seed = 0; seed < trials; ++seed) {
    for (std::uint64_t row : sample_without_replacement(10, 3, static_cast<std::uint64_t>(seed))) ++chosen[row];
  }
  for (int count : chosen) EXPECT_NEAR(static_cast<double>(count) / trials, 0.3, 0.015);
}

TEST(SelectedRows, AllFirstAndSample) {
  const SelectedRows all(RowSelection{}, 50);
  EXPECT_EQ(all.size(), 50u);
  EXPECT_TRUE(all.contiguous());
  EXPECT_EQ(all.row(49), 49u);
  const SelectedRows first(RowSelection{RowSelection::Kind::first, 20, 0}, 50);
  EXPECT_EQ(first.size(), 20u);
  EXPECT_TRUE(first.contiguous());
  EXPECT_EQ(SelectedRows(RowSelection{RowSelection::Kind::first, 80, 0}, 50).size(), 50u);  // capped by N
  const SelectedRows sample(RowSelection{RowSelection::Kind::sample, 20, 9}, 50);
  EXPECT_EQ(sample.size(), 20u);
  EXPECT_FALSE(sample.contiguous());
  const auto expected = sample_without_replacement(50, 20, 9);
  for (std::uint64_t i = 0; i < 20; ++i) EXPECT_EQ(sample.row(i), expected[i]);
  // A sample of every row is all rows, read contiguously.
  EXPECT_TRUE(SelectedRows(RowSelection{RowSelection::Kind::sample, 50, 9}, 50).contiguous());
}

}  // namespace
}  // namespace rankme
