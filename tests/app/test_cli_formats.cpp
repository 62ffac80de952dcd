// The binary's output formats: the table, JSONL rows (every key with its type) and CSV (header, quoting).
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::contains_nocase;
using testing::contains_word;
using testing::csv_fields;
using testing::expect_no_crash_hang_or_signal;
using testing::float32;
using testing::float64;
using testing::lines_of;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::plain_matrix;
using testing::row_for;
using testing::run_rankme;
using testing::RunResult;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

struct FormatsFile {
  TemporaryDirectory directory{"rankme-cli-formats-"};
  std::string file = directory.file("a,b.h5");  // a comma, for CSV quoting
  std::string nan_file = directory.file("nan.h5");
  ScoredMatrix x, y, z;
  FormatsFile() {
    x = add_matrix(file, "/x", plain_matrix(40, 6, 21), 40, 6, float32, "float32", 1e-6);
    y = add_matrix(file, "/y", plain_matrix(30, 5, 22), 30, 5, float64, "float64", 1e-9);
    z = add_matrix(file, "/grp/z", plain_matrix(25, 4, 23), 25, 4, float64, "float64", 1e-9);
    std::vector<double> values = plain_matrix(20, 4, 24);
    values.back() = std::nan("");
    testing::write_matrix(nan_file, "/nan", values, 20, 4, float64);
  }
};

const FormatsFile& formats_file() {
  static const FormatsFile fixture;
  return fixture;
}

TEST(OutputFormats, TableHasAHeaderAndOneRowPerDataset) {
  const FormatsFile& fixture = formats_file();
  const RunResult result = run_rankme(3, {fixture.file});  // table is the default
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash_hang_or_signal(result);
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 4u) << result;
  EXPECT_TRUE(contains_nocase(lines[0], "dataset") && contains_nocase(lines[0], "rankme")) << lines[0];
  for (const ScoredMatrix* matrix : {&fixture.x, &fixture.y, &fixture.z}) {
    const auto row = std::count_if(lines.begin() + 1, lines.end(), [&](const std::string& line) {
      return contains_word(line, matrix->dataset) && contains(line, fixture.file);
    });
    EXPECT_EQ(row, 1) << matrix->dataset << result;
  }
  // The printed RankMe (6 decimals in the product's table) must be the number, not a status.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_FALSE(contains(lines[i], "error") || contains(lines[i], "nonfinite")) << lines[i];
  }
}

TEST(OutputFormats, JsonlRowsHaveEveryKeyWithTheRightType) {
  const FormatsFile& fixture = formats_file();
  // One ok, one nonfinite and one error row, so that every status is checked.
  const std::string missing = fixture.file + ":/missing";
  const RunResult result = run_rankme(3, {"--format", "jsonl", fixture.file + ":/x", fixture.nan_file + ":/nan", missing});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  const std::vector<json> rows = parse_jsonl(result);
  ASSERT_EQ(rows.size(), 3u) << result;
  std::set<std::string> statuses;
  for (const json& row : rows) {
    SCOPED_TRACE(row.dump());
    ASSERT_TRUE(row.is_object());
    for (const char* key : {"file", "dataset", "rows", "cols", "dtype", "rankme", "status", "error", "seconds", "ranks", "solver"}) {
      EXPECT_TRUE(row.contains(key)) << "missing key " << key;
    }
    EXPECT_TRUE(row.value("file", json()).is_string());
    EXPECT_TRUE(row.value("dataset", json()).is_string());
    EXPECT_TRUE(row.value("rows", json()).is_number_unsigned());
    EXPECT_TRUE(row.value("cols", json()).is_number_unsigned());
    EXPECT_TRUE(row.value("dtype", json()).is_string());
    EXPECT_TRUE(row.value("seconds", json()).is_number());
    EXPECT_GE(row.value("seconds", -1.0), 0.0);
    EXPECT_TRUE(row.value("ranks", json()).is_number_integer());
    EXPECT_EQ(row.value("ranks", json()), 3);
    const std::string status = row.value("status", std::string());
    statuses.insert(status);
    EXPECT_TRUE(status == "ok" || status == "nonfinite" || status == "error") << status;
    // rankme is a number exactly when the status is ok.
    EXPECT_EQ(row.value("rankme", json()).is_number(), status == "ok");
    EXPECT_EQ(row.value("rankme", json(0)).is_null(), status != "ok");
    // error is a message for an error row and null for an ok row.
    if (status == "error") {
      EXPECT_TRUE(row.value("error", json()).is_string() && !row["error"].get<std::string>().empty());
    }
    if (status == "ok") {
      EXPECT_TRUE(row.value("error", json(0)).is_null());
    }
    EXPECT_TRUE(row.value("solver", json(0)).is_string() || row.value("solver", json(0)).is_null());
    if (status == "ok") {
      EXPECT_TRUE(row.value("solver", json()).is_string());
    }
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"ok", "nonfinite", "error"}));
  const json x = row_for(rows, "/x");
  EXPECT_EQ(x.value("file", json()), fixture.file);  // as given on the command line
  if (const auto value = ok_rankme(x, "/x")) {
    EXPECT_RELATIVE_NEAR(*value, fixture.x.expected, fixture.x.tolerance);
  }
  const json bad = row_for(rows, "/missing");
  EXPECT_EQ(bad.value("status", json()), "error");
}

TEST(OutputFormats, CsvHasTheExactHeaderOneLinePerDatasetAndQuotesCommas) {
  const FormatsFile& fixture = formats_file();
  const RunResult result = run_rankme(2, {"--format", "csv", fixture.file, fixture.file + ":/missing"});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 5u) << result;  // header, /x, /y, /grp/z, /missing
  EXPECT_EQ(lines[0], "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share,pool,parts,lidar,rows_used,precision,method");
  std::map<std::string, std::vector<std::string>> by_dataset;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    // The file name holds a comma: it must be quoted, or every later column shifts.
    EXPECT_EQ(lines[i].rfind("\"" + fixture.file + "\",", 0), 0u) << lines[i];
    const std::vector<std::string> fields = csv_fields(lines[i]);
    // 11 result columns, 9 metric columns, pool, parts, lidar, rows_used, precision and method, on every line
    ASSERT_EQ(fields.size(), 26u) << lines[i];
    EXPECT_EQ(fields[22], "") << lines[i];      // no --lidar: empty
    const bool scored = fields[1] != "/missing";
    EXPECT_EQ(fields[23], scored ? fields[2] : "") << lines[i];  // rows_used: every row
    EXPECT_EQ(fields[25], scored ? "gram" : "") << lines[i];     // method
    EXPECT_EQ(fields[0], fixture.file);
    EXPECT_EQ(fields[9], "2") << lines[i];
    by_dataset[fields[1]] = fields;
  }
  for (const ScoredMatrix* matrix : {&fixture.x, &fixture.y, &fixture.z}) {
    SCOPED_TRACE(matrix->dataset);
    ASSERT_EQ(by_dataset.count(matrix->dataset), 1u);
    const std::vector<std::string>& fields = by_dataset[matrix->dataset];
    EXPECT_EQ(fields[2], std::to_string(matrix->rows));
    EXPECT_EQ(fields[3], std::to_string(matrix->cols));
    EXPECT_EQ(fields[6], "ok");
    EXPECT_EQ(fields[7], "");
    EXPECT_RELATIVE_NEAR(std::strtod(fields[5].c_str(), nullptr), matrix->expected, matrix->tolerance);
  }
  ASSERT_EQ(by_dataset.count("/missing"), 1u);
  EXPECT_EQ(by_dataset["/missing"][5], "");  // no number for an error
  EXPECT_EQ(by_dataset["/missing"][6], "error");
  EXPECT_FALSE(by_dataset["/missing"][7].empty());
}

}  // namespace
}  // namespace rankme
