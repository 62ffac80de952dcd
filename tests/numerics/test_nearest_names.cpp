// The suggestions behind "did you mean --output?" and a missing dataset's nearest names.
#include <gtest/gtest.h>

#include "rankme/numerics/nearest_names.hpp"

namespace rankme {
namespace {

TEST(EditDistance, CountsEachEditOnce) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("samples", "sample"), 1u);   // deletion
  EXPECT_EQ(edit_distance("sample", "samples"), 1u);   // insertion
  EXPECT_EQ(edit_distance("seed", "send"), 1u);        // substitution
  EXPECT_EQ(edit_distance("centre", "center"), 1u);    // swap of neighbours
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("abcdef", "badcfe"), 3u);    // three swaps
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
}

TEST(NearestNames, SuggestsTheMisspeltOptions) {
  const std::vector<std::string> options = {"--output", "--sample", "--seed", "--center", "--rows", "--format"};
  EXPECT_EQ(nearest_names("--out", options, 1, true), std::vector<std::string>{"--output"});
  EXPECT_EQ(nearest_names("--samples", options, 1, true), std::vector<std::string>{"--sample"});
  EXPECT_EQ(nearest_names("--centre", options, 1, true), std::vector<std::string>{"--center"});
  EXPECT_TRUE(nearest_names("--bogus", options, 3, true).empty()) << "nothing plausible: no suggestion";
}

TEST(NearestNames, RanksNearestFirstAndKeepsAtMostCount) {
  const std::vector<std::string> paths = {"/a/labels", "/run1/embeddings", "/run2/embeddings", "/run1/emb"};
  const std::vector<std::string> nearest = nearest_names("/run1/embedding", paths, 2, false);
  ASSERT_EQ(nearest.size(), 2u);
  EXPECT_EQ(nearest[0], "/run1/embeddings");
  EXPECT_EQ(nearest[1], "/run2/embeddings");
  EXPECT_EQ(nearest_names("/zzz", paths, 10, false).size(), paths.size()) << "without the filter, every name";
  EXPECT_TRUE(nearest_names("/run1/emb", {"/run1/emb"}, 3, false).empty()) << "the word itself is no suggestion";
}

}  // namespace
}  // namespace rankme
