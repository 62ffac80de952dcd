#include "rankme/app/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "support/result_samples.hpp"

namespace rankme {
namespace {

using testing::failed_sample;
using testing::lines_of;
using testing::report_sample;
using testing::scored;
using testing::with_status;

TEST(Csv, HeaderThenOneQuotedLinePerResult) {
  std::ostringstream out;
  ResultReport report(OutputFormat::csv, out);
  report.add(report_sample());
  report.add(failed_sample());
  report.finish();
  std::istringstream lines(out.str());
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(static_cast<bool>(std::getline(lines, extra)));
  EXPECT_EQ(header, "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share,pool,parts,lidar,rows_used,precision,method");
  EXPECT_EQ(first.rfind("sweep.h5,/runs/lr=0.1/emb,25600,2048,float32,123.45678901234568,ok,,", 0), 0u) << first;
  EXPECT_EQ(second.rfind("\"odd, \"\"name\"\".h5\",,0,0,,,error,\"no such file: 'odd, \"\"name\"\".h5'\",", 0), 0u)
      << second;
}

TEST(Csv, HeaderEvenWithoutResults) {
  std::ostringstream out;
  ResultReport report(OutputFormat::csv, out);
  report.finish();
  EXPECT_EQ(out.str(), "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share,pool,parts,lidar,rows_used,precision,method\n");
}

TEST(Table, AlignedColumnsWithStatusInPlaceOfMissingScores) {
  std::ostringstream out;
  ResultReport report(OutputFormat::table, out);
  report.add(report_sample());
  DatasetResult diverged = report_sample();
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

TEST(Table, ALidarColumnOnlyWhenSomeRowHasLidar) {
  std::ostringstream without;
  ResultReport plain(OutputFormat::table, without);
  plain.add(scored("/a", 3));
  plain.finish();
  EXPECT_EQ(without.str().find("lidar"), std::string::npos) << without.str();

  std::ostringstream with;
  ResultReport report(OutputFormat::table, with);
  DatasetResult views = scored("/views", 5);
  views.lidar = 12.25;
  report.add(views);
  report.add(scored("/flat", 3));
  report.finish();
  const std::vector<std::string> lines = lines_of(with.str());
  ASSERT_EQ(lines.size(), 3u) << with.str();
  const std::size_t column = lines[0].find("lidar");
  ASSERT_NE(column, std::string::npos) << with.str();
  EXPECT_GT(column, lines[0].find("rankme"));
  EXPECT_EQ(lines[1].find("12.250000") + 9, column + 5) << with.str();  // right-aligned under its header
  EXPECT_EQ(lines[2][column + 4], '-') << with.str();                   // null: "-"
}

TEST(Leaderboard, SortedByRankMeWithTheBestMarkedAndNoNumbersLast) {
  const DatasetResult failed = with_status(scored("/failed", 0), ResultStatus::error, "boom");
  const DatasetResult diverged = with_status(scored("/diverged", 0), ResultStatus::nonfinite);
  std::ostringstream out;
  ResultReport report(OutputFormat::table, out);
  for (const DatasetResult& result : {failed, scored("/low", 5.07), diverged, scored("/best", 244.5), scored("/mid", 73.9)}) {
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
  tied_report.add(scored("/x", 3));
  tied_report.add(scored("/y", 3));
  tied_report.add(scored("/z", 1));
  tied_report.finish();
  const std::string tied_text = tied.str();
  EXPECT_EQ(std::count(tied_text.begin(), tied_text.end(), '<'), 2) << tied_text;
  ResultReport none_report(OutputFormat::table, none);
  none_report.add(with_status(scored("/d", 0), ResultStatus::nonfinite));
  none_report.finish();
  EXPECT_EQ(none.str().find("best"), std::string::npos) << none.str();
}

}  // namespace
}  // namespace rankme
