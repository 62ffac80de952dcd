// What --resume and rankme-merge make of results read back: which targets are settled, which result of a
// dataset is final, matched by identity (the file however it was spelled: test_result_identity).
#include "rankme/sweep/resume.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/result_samples.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::scored;
using testing::target_of;
using testing::TemporaryDirectory;
using testing::with_status;

TEST(Resume, SkipsExactlyTheTargetsWithASettlingResultOfTheSameIdentity) {
  const DatasetResult done = scored("/done", 5);
  const DatasetResult diverged = with_status(scored("/diverged", 0), ResultStatus::nonfinite);
  const DatasetResult failed = with_status(scored("/failed", 0), ResultStatus::error, "incomplete");
  ResultsFileContents previous;
  previous.results = {done, diverged, failed};

  DatasetTarget rewritten = target_of(scored("/done", 5, done.file_mtime_ns + 1));
  DatasetTarget resized = target_of(done);
  resized.file_size += 1;
  DatasetTarget reshaped = target_of(done);
  reshaped.rows += 1;
  DatasetTarget other_file = target_of(done);
  other_file.file = "runs/other.h5";
  DatasetTarget never_seen = target_of(scored("/new", 0));
  const std::vector<DatasetTarget> targets = {never_seen,       target_of(done), rewritten, target_of(diverged),
                                              target_of(failed), resized,        reshaped,  other_file};
  const std::vector<DatasetTarget> remaining = targets_to_resume(targets, previous);
  ASSERT_EQ(remaining.size(), 6u);
  EXPECT_EQ(remaining[0].dataset, "/new");
  EXPECT_EQ(remaining[1].file_mtime_ns, done.file_mtime_ns + 1);  // a rewritten file is scored again
  EXPECT_EQ(remaining[2].dataset, "/failed");                     // errors are retried
  EXPECT_EQ(remaining[3].file_size, done.file_size + 1);
  EXPECT_EQ(remaining[4].rows, done.rows + 1);
  EXPECT_EQ(remaining[5].file, "runs/other.h5");
}

TEST(Resume, NamesWithInvalidUtf8MatchAfterAJsonRoundTrip) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  const DatasetResult result = scored(std::string("/bad\xff\xfe/emb"), 4.5);
  ResultsFile::open_for_append(path).append(result);
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 1u);
  EXPECT_NE(contents.results[0].dataset, result.dataset);  // replaced by U+FFFD in JSON
  EXPECT_TRUE(targets_to_resume({target_of(result)}, contents).empty());
}

TEST(Resume, AResultsFileWrittenAndReadBackSettlesItsTargets) {
  TemporaryDirectory directory("rankme-results-");
  for (const char* name : {"results.jsonl", "results.csv"}) {
    SCOPED_TRACE(name);
    const std::string path = directory.file(name);
    const std::vector<DatasetResult> results = {scored("/a", 1.25), with_status(scored("/b", 0), ResultStatus::nonfinite),
                                                with_status(scored("/c", 0), ResultStatus::error, "x")};
    {
      ResultsFile file = ResultsFile::open_for_append(path);
      for (const DatasetResult& result : results) file.append(result);
    }
    std::vector<DatasetTarget> targets;
    for (const DatasetResult& result : results) targets.push_back(target_of(result));
    const std::vector<DatasetTarget> remaining = targets_to_resume(targets, read_results_file(path));
    ASSERT_EQ(remaining.size(), 1u);
    EXPECT_EQ(remaining[0].dataset, "/c");
  }
}

TEST(FinalResult, LastSettlingResultWinsOverErrorsInOrderOfFirstAppearance) {
  const DatasetResult error_a = with_status(scored("/a", 0), ResultStatus::error, "first try");
  const DatasetResult ok_a = scored("/a", 1);
  const DatasetResult later_error_a = with_status(scored("/a", 0), ResultStatus::error, "later");
  const DatasetResult ok_b1 = scored("/b", 2), ok_b2 = scored("/b", 2.5);
  const DatasetResult error_c1 = with_status(scored("/c", 0), ResultStatus::error, "one");
  const DatasetResult error_c2 = with_status(scored("/c", 0), ResultStatus::error, "two");
  const DatasetResult rewritten_b = scored("/b", 9, ok_b1.file_mtime_ns + 5);  // another identity
  const std::vector<DatasetResult> merged =
      final_result_per_dataset({error_a, ok_b1, error_c1, ok_a, later_error_a, ok_b2, error_c2, rewritten_b});
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].dataset, "/a");
  EXPECT_EQ(merged[0].status, ResultStatus::ok);
  EXPECT_EQ(merged[1].rankme, 2.5);
  EXPECT_EQ(merged[2].error, "two");
  EXPECT_EQ(merged[3].rankme, 9);
}

TEST(Resume, ASettledResultKeepsItsParamsOrTakesItsTargetsWhenItHasNone) {
  DatasetResult with_params = scored("/with", 5);
  with_params.params = {{"lr", 0.1}};
  const DatasetResult without_params = scored("/without", 6);  // written before rankme reported params
  ResultsFileContents previous;
  previous.results = {with_params, without_params};
  std::vector<DatasetTarget> targets = {target_of(with_params), target_of(without_params)};
  targets[0].params = {{"lr", 0.2}};
  targets[1].params = {{"wd", 0.0}, {"epoch", 3.0}};
  const ResumeDecision decision = decide_resume(targets, previous);
  ASSERT_EQ(decision.earlier.size(), 2u);
  EXPECT_EQ(decision.earlier[0].params, (Params{{"lr", 0.1}})) << "as written";
  EXPECT_EQ(decision.earlier[1].params, targets[1].params);
}

TEST(Resume, TheDecisionKeepsUnsettledTargetsAndReturnsTheSettledResults) {
  const DatasetResult done = scored("/done", 5);
  const DatasetResult retried_ok = scored("/retried", 7);
  const DatasetResult failed = with_status(scored("/failed", 0), ResultStatus::error, "incomplete");
  ResultsFileContents previous;
  previous.results = {done, with_status(scored("/retried", 0), ResultStatus::error, "first"), retried_ok, failed};
  const std::vector<DatasetTarget> targets = {target_of(scored("/new", 0)), target_of(done), target_of(failed),
                                              target_of(retried_ok)};
  const ResumeDecision decision = decide_resume(targets, previous);
  EXPECT_EQ(decision.to_score, (std::vector<std::uint64_t>{0, 2}));
  ASSERT_EQ(decision.earlier.size(), 2u);
  EXPECT_EQ(decision.earlier[0].dataset, "/done");
  EXPECT_EQ(decision.earlier[1].dataset, "/retried");
  EXPECT_EQ(decision.earlier[1].rankme, 7);
}

TEST(FinalResult, OneResultPerDatasetHoweverItsFileWasSpelled) {
  DatasetResult as_relative = scored("/a", 1), as_absolute = scored("/a", 2);
  as_relative.file = "runs/sweep.h5";
  as_absolute.file = "/data/runs/sweep.h5";
  as_relative.canonical_file = as_absolute.canonical_file = "/data/runs/sweep.h5";
  DatasetResult other_file = scored("/a", 3);
  other_file.file = "runs/sweep.h5";
  other_file.canonical_file = "/elsewhere/runs/sweep.h5";  // the same name in another directory
  const std::vector<DatasetResult> merged = final_result_per_dataset({as_relative, as_absolute, other_file});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].rankme, 2);
  EXPECT_EQ(merged[0].file, "/data/runs/sweep.h5");  // the file as that run was given it
  EXPECT_EQ(merged[1].rankme, 3);
}

}  // namespace
}  // namespace rankme
