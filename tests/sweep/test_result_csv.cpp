// CSV lines read back into results: RFC 4180 fields, and columns found by the header's names.
#include "rankme/sweep/result_csv.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"

namespace rankme {
namespace {

using testing::scored;

TEST(ResultCsv, HeaderMatchesTheReportPlusTheFileIdentity) {
  EXPECT_EQ(csv_header(CsvColumns::with_file_identity), csv_header(CsvColumns::report) + ",file_size,file_mtime_ns,canonical_file");
  EXPECT_EQ(csv_header(CsvColumns::before_canonical_file), csv_header(CsvColumns::report) + ",file_size,file_mtime_ns");
  const std::string line = to_csv_line(scored("/a", 2.5), CsvColumns::with_file_identity);
  EXPECT_EQ(line.substr(line.size() - std::string(",123456,1700000000123456789,").size()), ",123456,1700000000123456789,");
  const std::string older = to_csv_line(scored("/a", 2.5), CsvColumns::before_canonical_file);
  EXPECT_EQ(older.substr(older.size() - std::string(",123456,1700000000123456789").size()), ",123456,1700000000123456789");
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
  for (const CsvColumns columns : {CsvColumns::report, CsvColumns::before_canonical_file, CsvColumns::with_file_identity}) {
    const DatasetResult read = ResultCsvLayout(csv_header(columns)).parse(to_csv_line(result, columns));
    EXPECT_EQ(read.file, result.file);
    EXPECT_EQ(read.dataset, result.dataset);
    EXPECT_EQ(read.rows, result.rows);
    EXPECT_EQ(read.cols, result.cols);
    EXPECT_EQ(read.rankme, result.rankme);
    EXPECT_EQ(read.solver, result.solver);
    EXPECT_EQ(read.file_size, columns == CsvColumns::report ? 0u : result.file_size);
    EXPECT_EQ(read.file_mtime_ns, columns == CsvColumns::report ? 0 : result.file_mtime_ns);
    EXPECT_EQ(read.canonical_file, columns == CsvColumns::with_file_identity ? result.canonical_file : "");
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
