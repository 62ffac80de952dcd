// CSV lines read back into results: RFC 4180 fields, and columns found by the header's names.
#include "rankme/sweep/result_csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"

namespace rankme {
namespace {

using testing::scored;

TEST(ResultCsv, HeaderMatchesTheReportPlusTheFileIdentity) {
  // The report's columns end with pool, parts, lidar, rows_used, precision and method; results files put the
  // file identity before them.
  const std::string report = csv_header(CsvColumns::report);
  const std::string tail = ",pool,parts,lidar,rows_used,precision,method";
  ASSERT_EQ(report.substr(report.size() - tail.size()), tail);
  const std::string before = report.substr(0, report.size() - tail.size());
  EXPECT_EQ(csv_header(CsvColumns::with_file_identity),
            before + ",file_size,file_mtime_ns,canonical_file,pool,parts,lidar,rows_used,precision,method");
  EXPECT_EQ(csv_header(CsvColumns::before_rows_used), before + ",file_size,file_mtime_ns,canonical_file,pool,parts,lidar");
  EXPECT_EQ(csv_header(CsvColumns::before_lidar), before + ",file_size,file_mtime_ns,canonical_file,pool,parts");
  EXPECT_EQ(csv_header(CsvColumns::before_pooling), before + ",file_size,file_mtime_ns,canonical_file");
  EXPECT_EQ(csv_header(CsvColumns::before_canonical_file), before + ",file_size,file_mtime_ns");
  const std::string line = to_csv_line(scored("/a", 2.5), CsvColumns::before_pooling);
  EXPECT_EQ(line.substr(line.size() - std::string(",123456,1700000000123456789,").size()), ",123456,1700000000123456789,");
  DatasetResult pooled = scored("/a", 2.5);
  pooled.pool = "mean";
  pooled.part_count = 3;
  const std::string newest = to_csv_line(pooled, CsvColumns::before_rows_used);
  EXPECT_EQ(newest.substr(newest.size() - std::string(",123456,1700000000123456789,,mean,3,").size()),
            ",123456,1700000000123456789,,mean,3,");
  const std::string before_lidar = to_csv_line(pooled, CsvColumns::before_lidar);
  EXPECT_EQ(before_lidar.substr(before_lidar.size() - std::string(",123456,1700000000123456789,,mean,3").size()),
            ",123456,1700000000123456789,,mean,3");
  pooled.lidar = 12.5;
  const std::string with_lidar = to_csv_line(pooled, CsvColumns::before_rows_used);
  EXPECT_EQ(with_lidar.substr(with_lidar.size() - std::string(",mean,3,12.5").size()), ",mean,3,12.5");
  pooled.rows_used = 1000;
  pooled.precision = "mixed";
  pooled.method = "gram";
  const std::string with_rows_used = to_csv_line(pooled, CsvColumns::with_file_identity);
  EXPECT_EQ(with_rows_used.substr(with_rows_used.size() - std::string(",mean,3,12.5,1000,mixed,gram").size()),
            ",mean,3,12.5,1000,mixed,gram");
  DatasetResult failed = pooled;
  failed.status = ResultStatus::error;
  const std::string failed_line = to_csv_line(failed, CsvColumns::report);
  EXPECT_EQ(failed_line.substr(failed_line.size() - std::string(",12.5,,mixed,gram").size()), ",12.5,,mixed,gram")
      << "no rows_used for a dataset that was not scored";
  const std::string older = to_csv_line(scored("/a", 2.5), CsvColumns::before_canonical_file);
  EXPECT_EQ(older.substr(older.size() - std::string(",123456,1700000000123456789").size()), ",123456,1700000000123456789");
}

TEST(ResultCsv, TheOtherMetricsReadBack) {
  // rankme-agree compares every metric with the probes, from CSV results as from JSON lines.
  DatasetResult result = scored("/emb", 7.25);
  result.metrics["stable_rank"] = 3.5;
  result.metrics["condition_number"] = INFINITY;
  result.metrics["alpha_req"] = std::nan("");
  const DatasetResult read = ResultCsvLayout(csv_header(CsvColumns::with_file_identity))
                                 .parse(to_csv_line(result, CsvColumns::with_file_identity));
  ASSERT_EQ(read.metrics.size(), 3u);
  EXPECT_EQ(read.metrics.at("stable_rank"), 3.5);
  EXPECT_EQ(read.metrics.at("condition_number"), INFINITY);
  EXPECT_TRUE(std::isnan(read.metrics.at("alpha_req")));
  EXPECT_TRUE(ResultCsvLayout(csv_header(CsvColumns::report)).parse(to_csv_line(scored("/emb", 1), CsvColumns::report))
                  .metrics.empty());
}

TEST(ResultCsv, SplitsQuotedFieldsAndRefusesBrokenQuoting) {
  EXPECT_EQ(split_csv_line("a,\"b,c\",\"say \"\"hi\"\"\",,"),
            (std::vector<std::string>{"a", "b,c", "say \"hi\"", "", ""}));
  EXPECT_EQ(split_csv_line(""), std::vector<std::string>{""});
  EXPECT_THROW(split_csv_line("a,\"open"), std::runtime_error);
  EXPECT_THROW(split_csv_line("\"closed\"then,b"), std::runtime_error);
}

TEST(ResultCsv, EveryLayoutReadsBackWhatItWrote) {
  DatasetResult result = scored("/runs/lr=0.1,wd=\"1e-4\"/emb", 7.25);
  result.canonical_file = "/data/odd, \"name\".h5";
  result.pool = "flatten";
  result.part_count = 12;
  result.lidar = 3.0625;
  result.rows_used = 300;
  result.precision = "double";
  result.method = "tsqr";
  for (const CsvColumns columns : {CsvColumns::report, CsvColumns::before_canonical_file, CsvColumns::before_pooling,
                                   CsvColumns::before_lidar, CsvColumns::before_rows_used,
                                   CsvColumns::with_file_identity}) {
    const DatasetResult read = ResultCsvLayout(csv_header(columns)).parse(to_csv_line(result, columns));
    EXPECT_EQ(read.file, result.file);
    EXPECT_EQ(read.dataset, result.dataset);
    EXPECT_EQ(read.rows, result.rows);
    EXPECT_EQ(read.cols, result.cols);
    EXPECT_EQ(read.rankme, result.rankme);
    EXPECT_EQ(read.solver, result.solver);
    EXPECT_EQ(read.file_size, columns == CsvColumns::report ? 0u : result.file_size);
    EXPECT_EQ(read.file_mtime_ns, columns == CsvColumns::report ? 0 : result.file_mtime_ns);
    const bool has_canonical = columns == CsvColumns::with_file_identity || columns == CsvColumns::before_pooling ||
                               columns == CsvColumns::before_lidar || columns == CsvColumns::before_rows_used;
    EXPECT_EQ(read.canonical_file, has_canonical ? result.canonical_file : "");
    const bool has_rows_used = columns == CsvColumns::with_file_identity || columns == CsvColumns::report;
    EXPECT_EQ(read.rows_used, has_rows_used ? 300u : 0u) << "0: unknown in older files";
    EXPECT_EQ(read.precision, has_rows_used ? "double" : "");
    EXPECT_EQ(read.method, has_rows_used ? "tsqr" : "");
    const bool has_lidar = has_rows_used || columns == CsvColumns::before_rows_used;
    const bool has_pool = has_lidar || columns == CsvColumns::before_lidar;
    EXPECT_EQ(read.pool, has_pool ? "flatten" : "");
    EXPECT_EQ(read.part_count, has_pool ? 12u : 0u);
    EXPECT_EQ(read.lidar, has_lidar ? std::optional<double>(3.0625) : std::nullopt);
  }
}

TEST(ResultCsv, ColumnsAreFoundByNameInAnyOrder) {
  const ResultCsvLayout layout("status,rankme,cols,rows,dataset,file,canonical_file");
  const DatasetResult read = layout.parse("ok,2.5,8,100,/emb,a.h5,/data/a.h5");
  EXPECT_EQ(read.file, "a.h5");
  EXPECT_EQ(read.dataset, "/emb");
  EXPECT_EQ(read.rows, 100u);
  EXPECT_EQ(read.cols, 8u);
  EXPECT_EQ(read.rankme, 2.5);
  EXPECT_EQ(read.canonical_file, "/data/a.h5");
  EXPECT_THROW(layout.parse("ok,2.5,8,100,/emb"), std::runtime_error);           // a field short
  EXPECT_THROW(layout.parse("ok,2.5,8,many,/emb,a.h5,/data/a.h5"), std::runtime_error);  // not a number
  EXPECT_THROW(layout.parse("done,2.5,8,100,/emb,a.h5,/data/a.h5"), std::runtime_error);  // no such status
  EXPECT_THROW(ResultCsvLayout("file,dataset,rows,cols,rankme"), std::runtime_error);     // no status column
}

}  // namespace
}  // namespace rankme
