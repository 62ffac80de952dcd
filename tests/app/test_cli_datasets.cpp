// Which datasets the binary scores: a whole-file scan (every matrix, skipped datasets noted), FILE:DATASET
// with colons in names and relative paths, and links (a dataset reached twice, dangling and missing links).
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::expect_no_crash_hang_or_signal;
using testing::float16;
using testing::float32;
using testing::float64;
using testing::lines_starting_with;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::plain_matrix;
using testing::row_for;
using testing::run_rankme;
using testing::RunResult;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

TEST(WholeFileScan, ScoresEveryMatrixAndNotesTheSkippedDatasets) {
  TemporaryDirectory directory("rankme-cli-scan-");
  const std::string file = directory.file("mixed.h5");
  const std::vector<ScoredMatrix> matrices = {
      add_matrix(file, "/m1", plain_matrix(50, 8, 31), 50, 8, float32, "float32", 1e-6),
      add_matrix(file, "/m2", plain_matrix(45, 6, 32), 45, 6, float64, "float64", 1e-9),
      add_matrix(file, "/nested/m3", plain_matrix(40, 5, 33), 40, 5, float16, "float16", 1e-6),
  };
  testing::write_array_of_rank(file, "/labels", {50});
  testing::write_string_dataset(file, "/names");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    // --verbose lists every skipped dataset; without it they are one note for the file.
    const bool verbose = ranks == 1;
    const RunResult result = run_rankme(ranks, verbose ? std::vector<std::string>{"--verbose", "--format", "jsonl", file}
                                                       : std::vector<std::string>{"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 3u) << result;
    for (const ScoredMatrix& matrix : matrices) {
      const json row = row_for(rows, matrix.dataset, file);
      if (const auto value = ok_rankme(row, matrix.dataset)) {
        EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance);
      }
    }
    const std::vector<std::string> notes = lines_starting_with(result.err, "rankme: note:");
    if (verbose) {
      const std::vector<std::string> skipped = lines_starting_with(result.err, "rankme: note: skipped dataset");
      EXPECT_EQ(skipped.size(), 2u) << result;
      EXPECT_EQ(std::count_if(skipped.begin(), skipped.end(), [](const std::string& n) { return contains(n, "/labels"); }), 1) << result;
      EXPECT_EQ(std::count_if(skipped.begin(), skipped.end(), [](const std::string& n) { return contains(n, "/names"); }), 1) << result;
    } else {
      ASSERT_EQ(notes.size(), 1u) << result;
      EXPECT_TRUE(contains(notes[0], "2 datasets skipped, e.g. '/labels'") && contains(notes[0], "--verbose")) << result;
    }
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
  }
}

TEST(WholeFileScan, FileWithNothingScorableIsAnError) {
  TemporaryDirectory directory("rankme-cli-scan-");
  const std::string file = directory.file("nothing.h5");
  testing::write_array_of_rank(file, "/labels", {50});
  testing::write_string_dataset(file, "/names");
  testing::write_attribute_only_group(file, "/meta");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << result;
    EXPECT_TRUE(contains(errors[0], file)) << errors[0];
    for (const json& row : parse_jsonl(result)) {
      EXPECT_EQ(row.value("status", json()), "error") << row.dump();
    }
  }
}


// ------------------------------------------------------------------------------------------------
// FILE:DATASET

TEST(InputSpec, ColonsInFileAndDatasetNamesAndRelativeDatasetPaths) {
  TemporaryDirectory directory("rankme-cli-colons-");
  const std::string colon_file = directory.file("run:1.h5");
  const std::string plain_file = directory.file("file.h5");
  const ScoredMatrix colon = add_matrix(colon_file, "/emb:v2", plain_matrix(40, 7, 71), 40, 7, float32, "float32", 1e-6);
  const ScoredMatrix nested = add_matrix(colon_file, "/group/ds", plain_matrix(35, 5, 72), 35, 5, float64, "float64", 1e-9);
  const ScoredMatrix relative = add_matrix(plain_file, "/group/ds", plain_matrix(30, 6, 73), 30, 6, float64, "float64", 1e-9);
  const RunResult result = run_rankme(2, {"--format", "jsonl", colon_file + ":/emb:v2", colon_file + ":group/ds",
                                          plain_file + ":group/ds", colon_file});
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash_hang_or_signal(result);
  const std::vector<json> rows = parse_jsonl(result);
  // 3 named datasets; the whole-file scan of run:1.h5 reaches the same two again, and a dataset is
  // scored once however many inputs reach it.
  ASSERT_EQ(rows.size(), 3u) << result;
  for (const json& row : rows) EXPECT_EQ(row.value("status", json()), "ok") << row.dump();
  // File as given, dataset made absolute.
  const json colon_row = row_for(rows, "/emb:v2", colon_file);
  const json nested_row = row_for(rows, "/group/ds", colon_file);
  const json relative_row = row_for(rows, "/group/ds", plain_file);
  if (const auto value = ok_rankme(colon_row, "/emb:v2")) {
    EXPECT_RELATIVE_NEAR(*value, colon.expected, colon.tolerance);
  }
  if (const auto value = ok_rankme(nested_row, "/group/ds")) {
    EXPECT_RELATIVE_NEAR(*value, nested.expected, nested.tolerance);
  }
  if (const auto value = ok_rankme(relative_row, "/group/ds")) {
    EXPECT_RELATIVE_NEAR(*value, relative.expected, relative.tolerance);
  }
}


// ------------------------------------------------------------------------------------------------
// Links

TEST(Links, DatasetReachedTwiceIsScoredOnceInAWholeFileScan) {
  TemporaryDirectory directory("rankme-cli-links-");
  const std::string file = directory.file("links.h5");
  const ScoredMatrix a = add_matrix(file, "/a", plain_matrix(40, 8, 91), 40, 8, float64, "float64", 1e-9);
  const ScoredMatrix b = add_matrix(file, "/b", plain_matrix(30, 5, 92), 30, 5, float64, "float64", 1e-9);
  testing::make_hard_link(file, "/grp/hard_a", "/a");
  testing::make_soft_link(file, "/soft_a", "/a");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 2u) << "/a through /a, /grp/hard_a and /soft_a is one dataset" << result;
    std::size_t a_rows = 0;
    for (const json& row : rows) {
      const std::string dataset = row.value("dataset", std::string());
      if (dataset == "/a" || dataset == "/grp/hard_a" || dataset == "/soft_a") {
        ++a_rows;
        if (const auto value = ok_rankme(row, dataset)) {
          EXPECT_RELATIVE_NEAR(*value, a.expected, 1e-9);
        }
      }
    }
    EXPECT_EQ(a_rows, 1u) << result;
    if (const auto value = ok_rankme(row_for(rows, "/b"), "/b")) {
      EXPECT_RELATIVE_NEAR(*value, b.expected, 1e-9);
    }
  }
}

TEST(Links, DanglingSoftAndMissingExternalLinksNamedExplicitlyAreErrors) {
  TemporaryDirectory directory("rankme-cli-links-");
  const std::string file = directory.file("links.h5");
  const ScoredMatrix a = add_matrix(file, "/a", plain_matrix(40, 8, 93), 40, 8, float64, "float64", 1e-9);
  testing::make_soft_link(file, "/soft_a", "/a");
  testing::make_soft_link(file, "/dangling", "/nowhere");
  testing::make_external_link(file, "/external", directory.file("absent.h5"), "/m");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result =
        run_rankme(ranks, {"--format", "jsonl", file + ":/soft_a", file + ":/dangling", file + ":/external", file + ":/a"});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 4u) << result;
    for (const char* dataset : {"/soft_a", "/a"}) {
      if (const auto value = ok_rankme(row_for(rows, dataset), dataset)) {
        EXPECT_RELATIVE_NEAR(*value, a.expected, 1e-9);
      }
    }
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    EXPECT_EQ(errors.size(), 2u) << result;
    for (const char* dataset : {"/dangling", "/external"}) {
      EXPECT_EQ(row_for(rows, dataset).value("status", json()), "error") << dataset;
      EXPECT_EQ(std::count_if(errors.begin(), errors.end(), [&](const std::string& e) { return contains(e, dataset); }), 1)
          << dataset << result;
    }
  }
}

}  // namespace
}  // namespace rankme
