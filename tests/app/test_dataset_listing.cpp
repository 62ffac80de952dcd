// --list: the table, JSON Lines and CSV listings of what a run would score.
#include "rankme/app/dataset_listing.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace rankme {
namespace {

using nlohmann::json;

DatasetTarget target_of(const std::string& file, const std::string& dataset, const std::string& error = "") {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.error = error;
  if (error.empty()) target.rows = 10, target.cols = 4, target.dtype = "float32";
  return target;
}


std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// RFC 4180 fields of one line (no line breaks inside fields in these tests).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"', ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<DatasetTarget> listing_targets(bool with_failures) {
  std::vector<DatasetTarget> targets = {target_of("sweep/a,b.h5", "/runs/lr=0.1, wd=1e-4/epoch 100/embeddings"),
                                        target_of("sweep/long name.h5", "/e")};
  targets[1].rows = 123456, targets[1].cols = 2048, targets[1].dtype = "float16";
  if (with_failures) {
    targets.push_back(target_of("sweep/broken.h5", "", "cannot open 'sweep/broken.h5' as HDF5: not an HDF5 file"));
    DatasetTarget incomplete = target_of("sweep/c.h5", "/emb", "dataset '/emb' in 'sweep/c.h5': incomplete");
    incomplete.rows = 7, incomplete.cols = 3, incomplete.dtype = "float64";
    targets.push_back(incomplete);
  }
  return targets;
}

// Every row's cell starts where its header's column does.
void expect_aligned(const std::vector<std::string>& lines, const std::string& column, const std::vector<std::string>& cells) {
  const std::size_t start = lines[0].find(column);
  ASSERT_NE(start, std::string::npos) << lines[0];
  for (std::size_t row = 0; row < cells.size(); ++row) {
    if (cells[row].empty()) continue;  // trailing blanks are trimmed
    ASSERT_GE(lines[row + 1].size(), start + cells[row].size()) << lines[row + 1];
    EXPECT_EQ(lines[row + 1].compare(start, cells[row].size(), cells[row]), 0)
        << "column " << column << " in: " << lines[row + 1];
  }
}

TEST(PrintListing, TableHasAlignedColumnsAndStatusOnlyWhenSomethingFailed) {
  std::ostringstream out;
  EXPECT_TRUE(print_listing(listing_targets(false), OutputFormat::table, out));
  std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(lines[0].substr(0, 4), "file");
  EXPECT_EQ(lines[0].find("status"), std::string::npos) << lines[0];
  expect_aligned(lines, "dataset", {"/runs/lr=0.1, wd=1e-4/epoch 100/embeddings", "/e"});
  expect_aligned(lines, "dtype", {"float32", "float16"});
  // Numbers are right-aligned under their headers.
  const std::size_t rows_end = lines[0].find("rows") + 4;
  EXPECT_EQ(lines[1].substr(rows_end - 2, 2), "10") << lines[1];
  EXPECT_EQ(lines[2].substr(rows_end - 6, 6), "123456") << lines[2];
  const std::size_t cols_end = lines[0].find("cols") + 4;
  EXPECT_EQ(lines[2].substr(cols_end - 4, 4), "2048") << lines[2];

  std::ostringstream failed;
  EXPECT_FALSE(print_listing(listing_targets(true), OutputFormat::table, failed));
  lines = lines_of(failed.str());
  ASSERT_EQ(lines.size(), 5u) << failed.str();
  expect_aligned(lines, "status", {"listed", "listed", "error", "error"});
  expect_aligned(lines, "error", {"", "", "cannot open 'sweep/broken.h5'", "dataset '/emb' in 'sweep/c.h5'"});
  expect_aligned(lines, "dataset", {"/runs", "/e", "-", "/emb"});  // a file that failed has no dataset
}

TEST(PrintListing, JsonLinesHaveTheDocumentedKeys) {
  std::ostringstream out;
  EXPECT_FALSE(print_listing(listing_targets(true), OutputFormat::jsonl, out));
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u);
  std::vector<json> rows;
  for (const std::string& line : lines) rows.push_back(json::parse(line));
  for (const json& row : rows) {
    std::set<std::string> keys;
    for (const auto& item : row.items()) keys.insert(item.key());
    EXPECT_EQ(keys, (std::set<std::string>{"file", "dataset", "rows", "cols", "dtype", "status", "error", "shape", "pool", "parts", "params"}))
        << row.dump();
  }
  EXPECT_EQ(rows[0]["file"], "sweep/a,b.h5");
  EXPECT_EQ(rows[0]["dataset"], "/runs/lr=0.1, wd=1e-4/epoch 100/embeddings");
  EXPECT_EQ(rows[0]["rows"], 10);
  EXPECT_EQ(rows[0]["cols"], 4);
  EXPECT_EQ(rows[0]["dtype"], "float32");
  EXPECT_EQ(rows[0]["status"], "listed");
  EXPECT_TRUE(rows[0]["error"].is_null());
  EXPECT_EQ(rows[2]["status"], "error");
  EXPECT_EQ(rows[2]["dataset"], "");
  EXPECT_EQ(rows[2]["rows"], 0);
  EXPECT_EQ(rows[2]["error"], "cannot open 'sweep/broken.h5' as HDF5: not an HDF5 file");
  EXPECT_EQ(rows[3]["rows"], 7);
  EXPECT_TRUE(rows[0]["pool"].is_null());
  EXPECT_TRUE(rows[0]["parts"].is_null());
  EXPECT_EQ(rows[0]["params"], json::object());

  std::ostringstream clean;
  EXPECT_TRUE(print_listing(listing_targets(false), OutputFormat::jsonl, clean));
  EXPECT_EQ(lines_of(clean.str()).size(), 2u);
}

TEST(PrintListing, CsvHasAHeaderAndQuotesFields) {
  std::ostringstream out;
  EXPECT_FALSE(print_listing(listing_targets(true), OutputFormat::csv, out));
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "file,dataset,rows,cols,dtype,status,error,pool,parts");
  EXPECT_EQ(lines[1], "\"sweep/a,b.h5\",\"/runs/lr=0.1, wd=1e-4/epoch 100/embeddings\",10,4,float32,listed,,,");
  EXPECT_EQ(csv_fields(lines[3]),
            (std::vector<std::string>{"sweep/broken.h5", "", "0", "0", "", "error",
                                      "cannot open 'sweep/broken.h5' as HDF5: not an HDF5 file", "", ""}));
  EXPECT_EQ(csv_fields(lines[4])[2], "7");

  std::ostringstream empty;
  EXPECT_TRUE(print_listing({}, OutputFormat::csv, empty));
  EXPECT_EQ(empty.str(), "file,dataset,rows,cols,dtype,status,error,pool,parts\n");
}

TEST(PrintListing, ParamsShowInEveryFormat) {
  std::vector<DatasetTarget> targets = {target_of("lr=0.1/epoch_3.h5", "/z"), target_of("base.h5", "/z")};
  targets[0].params = {{"lr", 0.1}, {"epoch", 3.0}, {"opt", std::string("adam w")}};
  targets[1].params = {{"seed", 7.0}};
  std::ostringstream table, jsonl, csv;
  print_listing(targets, OutputFormat::table, table);
  print_listing(targets, OutputFormat::jsonl, jsonl);
  print_listing(targets, OutputFormat::csv, csv);
  const std::vector<std::string> table_lines = lines_of(table.str());
  ASSERT_EQ(table_lines.size(), 3u);
  EXPECT_NE(table_lines[0].find("params"), std::string::npos) << table.str();
  EXPECT_NE(table_lines[1].find("epoch=3 lr=0.1 opt=adam w"), std::string::npos) << table.str();
  EXPECT_NE(table_lines[2].find("seed=7"), std::string::npos) << table.str();
  EXPECT_EQ(json::parse(lines_of(jsonl.str())[0])["params"], (json{{"epoch", 3}, {"lr", 0.1}, {"opt", "adam w"}}));
  const std::vector<std::string> csv_lines = lines_of(csv.str());
  ASSERT_EQ(csv_lines.size(), 3u);
  EXPECT_EQ(csv_lines[0], "file,dataset,rows,cols,dtype,status,error,pool,parts,param.epoch,param.lr,param.opt,param.seed");
  EXPECT_EQ(csv_fields(csv_lines[1]).size(), 13u);
  EXPECT_EQ(csv_lines[2].substr(csv_lines[2].size() - 5), ",,,,7");
  // Without params, the table has no params column.
  std::ostringstream plain;
  print_listing({target_of("a.h5", "/z")}, OutputFormat::table, plain);
  EXPECT_EQ(plain.str().find("params"), std::string::npos) << plain.str();
}

}  // namespace
}  // namespace rankme
