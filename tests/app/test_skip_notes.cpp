// One line per file for its skipped datasets, unless --verbose.
#include <gtest/gtest.h>

#include "rankme/app/skip_notes.hpp"

namespace rankme {
namespace {

const std::vector<std::string> notes = {
    "skipped dataset '/labels' in 'a.h5': int32 2048: 1-D, not a 2-D rows x columns matrix",
    "skipped external link '/ext' in 'a.h5' -> 'other.h5:/x'",
    "skipped dataset '/names' in 'a.h5': string 2048: not numeric",
    "skipped dataset '/ids' in 'b.h5': int64 10: 1-D, not a 2-D rows x columns matrix",
    "skipped dataset '/tokens' in 'a.h5': 3-D (10, 4, 8): use --pool mean|first|last|flatten",
};

TEST(SkipNotes, OneLinePerFileWhereItsFirstSkipWas) {
  const std::vector<std::string> summary = summarise_skip_notes(notes, false);
  ASSERT_EQ(summary.size(), 3u) << ::testing::PrintToString(summary);
  EXPECT_EQ(summary[0],
            "'a.h5': 3 datasets skipped, e.g. '/labels' (int32 2048: 1-D, not a 2-D rows x columns matrix); 1 of them "
            "need --pool mean|first|last|flatten; --verbose lists them");
  EXPECT_EQ(summary[1], notes[1]) << "other notes pass as they are";
  EXPECT_EQ(summary[2], notes[3]) << "a file with one skip keeps its own note";
}

TEST(SkipNotes, VerboseListsEveryNote) { EXPECT_EQ(summarise_skip_notes(notes, true), notes); }

TEST(SkipNotes, ANameHoldingQuotesStillGroupsByItsFile) {
  const std::vector<std::string> odd = {"skipped dataset '/it's' in 'x y.h5': 1-D", "skipped dataset '/b' in 'x y.h5': 1-D"};
  const std::vector<std::string> summary = summarise_skip_notes(odd, false);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0], "'x y.h5': 2 datasets skipped, e.g. '/it's' (1-D); --verbose lists them");
}

}  // namespace
}  // namespace rankme
