// Hostile tensor files end to end, at 1 and 3 ranks: truncated .npy/.npz/.safetensors/.pt files, headers
// that lie about shapes, offsets or lengths, declared sizes far beyond the file, a zip member declared 4 GB
// whose deflate stream holds 8 KiB, zip names with "..", pickles that would call os.system or
// builtins.eval, torch's legacy format, files that are no tensor file at all (tests/data/hostile, written
// by make_hostile_fixtures.py there; manifest.json lists them).
//
// Each is given next to a good file in one command. rankme must: score the good file; give the hostile
// one an error row and one "rankme: error:" line on stderr naming it (and the words the manifest lists);
// exit 1; not crash, hang or receive a signal; and never execute the pickles (their marker file stays
// absent). --max-memory none, so that a declared size beyond the file is refused by the reader's check
// against the file's size, not by the memory budget.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include "app/format_fixtures.hpp"
#include "support/child_process.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/rankme_launch.hpp"

#ifndef RANKME_HOSTILE_FIXTURES
#error "RANKME_HOSTILE_FIXTURES (the folder tests/data/hostile) must be defined by the build"
#endif

namespace rankme {
namespace {

using nlohmann::json;
using testing::contains;
using testing::contains_nocase;
using testing::expect_no_crash_hang_or_signal;
using testing::lines_starting_with;
using testing::parse_jsonl;
using testing::run_rankme;
using testing::RunResult;

const std::string hostile_folder = RANKME_HOSTILE_FIXTURES;
// A good .npy scored in every launch: a bad file must not stop the run.
const std::string good_file = testing::format_fixture_folder + "/npy/float64_c_le.npy";

struct HostileFile {
  std::string path;                   // absolute
  std::vector<std::string> mentions;  // words the error must contain besides the file's name
  std::string note;
};

struct HostileManifest {
  std::string marker;  // what the pickles would create if executed
  std::vector<HostileFile> files;
};

HostileManifest read_manifest() {
  const std::string text = testing::read_whole_file(hostile_folder + "/manifest.json");
  if (text.empty()) throw std::runtime_error("cannot read " + hostile_folder + "/manifest.json");
  const json manifest = json::parse(text);
  HostileManifest read;
  read.marker = manifest.at("marker").get<std::string>();
  for (const json& item : manifest.at("cases")) {
    read.files.push_back({hostile_folder + "/" + item.at("file").get<std::string>(),
                          item.at("mentions").get<std::vector<std::string>>(), item.value("note", std::string())});
  }
  return read;
}

const HostileManifest& hostile_manifest() {
  static const HostileManifest manifest = read_manifest();
  return manifest;
}

struct HostileRun {
  HostileFile file;
  int ranks = 1;
};

void PrintTo(const HostileRun& run, std::ostream* out) { *out << run.file.path << " at " << run.ranks << " ranks"; }

std::string name_of(const ::testing::TestParamInfo<HostileRun>& param) {
  std::string name = param.param.file.path.substr(param.param.file.path.rfind('/') + 1);
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name + "_" + std::to_string(param.param.ranks) + "ranks";
}

std::vector<HostileRun> hostile_runs() {
  std::vector<HostileRun> runs;
  for (const HostileFile& file : hostile_manifest().files) {
    for (const int ranks : {1, 3}) runs.push_back({file, ranks});
  }
  return runs;
}

class HostileTensorFile : public ::testing::TestWithParam<HostileRun> {};

TEST_P(HostileTensorFile, OneClearErrorExitOneAndTheGoodFileIsStillScored) {
  const HostileRun& run = GetParam();
  const std::string file_name = run.file.path.substr(run.file.path.rfind('/') + 1);
  SCOPED_TRACE(file_name + ": " + run.file.note);
  ::unlink(hostile_manifest().marker.c_str());

  const RunResult result =
      run_rankme(run.ranks, {"--format", "jsonl", "--quiet", "--max-memory", "none", good_file, run.file.path});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  EXPECT_NE(::access(hostile_manifest().marker.c_str(), F_OK), 0) << "the pickle was executed: " << hostile_manifest().marker;

  // The good file is scored.
  const std::vector<json> rows = parse_jsonl(result);
  const auto good = std::count_if(rows.begin(), rows.end(), [](const json& row) {
    return row.value("file", json()) == good_file && row.value("status", json()) == "ok";
  });
  EXPECT_EQ(good, 1) << "the good file next to the hostile one must be scored" << result;

  // The hostile file: error rows only, each with a message naming it.
  std::size_t hostile_rows = 0;
  for (const json& row : rows) {
    if (row.value("file", json()) != run.file.path) continue;
    ++hostile_rows;
    EXPECT_EQ(row.value("status", json()), "error") << row.dump();
    const std::string error = row.value("error", json()).is_string() ? row["error"].get<std::string>() : "";
    EXPECT_TRUE(contains(error, file_name)) << "the error names the file: " << row.dump();
    for (const std::string& word : run.file.mentions) EXPECT_TRUE(contains_nocase(error, word)) << word << ": " << row.dump();
  }
  EXPECT_GE(hostile_rows, 1u) << "an error row for the hostile file" << result;

  // One clear line on stderr for it, naming it; nothing that looks like an internal dump.
  std::size_t error_lines = 0;
  for (const std::string& line : lines_starting_with(result.err, "rankme: error:")) {
    if (contains(line, file_name)) ++error_lines;
    EXPECT_LT(line.size(), 600u) << "one readable line, not a dump: " << line;
  }
  EXPECT_EQ(error_lines, 1u) << result;
  EXPECT_LT(result.seconds, 30.0) << "refused promptly (no inflating of a declared 4 GB, no retry loop)" << result;
}

INSTANTIATE_TEST_SUITE_P(Files, HostileTensorFile, ::testing::ValuesIn(hostile_runs()), name_of);

// Every hostile file in one command, with the good file between them, at 3 ranks: the run survives them
// all and still scores the good one.
TEST(HostileTensorFiles, AllInOneCommandStillScoreTheGoodFile) {
  std::vector<std::string> args = {"--format", "jsonl", "--quiet", "--max-memory", "none"};
  const std::vector<HostileFile>& files = hostile_manifest().files;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i == files.size() / 2) args.push_back(good_file);
    args.push_back(files[i].path);
  }
  ::unlink(hostile_manifest().marker.c_str());
  const RunResult result = run_rankme(3, args);
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  EXPECT_NE(::access(hostile_manifest().marker.c_str(), F_OK), 0) << "a pickle was executed";
  const std::vector<json> rows = parse_jsonl(result);
  for (const HostileFile& file : files) {
    const auto found = std::count_if(rows.begin(), rows.end(), [&](const json& row) { return row.value("file", json()) == file.path; });
    EXPECT_GE(found, 1) << "no row for " << file.path << result;
  }
  const auto good = std::count_if(rows.begin(), rows.end(), [](const json& row) {
    return row.value("file", json()) == good_file && row.value("status", json()) == "ok";
  });
  EXPECT_EQ(good, 1) << result;
}

// The files that declare far more than they hold, at 3 ranks under a 1 GB address-space limit (RLIMIT_AS,
// through prlimit; inherited by mpiexec's ranks): a reader that allocated what a header declares (8 PB,
// 4 GB, 4 TB) would fail to, or crash; one that checks declared sizes against the file first answers each
// with its error and scores the good file.
TEST(HostileTensorFiles, DeclaredSizesAreRefusedBeforeAllocatingUnderOneGigabyteOfAddressSpace) {
  const std::string prlimit = "/usr/bin/prlimit";  // util-linux; the child is started without a PATH search
  if (::access(prlimit.c_str(), X_OK) != 0) GTEST_SKIP() << prlimit << " (util-linux) not found";
  const std::vector<std::string> huge = {"huge_shape.npy", "overflowing_shape.npy", "header_length_huge.npy",
                                         "bomb.npz", "member_beyond_file.npz", "huge_shape.safetensors",
                                         "header_length_huge.safetensors", "offsets_outside.safetensors",
                                         "storage_too_small.pt"};
  std::vector<std::string> args = {"--format", "jsonl", "--quiet", "--max-memory", "none", good_file};
  for (const std::string& name : huge) args.push_back(hostile_folder + "/files/" + name);
  std::vector<std::string> command = {prlimit, "--as=1000000000"};
  const std::vector<std::string> launch = testing::rankme_command(3, args);
  command.insert(command.end(), launch.begin(), launch.end());
  const RunResult result = testing::run_command(command, testing::run_timeout_seconds);
  EXPECT_FALSE(result.hung) << result;
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  EXPECT_FALSE(contains_nocase(result.err, "bad_alloc") || contains_nocase(result.err, "out of memory")) << result;
  const std::vector<json> rows = parse_jsonl(result);
  for (const std::string& name : huge) {
    const std::string path = hostile_folder + "/files/" + name;
    const auto errors = std::count_if(rows.begin(), rows.end(), [&](const json& row) {
      return row.value("file", json()) == path && row.value("status", json()) == "error";
    });
    EXPECT_GE(errors, 1) << name << result;
  }
  const auto good = std::count_if(rows.begin(), rows.end(), [](const json& row) {
    return row.value("file", json()) == good_file && row.value("status", json()) == "ok";
  });
  EXPECT_EQ(good, 1) << result;
}

}  // namespace
}  // namespace rankme
