// The accuracies file (RFC 4180 cells, missing values, errors that say where) and how its rows find the
// results: params compared as numbers, file by its spelling, canonical path or path ending, dataset with or
// without the leading slash; rows naming no or several results, and results named twice, left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agree/accuracy_table.hpp"
#include "agree/result_matching.hpp"
#include "support/temporary_directory.hpp"

namespace rankme::agree {
namespace {

AccuracyTable table_of(const std::string& text, const std::string& accuracy = "accuracy",
                       const std::vector<std::string>& match = {}) {
  std::istringstream in(text);
  return parse_accuracy_table(in, "acc.csv", accuracy, match);
}

std::string error_of(const std::string& text, const std::string& accuracy = "accuracy",
                     const std::vector<std::string>& match = {}) {
  try {
    table_of(text, accuracy, match);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "(no error)";
}

DatasetResult result(const std::string& file, const std::string& dataset, double rankme, Params params = {}) {
  DatasetResult r;
  r.file = file;
  r.dataset = dataset;
  r.rankme = rankme;
  r.params = std::move(params);
  return r;
}

TEST(AccuracyTable, ReadsQuotedCellsBomCrlfAndMissingAccuracies) {
  const AccuracyTable table = table_of(
      "\xEF\xBB\xBF" "file, lr ,accuracy\r\n"
      "\"runs/a,b.h5\",0.1,0.5\r\n"
      "\r\n"
      "\"say \"\"hi\"\".h5\", 1e-3 , 71.25\r\n"
      "c.h5,0.2,NA\r\n"
      "d.h5,,\r\n");
  EXPECT_EQ(table.key_columns, (std::vector<std::string>{"file", "lr"}));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].keys.at("file"), "runs/a,b.h5");
  EXPECT_EQ(table.rows[0].line, 2u);
  EXPECT_EQ(table.rows[1].keys.at("file"), "say \"hi\".h5");
  EXPECT_EQ(table.rows[1].keys.at("lr"), "1e-3");
  EXPECT_EQ(table.rows[1].accuracy, 71.25);
  EXPECT_EQ(table.rows[1].line, 4u);
  EXPECT_EQ(table.rows_without_accuracy, (std::vector<std::size_t>{5, 6}));
}

TEST(AccuracyTable, MatchColumnsAndAnotherAccuracyColumn) {
  const AccuracyTable table = table_of("run,top1,notes\nx.h5,0.3,\"good, stable\"\n", "top1", {"run"});
  EXPECT_EQ(table.key_columns, std::vector<std::string>{"run"});
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].accuracy, 0.3);
  EXPECT_EQ(table.rows[0].keys.count("notes"), 0u);
}

TEST(AccuracyTable, ErrorsSayWhatAndWhere) {
  EXPECT_NE(error_of("file,acc\nx.h5,0.5\n").find("no column 'accuracy' (the columns are: file, acc); name the "
                                                  "accuracy column with --accuracy-column"),
            std::string::npos);
  EXPECT_NE(error_of("file,accuracy\nx.h5,0.5\ny.h5,high\n").find("acc.csv:3: 'accuracy' is 'high', not a number"),
            std::string::npos);
  EXPECT_NE(error_of("file,accuracy\nx.h5,inf\n").find("acc.csv:2:"), std::string::npos);
  EXPECT_NE(error_of("file,accuracy\nx.h5,0.5,7\n").find("acc.csv:2: 3 fields, the header has 2"), std::string::npos);
  EXPECT_NE(error_of("file,accuracy\n\"x.h5,0.5\n").find("acc.csv:2: unterminated quote"), std::string::npos);
  EXPECT_NE(error_of("file,file,accuracy\n").find("names 'file' twice"), std::string::npos);
  EXPECT_NE(error_of("accuracy\n0.5\n").find("no column besides 'accuracy'"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("file,accuracy\n", "accuracy", {"epoch"}).find("--match names 'epoch'"), std::string::npos);
}

TEST(ResultMatching, ParamsCompareAsNumbersAndAsText) {
  const std::vector<DatasetResult> results = {
      result("a.h5", "/emb", 5, {{"lr", 0.001}, {"opt", std::string("adamw")}}),
      result("b.h5", "/emb", 6, {{"lr", 0.01}, {"opt", std::string("adamw")}}),
      result("c.h5", "/emb", 7, {{"lr", 0.001}, {"opt", std::string("sgd")}}),
  };
  const MatchOutcome outcome =
      match_accuracies(results, table_of("lr,opt,accuracy\n1e-3,adamw,0.6\n0.010,adamw,0.7\n+0.001,sgd,0.8\n"));
  ASSERT_EQ(outcome.runs.size(), 3u) << (outcome.notes.empty() ? "" : outcome.notes[0]);
  EXPECT_EQ(outcome.runs[0].result, &results[0]);
  EXPECT_EQ(outcome.runs[0].accuracy, 0.6);
  EXPECT_EQ(outcome.runs[0].label, "lr=1e-3 opt=adamw");
  EXPECT_EQ(outcome.runs[1].result, &results[1]);
  EXPECT_EQ(outcome.runs[2].result, &results[2]);
  EXPECT_EQ(outcome.rows_matched, 3u);
  EXPECT_TRUE(outcome.notes.empty());
}

TEST(ResultMatching, RowsNamingNoneOrSeveralAndResultsNamedTwiceAreLeftOut) {
  DatasetResult failed = result("d.h5", "/emb", 0, {{"lr", 0.3}, {"epoch", 1.0}});
  failed.rankme.reset();
  failed.status = ResultStatus::error;
  failed.error = "truncated file";
  const std::vector<DatasetResult> results = {
      result("a.h5", "/emb", 5, {{"lr", 0.1}, {"epoch", 1.0}}),
      result("a.h5", "/emb2", 5, {{"lr", 0.1}, {"epoch", 2.0}}),
      result("b.h5", "/emb", 6, {{"lr", 0.2}, {"epoch", 1.0}}),
      failed,
  };
  const MatchOutcome outcome =
      match_accuracies(results, table_of("lr,epoch,accuracy\n0.1,,0.5\n0.5,1,0.6\n0.2,1,0.7\n0.2,,0.71\n0.3,1,0.2\n"));
  EXPECT_EQ(outcome.rows_ambiguous, 1u);
  EXPECT_EQ(outcome.rows_unmatched, 1u);
  EXPECT_EQ(outcome.rows_conflicting, 2u);
  EXPECT_EQ(outcome.rows_failed, 1u);
  EXPECT_EQ(outcome.rows_matched, 0u);
  EXPECT_TRUE(outcome.runs.empty());
  std::string notes;
  for (const std::string& note : outcome.notes) notes += note + "\n";
  EXPECT_NE(notes.find("line 2 (lr=0.1): matches 2 results"), std::string::npos) << notes;
  EXPECT_NE(notes.find("add a column for dataset, epoch"), std::string::npos) << notes;
  EXPECT_NE(notes.find("line 3 (lr=0.5 epoch=1): matches no result"), std::string::npos) << notes;
  EXPECT_NE(notes.find("lines 4, 5 all name b.h5:/emb"), std::string::npos) << notes;
  EXPECT_NE(notes.find("line 6 names d.h5:/emb (epoch=1 lr=0.3), which rankme could not score (truncated file)"),
            std::string::npos)
      << notes;
}

TEST(ResultMatching, AColumnThatIsNoParamIsAnError) {
  const std::vector<DatasetResult> results = {result("a.h5", "/emb", 5, {{"lr", 0.1}})};
  try {
    match_accuracies(results, table_of("lr,seed,accuracy\n0.1,3,0.5\n"));
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("the column 'seed' is neither file, dataset nor a param of the results "
                                             "(their params: lr); choose the columns to match with --match"),
              std::string::npos)
        << error.what();
  }
}

TEST(ResultMatching, FilesByExactSpellingCanonicalPathOrPathEnding) {
  testing::TemporaryDirectory directory("rankme-agree-files-");
  namespace fs = std::filesystem;
  fs::create_directories(directory.path() / "sweep" / "lr=0.1");
  fs::create_directories(directory.path() / "sweep" / "lr=0.2");
  for (const char* name : {"sweep/lr=0.1/last.h5", "sweep/lr=0.2/last.h5", "sweep/other.h5"}) {
    std::ofstream(directory.file(name)) << "x";
  }
  const std::string root = directory.path().string();
  std::vector<DatasetResult> results = {
      result(root + "/sweep/lr=0.1/last.h5", "/emb", 5),
      result(root + "/sweep/lr=0.2/last.h5", "/emb", 6),
      result(root + "/sweep/other.h5", "/train/emb", 7),
      result("/cluster/scratch/gone.h5", "/emb", 8),  // written elsewhere: not on this machine
  };
  const std::string csv = "file,dataset,accuracy\n"
                          "" + root + "/sweep/./lr=0.2/../lr=0.1/last.h5,,0.1\n"  // canonical path
                          "lr=0.2/last.h5,emb,0.2\n"                             // path ending, no leading slash
                          "last.h5,,0.3\n"                                       // ending of two files
                          "other.h5,/train/emb,0.4\n"                            // basename
                          "/cluster/scratch/x/../gone.h5,,0.5\n";                // lexically normalised
  const MatchOutcome outcome = match_accuracies(results, table_of(csv));
  std::string notes;
  for (const std::string& note : outcome.notes) notes += note + "\n";
  ASSERT_EQ(outcome.runs.size(), 4u) << notes;
  EXPECT_EQ(outcome.runs[0].result, &results[0]);
  EXPECT_EQ(outcome.runs[0].accuracy, 0.1);
  EXPECT_EQ(outcome.runs[1].result, &results[1]);
  EXPECT_EQ(outcome.runs[1].accuracy, 0.2);
  EXPECT_EQ(outcome.runs[2].result, &results[2]);
  EXPECT_EQ(outcome.runs[3].result, &results[3]);
  EXPECT_EQ(outcome.rows_ambiguous, 1u);
  EXPECT_NE(notes.find("line 4 (file=last.h5): 'last.h5' is the ending of 2 files"), std::string::npos) << notes;
  EXPECT_NE(notes.find("give more of the path"), std::string::npos) << notes;
}

}  // namespace
}  // namespace rankme::agree
