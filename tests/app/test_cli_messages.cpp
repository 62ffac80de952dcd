// Messages that help (issue 15): the grouped --help, the nearest valid option for a misspelt one, ranges in
// words, a missing dataset's nearest names, an HDF5 lock failure in words, no blank line on stderr, skipped
// datasets one line per file, rows_used and the asked metrics in the table, an oversized --sample warned
// about, and the CSV's rows_used, precision and method. Each message is checked at several rank counts where
// it comes from a collective stage: rank 0 alone prints it, once.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
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

using testing::contains;
using testing::expect_no_crash_hang_or_signal;
using testing::float32;
using testing::lines_of;
using testing::lines_starting_with;
using testing::plain_matrix;
using testing::run_command;
using testing::run_rankme;
using testing::RunResult;
using testing::TemporaryDirectory;

// Two 40 x 6 matrices and three 1-D arrays (skipped in a scan) in one file.
struct MessageFiles {
  TemporaryDirectory directory{"rankme-cli-messages-"};
  std::string file = directory.file("run.h5");
  MessageFiles() {
    testing::write_matrix(file, "/run1/embeddings", plain_matrix(40, 6, 1), 40, 6, float32);
    testing::write_matrix(file, "/run2/embeddings", plain_matrix(40, 6, 2), 40, 6, float32);
    for (const char* labels : {"/run1/labels", "/run2/labels", "/ids"}) {
      testing::write_array(file, labels, std::vector<double>(40, 1.0), {40}, float32);
    }
  }
};

const MessageFiles& files() {
  static const MessageFiles fixture;
  return fixture;
}

// The one "PROGRAM: usage error" line of a usage error; a test failure unless exit code 2, nothing on stdout.
std::string usage_error(const RunResult& result, const std::string& program = "rankme") {
  EXPECT_EQ(result.exit_code, 2) << result;
  EXPECT_EQ(result.out, "") << result;
  const std::vector<std::string> lines = lines_starting_with(result.err, program + ": usage error");
  EXPECT_EQ(lines.size(), 1u) << result;
  return lines.empty() ? "" : lines[0];
}

TEST(Messages, HelpIsGroupedAndPointsToTheDocs) {
  const RunResult help = run_rankme(1, {"--help"});
  ASSERT_EQ(help.exit_code, 0) << help;
  // The sections in order, and an option of each under it.
  const std::vector<std::pair<std::string, std::vector<std::string>>> sections = {
      {"Inputs:", {"--list", "--rows", "--sample", "--seed", "--pool", "--concat", "--concat-by"}},
      {"Output:", {"--format", "--output", "--spectrum", "--timings", "--progress", "--quiet", "--verbose"}},
      {"Numerics:",
       {"--method", "--precision", "--tolerance", "--solver", "--center", "--eps", "--metrics", "--alpha-range",
        "--rank-rtol", "--lidar", "--groups", "--lidar-delta"}},
      {"Sweeps:", {"--best-per", "--resume", "--shard", "--group-size"}},
      {"Performance:", {"--threads", "--block-rows", "--max-memory"}},
  };
  std::size_t previous = 0;
  for (std::size_t s = 0; s < sections.size(); ++s) {
    const std::size_t at = help.out.find("\n" + sections[s].first + "\n");
    ASSERT_NE(at, std::string::npos) << sections[s].first << help;
    EXPECT_GT(at, previous) << sections[s].first << " in order";
    previous = at;
    const std::size_t end = s + 1 < sections.size() ? help.out.find("\n" + sections[s + 1].first + "\n") : help.out.size();
    const std::string section = help.out.substr(at, end - at);
    for (const std::string& option : sections[s].second) {
      EXPECT_TRUE(contains(section, "\n  " + option + " ")) << option << " under " << sections[s].first << "\n" << section;
    }
  }
  for (const char* words : {"docs/cli.md", "man rankme", "DIRECTORY", "PATTERN", "HDF5", ".npy", ".npz", "safetensors",
                            "torch"}) {
    EXPECT_TRUE(contains(help.out, words)) << words << help;
  }
  for (const std::string& line : lines_of(help.out)) EXPECT_LE(line.size(), 100u) << line;
}

TEST(Messages, AMisspeltOptionGetsTheNearestValidOne) {
  const std::string file = files().file;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--out", "--output"}, {"--samples", "--sample"}, {"--centre", "--center"}, {"--metric", "--metrics"},
      {"--thread", "--threads"}};
  for (const auto& [wrong, right] : cases) {
    const std::string line = usage_error(run_rankme(1, {wrong, "x", file}));
    EXPECT_TRUE(contains(line, "unknown option " + wrong + " (did you mean " + right)) << line;
  }
  // Nothing near: no suggestion. At 3 ranks: one message.
  const std::string bogus = usage_error(run_rankme(3, {"--bogus", file}));
  EXPECT_TRUE(contains(bogus, "unknown option --bogus")) << bogus;
  EXPECT_FALSE(contains(bogus, "did you mean")) << bogus;
  // The companion tools say the same.
  const std::string merge = usage_error(run_command({RANKME_MERGE, "--out", "x.csv", file}, 60), "rankme-merge");
  EXPECT_TRUE(contains(merge, "did you mean --output?")) << merge;
  const std::string agree =
      usage_error(run_command({RANKME_AGREE, "--fromat", "csv", file, file}, 60), "rankme-agree");
  EXPECT_TRUE(contains(agree, "did you mean --format?")) << agree;
}

TEST(Messages, RangesAreStatedInWords) {
  const std::string file = files().file;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--sample", "0"}, "--sample: must be a whole number >= 1, got '0'"},
      {{"--rows", "-5"}, "--rows: must be a whole number >= 1, got '-5'"},
      {{"--rows", "99999999999999999999999"}, "--rows: must be a whole number >= 1 and at most 18446744073709551615"},
      {{"--sample", "10", "--seed", "x"}, "--seed: must be a whole number >= 0, got 'x'"},
      {{"--block-rows", "0"}, "--block-rows: must be a whole number >= 1"},
      {{"--threads", "0"}, "--threads: must be a whole number >= 1"},
      {{"--threads", "3000000000"}, "--threads: must be a whole number >= 1 and at most 2147483647"},
      {{"--group-size", "0"}, "--group-size: must be a whole number >= 1"},
      {{"--eps", "-1"}, "--eps: must be a finite number >= 0, got '-1'"},
      {{"--eps", "nan"}, "--eps: must be a finite number >= 0, got 'nan'"},
      {{"--tolerance", "2"}, "--tolerance: must be a number from 1e-15 to 1, got '2'"},
      {{"--rank-rtol", "inf"}, "--rank-rtol: must be a finite number >= 0, got 'inf'"},
      {{"--lidar", "--lidar-delta", "-0.5"}, "--lidar-delta: must be a finite number >= 0, got '-0.5'"},
  };
  for (const auto& [options, expected] : cases) {
    std::vector<std::string> args = options;
    args.push_back(file);
    const std::string line = usage_error(run_rankme(1, args));
    EXPECT_TRUE(contains(line, expected)) << line;
    EXPECT_LT(line.size(), 160u) << "no 309-digit bound: " << line;
  }
}

TEST(Messages, AMissingDatasetListsTheNearestNamesInItsFile) {
  for (const int ranks : {1, 3}) {
    const RunResult result = run_rankme(ranks, {"--quiet", files().file + ":/run1/embedding"});
    SCOPED_TRACE(result.command);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << result;
    EXPECT_TRUE(contains(errors[0], "no such dataset (the nearest of its 5 datasets: '/run1/embeddings', "))
        << errors[0];
  }
}

TEST(Messages, AnHdf5LockFailureSaysAnotherProcessWritesTheFile) {
  TemporaryDirectory directory("rankme-cli-lock-");
  const std::string file = directory.file("writing.h5");
  // h5py holds the file open for writing (HDF5 locks it) until its stdin closes or 60 s pass.
  const std::string writer =
      "import sys, time, h5py, numpy\n"
      "f = h5py.File(sys.argv[1], 'w')\n"
      "f['x'] = numpy.arange(60.0).reshape(20, 3) ** 1.5\n"
      "f.flush()\n"
      "print('ready', flush=True)\n"
      "time.sleep(60)\n";
  testing::ChildProcess child({"/usr/bin/python3", "-c", writer, file});
  for (int i = 0; i < 600 && !contains(child.stdout_so_far(), "ready"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(contains(child.stdout_so_far(), "ready")) << "the writer did not start";
  for (const int ranks : {1, 2}) {
    const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", file});
    SCOPED_TRACE(result.command);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << result;
    EXPECT_TRUE(contains(errors[0], "is open for writing in another process")) << errors[0];
    EXPECT_TRUE(contains(errors[0], "Wait for the writer to finish")) << errors[0];
    EXPECT_TRUE(contains(errors[0], "HDF5_USE_FILE_LOCKING=FALSE")) << errors[0];
  }
  // The advice works: without locking, the flushed data read (the launched ranks inherit the variable).
  ::setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1);
  const RunResult unlocked = run_rankme(1, {"--quiet", "--format", "jsonl", file + ":/x"});
  ::unsetenv("HDF5_USE_FILE_LOCKING");
  EXPECT_EQ(unlocked.exit_code, 0) << unlocked;
  EXPECT_TRUE(contains(unlocked.out, "\"status\":\"ok\"")) << unlocked;
}

TEST(Messages, NoBlankLinesOnStderr) {
  for (const std::string& progress : {"none", "lines", "bar"}) {
    // An error, a warning (--sample larger than the datasets) and notes: every kind of message.
    const RunResult result =
        run_rankme(2, {"--progress", progress, "--sample", "100", files().file, files().file + ":/nope"});
    SCOPED_TRACE(result.command);
    EXPECT_EQ(result.exit_code, 1) << result;
    // rankme's own words: mpiexec's banner about the exit code 1 that follows them has blank lines of its own.
    const std::string err = result.err.substr(0, result.err.find("\n-----"));
    ASSERT_FALSE(err.empty()) << result;
    EXPECT_NE(err.front(), '\n') << result;
    EXPECT_FALSE(contains(err, "\n\n")) << result;
    EXPECT_EQ(lines_starting_with(err, "rankme: error:").size(), 1u) << result;
    EXPECT_EQ(lines_starting_with(err, "rankme: warning:").size(), 1u) << result;
  }
}

TEST(Messages, SkippedDatasetsAreOneLinePerFileAndVerboseListsThem) {
  const RunResult quiet = run_rankme(2, {"--quiet", "--format", "jsonl", files().file});
  EXPECT_EQ(quiet.exit_code, 0) << quiet;
  const std::vector<std::string> notes = lines_starting_with(quiet.err, "rankme: note:");
  ASSERT_EQ(notes.size(), 1u) << quiet;
  EXPECT_TRUE(contains(notes[0], "3 datasets skipped, e.g. '/ids'") && contains(notes[0], "--verbose lists them"))
      << notes[0];

  const RunResult verbose = run_rankme(2, {"--quiet", "--verbose", "--format", "jsonl", files().file});
  EXPECT_EQ(verbose.exit_code, 0) << verbose;
  EXPECT_EQ(lines_starting_with(verbose.err, "rankme: note: skipped dataset").size(), 3u) << verbose;
}

TEST(Messages, TheTableShowsRowsUsedAndTheMetricsAskedFor) {
  const std::string file = files().file + ":/run*/embeddings";
  const RunResult plain = run_rankme(1, {"--quiet", file});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  const std::string plain_header = lines_of(plain.out).at(0);
  EXPECT_FALSE(contains(plain_header, "rows_used")) << "every row scored whole" << plain_header;
  EXPECT_FALSE(contains(plain_header, "stable_rank")) << "no --metrics: the narrow table" << plain_header;

  const RunResult sampled = run_rankme(2, {"--quiet", "--sample", "30", "--metrics", "stable_rank,alpha_req", file});
  ASSERT_EQ(sampled.exit_code, 0) << sampled;
  const std::vector<std::string> lines = lines_of(sampled.out);
  ASSERT_EQ(lines.size(), 3u) << sampled;
  EXPECT_TRUE(contains(lines[0], "rows  rows_used  cols")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "rankme  stable_rank  alpha_req  seconds")) << lines[0];
  EXPECT_TRUE(contains(lines[1], "  40         30     6  ")) << lines[1];
  EXPECT_EQ(lines_starting_with(sampled.err, "rankme: warning").size(), 0u) << "30 < 40: a real sample" << sampled;

  // --metrics all, asked for: every metric's column.
  const RunResult all = run_rankme(1, {"--quiet", "--metrics", "all", file});
  ASSERT_EQ(all.exit_code, 0) << all;
  for (const char* name : {"effective_rank", "condition_number", "top_eigenvalue_share"}) {
    EXPECT_TRUE(contains(lines_of(all.out).at(0), name)) << name << all;
  }
}

TEST(Messages, AnOversizedSampleWarnsOncePerRun) {
  const RunResult result = run_rankme(3, {"--quiet", "--format", "jsonl", "--sample", "40", files().file});
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<std::string> warnings = lines_starting_with(result.err, "rankme: warning:");
  ASSERT_EQ(warnings.size(), 1u) << result;
  EXPECT_TRUE(contains(warnings[0], "--sample 40 is not fewer than the rows of 2 datasets")) << warnings[0];
  EXPECT_TRUE(contains(warnings[0], "scored on all their rows")) << warnings[0];
  for (const auto& row : testing::parse_jsonl(result)) EXPECT_EQ(row.at("rows_used"), 40) << row;
}

TEST(Messages, CsvHasRowsUsedPrecisionAndMethod) {
  const RunResult result =
      run_rankme(1, {"--quiet", "--format", "csv", "--sample", "25", "--method", "tsqr", files().file + ":/run1/embeddings"});
  ASSERT_EQ(result.exit_code, 0) << result;
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 2u) << result;
  const std::vector<std::string> header = testing::csv_fields(lines[0]), row = testing::csv_fields(lines[1]);
  ASSERT_EQ(header.size(), row.size());
  auto cell = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return row[i];
    }
    ADD_FAILURE() << "no column " << name << " in " << lines[0];
    return std::string();
  };
  EXPECT_EQ(cell("rows"), "40");
  EXPECT_EQ(cell("rows_used"), "25");
  EXPECT_EQ(cell("method"), "tsqr");
  EXPECT_EQ(cell("precision"), "double");
}

}  // namespace
}  // namespace rankme
