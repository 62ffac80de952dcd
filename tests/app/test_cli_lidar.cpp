// --lidar end to end through the binary, against numpy and scipy (tests/app/lidar_numpy_reference.py reads
// the same HDF5 file), at 1-4 ranks with every rank on the one dataset and small blocks, so that objects
// are split across blocks and ranks: 3-D arrays in float32 and float64, --groups with unequal views,
// non-contiguous ids and shuffled rows (absolute and relative), a large common offset, --lidar-delta;
// LiDAR unchanged by --center, --precision and --method; the notes, the errors and the refusals; the
// lidar column in CSV and the table, kept by --resume and rankme-merge; RankMe taken from LiDAR's sums against
// numpy's float64 SVD.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>
#include <utility>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::contains;

const testing::StoredType float32{testing::StoredType::Kind::floating, 4, false};
const testing::StoredType float64{testing::StoredType::Kind::floating, 8, false};
const testing::StoredType int64{testing::StoredType::Kind::signed_int, 8, false};
const testing::StoredType int32{testing::StoredType::Kind::signed_int, 4, false};

testing::RunResult run_rankme(int ranks, const std::vector<std::string>& args) {
  return testing::run_command(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args), 120);
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.front() == '{') rows.push_back(json::parse(line));
  }
  return rows;
}

json row_of(const std::vector<json>& rows, const std::string& dataset) {
  for (const json& row : rows) {
    if (row.at("dataset") == dataset) return row;
  }
  ADD_FAILURE() << "no result for " << dataset;
  return json::object();
}

// numpy's LiDAR of `dataset` in `file` (lidar_numpy_reference.py).
double numpy_lidar(const std::string& file, const std::string& dataset, const std::string& groups = "",
                   const std::string& delta = "1e-4", bool rankme = false) {
  std::vector<std::string> args = {RANKME_LIDAR_REFERENCE, file, dataset, "--delta", delta};
  if (rankme) args.push_back("--rankme");
  if (!groups.empty()) {
    args.push_back("--groups");
    args.push_back(groups);
  }
  const testing::RunResult result = testing::run_command(args, 120);
  EXPECT_EQ(result.exit_code, 0) << result;
  return std::stod(result.out);
}

// Objects around centres (spread 2) with views around them (spread 0.5), plus `offset`.
std::vector<double> views_of(std::uint64_t objects, std::uint64_t views, std::uint64_t cols, double offset,
                             std::uint64_t seed) {
  const std::vector<double> centres = testing::random_values(objects * cols, seed, 2.0);
  std::vector<double> values = testing::random_values(objects * views * cols, seed + 1, 0.5);
  for (std::uint64_t o = 0; o < objects; ++o)
    for (std::uint64_t v = 0; v < views; ++v)
      for (std::uint64_t c = 0; c < cols; ++c) values[(o * views + v) * cols + c] += offset + centres[o * cols + c];
  return values;
}

class LidarCli : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_array(file, "/views64", views_of(45, 4, 6, 0.0, 1), {45, 4, 6}, float64);
    testing::write_array(file, "/views32", views_of(45, 4, 6, 0.0, 2), {45, 4, 6}, float32);
    testing::write_array(file, "/offset", views_of(30, 3, 5, 1e6, 3), {30, 3, 5}, float64);
    // Unequal views (2 to 5), ids 1000 - 7 i, rows shuffled.
    const std::vector<double> centres = testing::random_values(40 * 6, 4, 2.0);
    const std::vector<double> noise = testing::random_values(40 * 5 * 6, 5, 0.5);
    std::vector<std::pair<double, std::vector<double>>> rows;
    for (std::uint64_t o = 0; o < 40; ++o) {
      for (std::uint64_t v = 0; v < 2 + o % 4; ++v) {
        std::vector<double> row(6);
        for (std::uint64_t c = 0; c < 6; ++c) row[c] = centres[o * 6 + c] + noise[(o * 5 + v) * 6 + c];
        rows.emplace_back(1000.0 - 7.0 * static_cast<double>(o), row);
      }
    }
    std::shuffle(rows.begin(), rows.end(), std::mt19937_64(6));
    std::vector<double> matrix, ids;
    for (const auto& [id, row] : rows) {
      ids.push_back(id);
      matrix.insert(matrix.end(), row.begin(), row.end());
    }
    grouped_rows = rows.size();
    testing::write_matrix(file, "/run/emb", matrix, grouped_rows, 6, float64);
    testing::write_array(file, "/run/ids", ids, {grouped_rows}, int32);
    testing::write_array(file, "/object_ids", ids, {grouped_rows}, int64);
  }

  testing::TemporaryDirectory directory{"rankme-lidar-"};
  const std::string file = directory.file("views.h5");
  std::uint64_t grouped_rows = 0;
};

TEST_F(LidarCli, MatchesNumpyAtOneToFourRanksWithObjectsSplitAcrossBlocksAndRanks) {
  const double views64 = numpy_lidar(file, "/views64"), views32 = numpy_lidar(file, "/views32");
  const double offset = numpy_lidar(file, "/offset"), grouped = numpy_lidar(file, "/run/emb", "/object_ids");
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const testing::RunResult result =
        run_rankme(ranks, {"--quiet", "--format", "jsonl", "--lidar", "--groups", "/object_ids", "--group-size",
                           std::to_string(ranks), "--block-rows", "5", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = json_lines(result.out);
    ASSERT_EQ(rows.size(), 4u) << result;  // the ids are not scored
    for (const auto& [dataset, expected, tolerance] :
         {std::tuple{"/views64", views64, 1e-10}, std::tuple{"/views32", views32, 1e-10},
          // 1e6 + spread 0.5: the stored values carry 1e6 * 2^-53 ~ 1e-10 of the views' spread, rounding that
          // numpy's centring and rankme's see alike; 1e-8 leaves room for the order of their sums.
          std::tuple{"/offset", offset, 1e-8}, std::tuple{"/run/emb", grouped, 1e-10}}) {
      const json row = row_of(rows, dataset);
      ASSERT_TRUE(row.contains("lidar") && row.at("lidar").is_number()) << row.dump();
      EXPECT_LT(testing::relative_difference(row.at("lidar").get<double>(), expected), tolerance)
          << dataset << ": " << row.at("lidar") << " vs numpy " << expected;
      EXPECT_EQ(row.at("ranks"), ranks);
      EXPECT_EQ(row.at("status"), "ok");
    }
    // RankMe on every view, one row each.
    EXPECT_EQ(row_of(rows, "/views64").at("rows"), 180);
    EXPECT_EQ(row_of(rows, "/views64").at("cols"), 6);
    EXPECT_EQ(row_of(rows, "/run/emb").at("rows"), grouped_rows);
  }
}

// numpy's float64 SVD RankMe of the same rows (lidar_numpy_reference.py --rankme).
double numpy_rankme(const std::string& file, const std::string& dataset, const std::string& groups = "") {
  return numpy_lidar(file, dataset, groups, "1e-4", true);
}

// --lidar takes RankMe's Gram matrix from LiDAR's double sums (W + sum_i c_i mu_i mu_i^T): RankMe as numpy's
// SVD gives it, at 1-4 ranks with objects split across blocks and ranks, precision "double" whatever
// --precision says; --center keeps a product pass of its own (the centred matrix), also right.
TEST_F(LidarCli, RankMeFromLidarsSumsMatchesTheFloat64Svd) {
  const double views64 = numpy_rankme(file, "/views64"), views32 = numpy_rankme(file, "/views32");
  const double grouped = numpy_rankme(file, "/run/emb", "/object_ids");
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    for (const std::string precision : {"auto", "mixed"}) {
      const testing::RunResult result =
          run_rankme(ranks, {"--quiet", "--format", "jsonl", "--lidar", "--groups", "/object_ids", "--group-size",
                             std::to_string(ranks), "--block-rows", "5", "--precision", precision, file + ":/views64",
                             file + ":/views32", file + ":/run/emb"});
      ASSERT_EQ(result.exit_code, 0) << result;
      const std::vector<json> rows = json_lines(result.out);
      ASSERT_EQ(rows.size(), 3u) << result;
      for (const auto& [dataset, expected] :
           {std::pair{"/views64", views64}, std::pair{"/views32", views32}, std::pair{"/run/emb", grouped}}) {
        const json row = row_of(rows, dataset);
        EXPECT_LT(testing::relative_difference(row.at("rankme").get<double>(), expected), 1e-12)
            << dataset << ": " << row.at("rankme") << " vs numpy " << expected;
        EXPECT_EQ(row.at("precision"), "double") << dataset;
        EXPECT_EQ(row.at("method"), "gram") << dataset;
        EXPECT_TRUE(row.at("lidar").is_number()) << dataset;
      }
    }
  }
  // --center: the centred Gram matrix, by the route's own pass, as without --lidar.
  const testing::RunResult plain = run_rankme(2, {"--quiet", "--format", "jsonl", "--center", file + ":/views64", "--pool", "flatten"});
  const testing::RunResult centred = run_rankme(2, {"--quiet", "--format", "jsonl", "--center", "--lidar", file + ":/views64"});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  ASSERT_EQ(centred.exit_code, 0) << centred;
  const double expected = json_lines(plain.out).at(0).at("rankme").get<double>();
  EXPECT_LT(testing::relative_difference(json_lines(centred.out).at(0).at("rankme").get<double>(), expected), 1e-12);
  EXPECT_GT(testing::relative_difference(expected, views64), 1e-6);  // centring changes RankMe on this data
}

TEST_F(LidarCli, RelativeGroupsDeltaAndIndependenceOfTheRankMeOptions) {
  const double expected = numpy_lidar(file, "/run/emb", "/run/ids");
  const double ridged = numpy_lidar(file, "/run/emb", "/run/ids", "0.5");
  EXPECT_GT(std::fabs(expected - ridged), 1e-3 * expected);  // delta matters on this data
  const std::vector<std::vector<std::string>> variants = {
      {}, {"--center"}, {"--precision", "double"}, {"--precision", "mixed"}, {"--method", "tsqr"}, {"--solver", "scalapack"}};
  for (const auto& variant : variants) {
    std::vector<std::string> args = {"--quiet", "--format", "jsonl", "--lidar", "--groups", "ids", "--group-size", "2",
                                     "--block-rows", "3", file + ":/run/emb"};
    args.insert(args.end(), variant.begin(), variant.end());
    const testing::RunResult result = run_rankme(2, args);
    ASSERT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = json_lines(result.out);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_LT(testing::relative_difference(rows[0].at("lidar").get<double>(), expected), 1e-10) << rows[0].dump();
  }
  const testing::RunResult result =
      run_rankme(3, {"--quiet", "--format", "jsonl", "--lidar", "--groups", "ids", "--lidar-delta", "0.5", file + ":/run/emb"});
  ASSERT_EQ(result.exit_code, 0) << result;
  EXPECT_LT(testing::relative_difference(json_lines(result.out).at(0).at("lidar").get<double>(), ridged), 1e-10);
}

TEST_F(LidarCli, NotesErrorsAndRefusals) {
  // A matrix without groups: lidar null and one note; the sweep goes on.
  testing::write_matrix(file, "/plain", testing::random_values(20 * 3, 9), 20, 3, float64);
  const testing::RunResult notes = run_rankme(2, {"--quiet", "--format", "jsonl", "--lidar", file});
  EXPECT_EQ(notes.exit_code, 0) << notes;
  EXPECT_TRUE(contains(notes.err, "rankme: note: --lidar: no views for 2 datasets")) << notes.err;
  const std::vector<json> rows = json_lines(notes.out);
  EXPECT_TRUE(row_of(rows, "/plain").at("lidar").is_null());
  EXPECT_TRUE(row_of(rows, "/views64").at("lidar").is_number());

  // Groups of the wrong length, the wrong type, or missing: an error for that dataset only.
  testing::write_array(file, "/short_ids", std::vector<double>(7, 1.0), {7}, int64);
  testing::write_array(file, "/float_ids", std::vector<double>(grouped_rows, 1.0), {grouped_rows}, float32);
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"/short_ids", "has 7 ids for " + std::to_string(grouped_rows) + " rows"},
      {"/float_ids", "does not hold integers"},
      {"/none", "--groups dataset '/none'"}};
  for (const auto& [groups, message] : wrong) {
    const testing::RunResult bad =
        run_rankme(2, {"--quiet", "--format", "jsonl", "--lidar", "--groups", groups, file + ":/run/emb", file + ":/views64"});
    EXPECT_EQ(bad.exit_code, 1) << bad;
    const std::vector<json> results = json_lines(bad.out);
    ASSERT_EQ(results.size(), 2u) << bad;
    EXPECT_EQ(row_of(results, "/run/emb").at("status"), "error");
    EXPECT_TRUE(contains(row_of(results, "/run/emb").at("error").get<std::string>(), message)) << bad.out;
    EXPECT_EQ(row_of(results, "/views64").at("status"), "ok");
  }

  // An N x 1 groups dataset is not scored as an embedding.
  testing::write_matrix(file, "/run2/ids", std::vector<double>(10, 2.0), 10, 1, int64);
  testing::write_matrix(file, "/run2/emb", testing::random_values(10 * 3, 10), 10, 3, float64);
  const testing::RunResult column = run_rankme(1, {"--quiet", "--format", "jsonl", "--lidar", "--groups", "ids", file + ":/run2/**"});
  EXPECT_TRUE(contains(column.err, "skipped dataset '/run2/ids'")) << column.err;
  EXPECT_EQ(json_lines(column.out).size(), 1u) << column;

  for (const std::vector<std::string>& refused :
       {std::vector<std::string>{"--lidar", "--pool", "mean"}, {"--lidar", "--sample", "10"}, {"--lidar", "--rows", "10"},
        {"--lidar", "--concat"}, {"--groups", "ids"}, {"--lidar-delta", "0.1"}, {"--lidar", "--lidar-delta", "-1"}}) {
    std::vector<std::string> args = refused;
    args.push_back(file);
    const testing::RunResult usage = run_rankme(1, args);
    EXPECT_EQ(usage.exit_code, 2) << usage;
    EXPECT_TRUE(contains(usage.err, "usage error")) << usage.err;
  }
}

TEST_F(LidarCli, CsvTableResumeAndMergeKeepLidar) {
  const double expected = numpy_lidar(file, "/views64");
  const testing::RunResult csv = run_rankme(2, {"--quiet", "--format", "csv", "--lidar", file + ":/views64"});
  ASSERT_EQ(csv.exit_code, 0) << csv;
  EXPECT_TRUE(contains(csv.out, ",pool,parts,lidar,rows_used,precision,method\n")) << csv.out;
  // lidar, then rows_used, precision and method.
  std::string before_tail = csv.out.substr(0, csv.out.find_last_not_of('\n') + 1);
  for (int column = 0; column < 3; ++column) before_tail.erase(before_tail.find_last_of(','));
  const std::size_t lidar_at = before_tail.find_last_of(',') + 1;
  EXPECT_LT(testing::relative_difference(std::stod(before_tail.substr(lidar_at)), expected), 1e-10) << csv.out;

  const testing::RunResult table = run_rankme(1, {"--quiet", "--lidar", file + ":/views64"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(contains(table.out, "lidar")) << table.out;

  for (const std::string name : {"results.csv", "results.jsonl"}) {
    const std::string output = directory.file(name);
    const auto run = [&](const std::string& dataset) {
      return run_rankme(2, {"--quiet", "--format", "jsonl", "--lidar", "--output", output, "--resume", file + ":/views64",
                            file + ":" + dataset});
    };
    ASSERT_EQ(run("/views32").exit_code, 0);
    const testing::RunResult resumed = run("/offset");  // views64 settled, offset new
    ASSERT_EQ(resumed.exit_code, 0) << resumed;
    EXPECT_TRUE(contains(resumed.err, "1 dataset(s) already settled")) << resumed.err;
    const std::string merged = directory.file("merged.jsonl");
    const testing::RunResult merge = testing::run_command({RANKME_MERGE, output, "--output", merged}, 60);
    ASSERT_EQ(merge.exit_code, 0) << merge;
    const std::vector<json> rows = json_lines(testing::read_whole_file(merged));
    ASSERT_EQ(rows.size(), 3u) << testing::read_whole_file(merged);
    EXPECT_LT(testing::relative_difference(row_of(rows, "/views64").at("lidar").get<double>(), expected), 1e-10) << name;
    EXPECT_TRUE(row_of(rows, "/offset").at("lidar").is_number()) << name;
    // --best-per shows the picked checkpoint's LiDAR: each dataset here is its own run.
    const testing::RunResult best =
        testing::run_command({RANKME_MERGE, output, "--best-per", "run", "--format", "jsonl"}, 60);
    ASSERT_EQ(best.exit_code, 0) << best;
    for (const json& group : json_lines(best.out)) {
      const json& scored = row_of(rows, group.at("dataset").get<std::string>());
      EXPECT_EQ(group.at("lidar"), scored.at("lidar")) << name << ": " << group;
    }
    EXPECT_EQ(json_lines(best.out).size(), 3u) << best;
  }
}

}  // namespace
}  // namespace rankme
