// --pool and --concat end to end through the binary: the note and the error without --pool, the pool and
// parts in every output format and in --list, the order of shards named by a shell glob, --resume knowing
// a pooled or stacked result by its pooling and by every part's identity, and --spectrum's names.
#include <hdf5.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
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
using testing::random_values;
using testing::reference_rankme_of;

const testing::StoredType float32{testing::StoredType::Kind::floating, 4, false};

testing::RunResult run_rankme(int ranks, const std::vector<std::string>& args) {
  return testing::run_command(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args), 90);
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) rows.push_back(json::parse(line));
  }
  return rows;
}

class PoolCli : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens = testing::write_array(file, "/tokens", random_values(40 * 3 * 5, 1), {40, 3, 5}, float32);
    testing::write_matrix(file, "/matrix", random_values(30 * 4, 2), 30, 4, float32);
  }
  testing::TemporaryDirectory directory{"rankme-pool-"};
  const std::string file = directory.file("vit.h5");
  std::vector<double> tokens;
};

TEST_F(PoolCli, WithoutPoolAScanNotesTheArrayAndNamingItIsAnError) {
  const testing::RunResult scan = run_rankme(2, {"--format", "jsonl", "--quiet", file});
  EXPECT_EQ(scan.exit_code, 0) << scan;
  EXPECT_TRUE(contains(scan.err, "rankme: note: skipped dataset '/tokens' in '" + file +
                                     "': 3-D (40, 3, 5): use --pool mean|first|last|flatten"))
      << scan.err;
  const std::vector<json> rows = json_lines(scan.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("dataset"), "/matrix");
  EXPECT_TRUE(rows[0].at("pool").is_null());

  const testing::RunResult named = run_rankme(2, {"--format", "jsonl", "--quiet", file + ":/tokens"});
  EXPECT_EQ(named.exit_code, 1) << named;
  EXPECT_TRUE(contains(named.err, "rankme: error: dataset '/tokens' in '" + file + "' is 3-D (40, 3, 5)")) << named.err;
  EXPECT_TRUE(contains(named.err, "--pool mean|first|last|flatten")) << named.err;
}

TEST_F(PoolCli, EveryFormatSaysThePooling) {
  // mean over the 3 tokens, built here.
  std::vector<double> means(40 * 5, 0.0);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t k = 0; k < 5; ++k) means[i * 5 + k] += tokens[(i * 3 + t) * 5 + k] / 3.0;
  const testing::RunResult jsonl = run_rankme(3, {"--format", "jsonl", "--quiet", "--pool", "mean", file + ":/tokens"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl;
  const std::vector<json> rows = json_lines(jsonl.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("pool"), "mean");
  EXPECT_EQ(rows[0].at("rows"), 40);
  EXPECT_EQ(rows[0].at("cols"), 5);
  EXPECT_EQ(rows[0].at("dtype"), "float32");
  EXPECT_LE(testing::relative_difference(rows[0].at("rankme").get<double>(), reference_rankme_of(means, 5)), 1e-6);

  const testing::RunResult csv = run_rankme(1, {"--format", "csv", "--quiet", "--pool", "flatten", file + ":/tokens"});
  ASSERT_EQ(csv.exit_code, 0) << csv;
  EXPECT_TRUE(contains(csv.out, ",pool,parts,lidar,rows_used,precision,method\n")) << csv.out;
  EXPECT_TRUE(contains(csv.out, ",flatten,,,120,")) << csv.out;  // pool, parts, lidar, rows_used
  EXPECT_TRUE(contains(csv.out, ",120,5,float32,")) << csv.out;

  const testing::RunResult table = run_rankme(1, {"--quiet", "--pool", "first", file});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(contains(table.out, "/tokens (pool first)")) << table.out;
  EXPECT_TRUE(contains(table.out, "/matrix ")) << table.out;

  const testing::RunResult listing = run_rankme(1, {"--list", "--format", "jsonl", "--pool", "last", file});
  ASSERT_EQ(listing.exit_code, 0) << listing;
  const std::vector<json> listed = json_lines(listing.out);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].at("dataset"), "/tokens");
  EXPECT_EQ(listed[1].at("pool"), "last");
  EXPECT_EQ(listed[1].at("shape"), json::array({40, 3, 5}));
}

TEST_F(PoolCli, ResumeTreatsAnotherPoolingAsAnotherResult) {
  const std::string output = directory.file("results.jsonl");
  const auto run = [&](const std::string& mode) {
    const testing::RunResult result =
        run_rankme(2, {"--quiet", "--format", "jsonl", "--pool", mode, "--output", output, "--resume", file + ":/tokens"});
    EXPECT_EQ(result.exit_code, 0) << result;
    return result;
  };
  run("mean");
  const testing::RunResult other = run("first");
  EXPECT_TRUE(contains(other.err, "0 dataset(s) already settled")) << other.err;
  const testing::RunResult again = run("first");
  EXPECT_TRUE(contains(again.err, "1 dataset(s) already settled")) << again.err;
  EXPECT_TRUE(contains(again.err, "0 to score")) << again.err;
  const testing::JsonlFile results = testing::parse_jsonl_file(output);
  ASSERT_EQ(results.rows.size(), 2u);
  EXPECT_EQ(results.rows[0].at("pool"), "mean");
  EXPECT_EQ(results.rows[1].at("pool"), "first");
}

class ConcatCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(directory.file("run"));
    for (int rank = 0; rank < 11; ++rank) {
      shards.push_back(directory.file("run/emb_rank" + std::to_string(rank) + ".h5"));
      const std::uint64_t rows = 4 + static_cast<std::uint64_t>(rank);
      const std::vector<double> stored =
          testing::write_matrix(shards.back(), "/emb", random_values(rows * 6, 10 + static_cast<std::uint64_t>(rank)), rows, 6, float32);
      stacked.insert(stacked.end(), stored.begin(), stored.end());
    }
  }
  // The shards as a shell glob gives them: byte-wise, emb_rank10 before emb_rank2.
  std::vector<std::string> globbed() const {
    std::vector<std::string> names = shards;
    std::sort(names.begin(), names.end());
    return names;
  }
  testing::TemporaryDirectory directory{"rankme-concat-"};
  std::vector<std::string> shards;  // in rank order
  std::vector<double> stacked;      // their rows in rank order
};

TEST_F(ConcatCli, AGlobsShardsAreOneMatrixInRankOrder) {
  std::vector<std::string> args = {"--format", "jsonl", "--quiet", "--concat", "--rows", "30"};
  for (const std::string& shard : globbed()) args.push_back(shard);
  const testing::RunResult result = run_rankme(3, args);
  ASSERT_EQ(result.exit_code, 0) << result;
  const std::vector<json> rows = json_lines(result.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("file"), directory.file("run"));
  EXPECT_EQ(rows[0].at("dataset"), "/emb");
  EXPECT_EQ(rows[0].at("rows"), stacked.size() / 6);
  const json& parts = rows[0].at("parts");
  ASSERT_EQ(parts.size(), 11u);
  for (std::size_t rank = 0; rank < 11; ++rank) {
    EXPECT_EQ(parts[rank].at("file"), shards[rank]);
    EXPECT_FALSE(parts[rank].at("canonical_file").is_null());
    EXPECT_GT(parts[rank].at("file_size").get<std::uint64_t>(), 0u);
  }
  // The first 30 rows: ranks 0 to 3 (4 + 5 + 6 + 7 = 22) and 8 of rank 4.
  const std::vector<double> first_30(stacked.begin(), stacked.begin() + 30 * 6);
  EXPECT_LE(testing::relative_difference(rows[0].at("rankme").get<double>(), reference_rankme_of(first_30, 6)), 1e-6);

  const testing::RunResult listing = run_rankme(1, {"--list", "--concat", directory.file("run")});
  ASSERT_EQ(listing.exit_code, 0) << listing;
  EXPECT_TRUE(contains(listing.out, directory.file("run") + " (11 parts)")) << listing.out;
}

TEST_F(ConcatCli, ShardOfAnotherWidthIsAnErrorNamingIt) {
  const std::string odd = directory.file("run/emb_rank11.h5");
  testing::write_matrix(odd, "/emb", random_values(3 * 7, 99), 3, 7, float32);
  const testing::RunResult result = run_rankme(2, {"--format", "jsonl", "--quiet", "--concat", directory.file("run")});
  EXPECT_EQ(result.exit_code, 1) << result;
  EXPECT_TRUE(contains(result.err, "rankme: error: --concat: '" + odd + "'")) << result.err;
  EXPECT_TRUE(contains(result.err, "7 columns")) << result.err;
}

TEST_F(ConcatCli, ResumeKnowsTheMatrixByEveryPart) {
  const std::string output = directory.file("results.jsonl");
  const std::vector<std::string> args = {"--quiet", "--format", "jsonl", "--concat-by", "directory", "--output", output,
                                         "--resume", directory.file("run")};
  ASSERT_EQ(run_rankme(2, args).exit_code, 0);
  const testing::RunResult again = run_rankme(2, args);
  EXPECT_TRUE(contains(again.err, "1 dataset(s) already settled")) << again.err;
  // One shard rewritten (same shape, other values): the stacked matrix is another result.
  std::filesystem::remove(shards[5]);
  testing::write_matrix(shards[5], "/emb", random_values(9 * 6, 555), 9, 6, float32);
  const testing::RunResult changed = run_rankme(2, args);
  EXPECT_TRUE(contains(changed.err, "0 dataset(s) already settled")) << changed.err;
  EXPECT_EQ(testing::parse_jsonl_file(output).rows.size(), 2u);
}

TEST_F(ConcatCli, SpectrumIsNamedByTheDirectoryAndThePooling) {
  const std::string spectrum = directory.file("spectra.h5");
  ASSERT_EQ(run_rankme(1, {"--quiet", "--concat", "--spectrum", spectrum, directory.file("run")}).exit_code, 0);
  const hid_t file = H5Fopen(spectrum.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  std::string group = directory.file("run");
  std::string escaped;
  for (const char c : group) escaped += c == '/' ? std::string("%2F") : std::string(1, c);
  EXPECT_GT(H5Lexists(file, ("/" + escaped).c_str(), H5P_DEFAULT), 0);
  EXPECT_GT(H5Lexists(file, ("/" + escaped + "/emb").c_str(), H5P_DEFAULT), 0);
  EXPECT_GT(H5Aexists_by_name(file, ("/" + escaped + "/emb").c_str(), "parts", H5P_DEFAULT), 0);
  H5Fclose(file);
}

}  // namespace
}  // namespace rankme
