// --resume and rankme-merge know a file however its path was spelled: a sweep scored as "a.h5 b.h5" is
// settled for "$PWD/a.h5 ./b.h5", for a path through a symlinked directory, for "sub/../b.h5", from
// another working directory; and shards that spell the same file differently merge to one result per
// dataset. `file` in every output stays as that run was given it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rankme/sweep/results_file.hpp"
#include "support/child_process.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::contains;
using testing::RunResult;
using testing::TemporaryDirectory;

constexpr double run_timeout_seconds = 120;

// Runs the command from `directory` (the child inherits the working directory), then comes back.
RunResult run_in(const fs::path& directory, const std::vector<std::string>& argv) {
  const fs::path previous = fs::current_path();
  fs::current_path(directory);
  RunResult result = testing::run_command(argv, run_timeout_seconds);
  fs::current_path(previous);
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

// Two ranks, so that results travel to rank 0 as CBOR messages and must carry canonical_file there.
RunResult run_rankme_in(const fs::path& directory, const std::vector<std::string>& args) {
  return run_in(directory, testing::mpiexec_command(RANKME_MPIEXEC, 2, RANKME_BINARY, args));
}

RunResult run_merge_in(const fs::path& directory, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RANKME_MERGE};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_in(directory, argv);
}

void write_embeddings(const std::string& file, double decay) {
  constexpr std::uint64_t rows = 40, cols = 6;
  std::vector<double> values(rows * cols);
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) {
      values[row * cols + col] = static_cast<double>((row * 7 + col * 3) % 11) * std::exp(-decay * static_cast<double>(col));
    }
  }
  testing::write_matrix(file, "/emb", values, rows, cols, {testing::StoredType::Kind::floating, 8});
}

// <root>/data/a.h5 and b.h5; <root>/data/sub (for "sub/.."), <root>/link -> data, <root>/elsewhere.
struct Layout {
  TemporaryDirectory root{"rankme-spellings-"};
  fs::path data, link, elsewhere;

  Layout() {
    data = root.path() / "data";
    link = root.path() / "link";
    elsewhere = root.path() / "elsewhere";
    fs::create_directories(data / "sub");
    fs::create_directories(elsewhere);
    fs::create_directory_symlink("data", link);
    write_embeddings((data / "a.h5").string(), 0.3);
    write_embeddings((data / "b.h5").string(), 0.7);
  }
};

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const std::string& arg : args) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::vector<json> rows_of(const std::string& path) { return testing::parse_jsonl_file(path).rows; }

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(ResumeSpellings, NothingIsScoredAgainHoweverTheFilesAreSpelled) {
  const Layout layout;
  const std::string results = (layout.data / "r.jsonl").string();
  const RunResult first = run_rankme_in(layout.data, {"--output", "r.jsonl", "a.h5", "b.h5"});
  ASSERT_EQ(first.exit_code, 0) << first;
  const std::string scored = testing::read_whole_file(results);
  ASSERT_EQ(lines_in(scored), 2u) << scored;
  std::set<std::string> files;
  for (const json& row : rows_of(results)) {
    files.insert(row.at("file").get<std::string>());
    const std::string as_given = row.at("file").get<std::string>();
    EXPECT_EQ(row.at("canonical_file"), fs::canonical(layout.data / as_given).string()) << row.dump();
  }
  EXPECT_EQ(files, (std::set<std::string>{"a.h5", "b.h5"}));  // as given

  const std::string absolute_data = fs::absolute(layout.data).string(), absolute_root = fs::absolute(layout.root.path()).string();
  struct Resumption {
    fs::path directory;
    std::vector<std::string> args;
  };
  const std::vector<Resumption> resumptions = {
      {layout.data, {"--output", "r.jsonl", absolute_data + "/a.h5", "./b.h5"}},
      {layout.root.path(), {"--output", "data/r.jsonl", "link/a.h5", "data/sub/../b.h5"}},
      {layout.elsewhere, {"--output", "../link/r.jsonl", "../data/sub/../a.h5", absolute_root + "/link/./b.h5"}},
      {layout.data / "sub", {"--output", results, "../../link/b.h5", "../a.h5"}},
  };
  for (const Resumption& resumption : resumptions) {
    std::vector<std::string> args = resumption.args;
    args.insert(args.end(), {"--resume", "--format", "jsonl"});
    SCOPED_TRACE("from " + resumption.directory.string() + ": " + joined(args));
    const RunResult resumed = run_rankme_in(resumption.directory, args);
    EXPECT_EQ(resumed.exit_code, 0) << resumed;
    EXPECT_TRUE(contains(resumed.err, "2 dataset(s) already settled") && contains(resumed.err, "0 to score")) << resumed;
    EXPECT_EQ(resumed.out, "") << "nothing scored, nothing reported" << resumed;
    EXPECT_EQ(testing::read_whole_file(results), scored) << "r.jsonl must still hold exactly the 2 lines";
  }
  EXPECT_EQ(read_results_file(results).results.size(), 2u);
}

// A results file written before canonical_file was recorded: resumed from the directory it was written
// in, its relative names are resolved there and nothing is scored again.
TEST(ResumeSpellings, AnOlderResultsFileWithoutCanonicalPathsIsResumedFromItsDirectory) {
  const Layout layout;
  const std::string results = (layout.data / "r.jsonl").string();
  ASSERT_EQ(run_rankme_in(layout.data, {"--output", "r.jsonl", "a.h5", "b.h5"}).exit_code, 0);
  std::string older;
  for (json row : rows_of(results)) {
    row.erase("canonical_file");
    older += row.dump() + "\n";
  }
  std::ofstream(results, std::ios::binary | std::ios::trunc) << older;
  const RunResult resumed = run_rankme_in(layout.data, {"--output", "r.jsonl", "--resume", "./a.h5", absolute(layout.link).string() + "/b.h5"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed;
  EXPECT_TRUE(contains(resumed.err, "0 to score")) << resumed;
  EXPECT_EQ(testing::read_whole_file(results), older);
}

TEST(MergeSpellings, ShardsThatSpellAFileDifferentlyMergeToOneResultPerDataset) {
  const Layout layout;
  const std::string shard0 = (layout.data / "shard0.jsonl").string(), shard1 = (layout.elsewhere / "shard1.jsonl").string();
  ASSERT_EQ(run_rankme_in(layout.data, {"--output", shard0, "a.h5", "b.h5"}).exit_code, 0);
  ASSERT_EQ(run_rankme_in(layout.elsewhere, {"--output", shard1, "../link/a.h5", "../data/sub/../b.h5"}).exit_code, 0);
  ASSERT_EQ(rows_of(shard0).size() + rows_of(shard1).size(), 4u);

  // From a third directory, where none of the relative spellings would resolve.
  const std::string merged = (layout.root.path() / "merged.csv").string();
  const RunResult result = run_merge_in(layout.data / "sub", {"--output", merged, "--format", "jsonl", shard0, shard1});
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<json> rows = testing::parse_jsonl_text(result.out).rows;
  ASSERT_EQ(rows.size(), 2u) << result;
  std::map<std::string, int> per_canonical_file;
  for (const json& row : rows) ++per_canonical_file[row.at("canonical_file").get<std::string>()];
  EXPECT_EQ(per_canonical_file, (std::map<std::string, int>{{fs::canonical(layout.data / "a.h5").string(), 1},
                                                             {fs::canonical(layout.data / "b.h5").string(), 1}}));
  std::set<std::string> files;
  for (const json& row : rows) files.insert(row.at("file").get<std::string>());
  EXPECT_EQ(files, (std::set<std::string>{"../link/a.h5", "../data/sub/../b.h5"}))  // the last shard's, as given
      << result;
  EXPECT_TRUE(contains(result.err, "2 datasets from 4 results")) << result;
  const ResultsFileContents written = read_results_file(merged);
  EXPECT_EQ(written.skipped_lines, 0u) << written.first_problem;
  ASSERT_EQ(written.results.size(), 2u);
  for (const DatasetResult& row : written.results) EXPECT_FALSE(row.canonical_file.empty()) << row.file;

  // A shard from before canonical_file: its names are resolved from where rankme-merge runs.
  std::string older;
  for (json row : rows_of(shard0)) {
    row.erase("canonical_file");
    older += row.dump() + "\n";
  }
  const std::string older_shard = (layout.data / "older.jsonl").string();
  std::ofstream(older_shard, std::ios::binary) << older;
  const RunResult with_older = run_merge_in(layout.data, {"--format", "jsonl", older_shard, shard1});
  EXPECT_EQ(with_older.exit_code, 0) << with_older;
  EXPECT_EQ(testing::parse_jsonl_text(with_older.out).rows.size(), 2u) << with_older;
}

}  // namespace
}  // namespace rankme
