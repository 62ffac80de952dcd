#include "rankme/app/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace rankme {
namespace {

DatasetResult scored() {
  DatasetResult result;
  result.file = "sweep.h5";
  result.dataset = "/runs/lr=0.1/emb";
  result.rows = 25600;
  result.cols = 2048;
  result.dtype = "float32";
  result.rankme = 123.456789012345678;
  result.seconds = 1.5;
  result.ranks = 4;
  result.solver = "scalapack 2x2/64";
  return result;
}

DatasetResult failed() {
  DatasetResult result;
  result.file = "odd, \"name\".h5";
  result.status = ResultStatus::error;
  result.error = "no such file: 'odd, \"name\".h5'";
  return result;
}

TEST(Csv, HeaderThenOneQuotedLinePerResult) {
  std::ostringstream out;
  ResultReport report(OutputFormat::csv, out);
  report.add(scored());
  report.add(failed());
  report.finish();
  std::istringstream lines(out.str());
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(static_cast<bool>(std::getline(lines, extra)));
  EXPECT_EQ(header, "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share");
  EXPECT_EQ(first.rfind("sweep.h5,/runs/lr=0.1/emb,25600,2048,float32,123.45678901234568,ok,,", 0), 0u) << first;
  EXPECT_EQ(second.rfind("\"odd, \"\"name\"\".h5\",,0,0,,,error,\"no such file: 'odd, \"\"name\"\".h5'\",", 0), 0u)
      << second;
}

TEST(Csv, HeaderEvenWithoutResults) {
  std::ostringstream out;
  ResultReport report(OutputFormat::csv, out);
  report.finish();
  EXPECT_EQ(out.str(), "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share\n");
}

TEST(Table, AlignedColumnsWithStatusInPlaceOfMissingScores) {
  std::ostringstream out;
  ResultReport report(OutputFormat::table, out);
  report.add(scored());
  DatasetResult diverged = scored();
  diverged.dataset = "/runs/lr=10/emb";
  diverged.rankme.reset();
  diverged.status = ResultStatus::nonfinite;
  report.add(diverged);
  EXPECT_TRUE(out.str().empty());  // printed at the end, when widths are known
  report.finish();
  std::istringstream lines(out.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_NE(header.find("rankme"), std::string::npos);
  EXPECT_NE(first.find("123.456789"), std::string::npos);
  EXPECT_NE(second.find("nonfinite"), std::string::npos);
  EXPECT_EQ(header.find("rankme") + 6, first.find("123.456789") + 10);  // right-aligned in one column
}

DatasetResult ranked(const std::string& dataset, double rankme) {
  DatasetResult result;
  result.file = "runs/sweep.h5";
  result.dataset = dataset;
  result.rows = 4096;
  result.cols = 256;
  result.dtype = "float32";
  result.rankme = rankme;
  result.seconds = 0.25;
  result.ranks = 2;
  result.solver = "lapack";
  return result;
}

DatasetResult with_status(DatasetResult result, ResultStatus status, const std::string& error = "") {
  result.status = status;
  result.rankme.reset();
  result.error = error;
  result.solver.clear();
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// ------------------------------------------------------------------------------------------------
// The leaderboard that rankme and rankme-merge print (report.hpp)

TEST(Leaderboard, SortedByRankMeWithTheBestMarkedAndNoNumbersLast) {
  const DatasetResult failed = with_status(ranked("/failed", 0), ResultStatus::error, "boom");
  const DatasetResult diverged = with_status(ranked("/diverged", 0), ResultStatus::nonfinite);
  std::ostringstream out;
  ResultReport report(OutputFormat::table, out);
  for (const DatasetResult& result : {failed, ranked("/low", 5.07), diverged, ranked("/best", 244.5), ranked("/mid", 73.9)}) {
    report.add(result);
  }
  report.finish();
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 6u) << out.str();
  const std::vector<std::string> order = {"/best", "/mid", "/low", "/diverged", "/failed"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_NE(lines[i + 1].find(order[i] + " "), std::string::npos) << i << ": " << out.str();
    EXPECT_EQ(lines[i + 1].find("<- best") != std::string::npos, i == 0) << lines[i + 1];
  }
}

TEST(Leaderboard, TiesForTheTopAreAllMarkedAndNoScoreMeansNoMark) {
  std::ostringstream tied, none;
  ResultReport tied_report(OutputFormat::table, tied);
  tied_report.add(ranked("/x", 3));
  tied_report.add(ranked("/y", 3));
  tied_report.add(ranked("/z", 1));
  tied_report.finish();
  const std::string tied_text = tied.str();
  EXPECT_EQ(std::count(tied_text.begin(), tied_text.end(), '<'), 2) << tied_text;
  ResultReport none_report(OutputFormat::table, none);
  none_report.add(with_status(ranked("/d", 0), ResultStatus::nonfinite));
  none_report.finish();
  EXPECT_EQ(none.str().find("best"), std::string::npos) << none.str();
}

}  // namespace
}  // namespace rankme
