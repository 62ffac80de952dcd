// Results that survive anything, end to end: rankme is launched through mpiexec (support/child_process),
// killed with SIGKILL (mpiexec and every rank) at known points of the sweep, and resumed with --resume
// until it completes; the results file must then hold every dataset exactly once with the value of an
// uninterrupted run. Also: a torn last line, a rewritten input file, an unwritable --output, CSV results
// files, and rankme-merge on job-array shards.
//
// The kills land where they are aimed, not where a timer happens to fall: the killed runs are
// rankme-with-faults (the same program with a fault hook, src/tools/rankme_with_faults.cpp) with rank 0
// paused just before it appends a chosen dataset's result, and the kill comes once it is paused there.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rankme/app/report.hpp"
#include "rankme/sweep/results_file.hpp"
#include "support/child_process.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::TemporaryDirectory;

constexpr double run_timeout_seconds = 120;
constexpr int ranks = 2;

// ------------------------------------------------------------------------------------------------
// Launching (tests/support/child_process.hpp, shared with the other end-to-end tests) and killing

using testing::ChildProcess;
using testing::RunResult;
using testing::read_whole_file;
using testing::contains;
using testing::expect_no_crash;
using testing::has_ended;
using testing::JsonlFile;
using testing::kill_process_tree;
using testing::parse_jsonl_file;
using testing::ScopedEnvironment;

std::string read_text(const std::string& path) { return read_whole_file(path); }

// --precision double: a resumed sweep scores datasets in other rank groupings than the reference run, and
// only the double route agrees across groupings to the 1e-10 these tests compare at (float32 block
// products round with the block split; --precision auto is tested in test_precision_modes).
std::vector<std::string> rankme_command(const std::vector<std::string>& args) {
  std::vector<std::string> with_precision = {"--precision", "double"};
  with_precision.insert(with_precision.end(), args.begin(), args.end());
  return testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, with_precision);
}

RunResult run_rankme(const std::vector<std::string>& args) {
  RunResult result = testing::run_command(rankme_command(args), run_timeout_seconds);
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

RunResult run_merge(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RANKME_MERGE};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult result = testing::run_command(argv, run_timeout_seconds);
  if (result.hung) ADD_FAILURE() << "hung" << result;
  return result;
}

// ------------------------------------------------------------------------------------------------
// The sweep

// Matrices whose columns decay at different rates, so that every dataset has its own RankMe.
void write_sweep_file(const std::string& file, int first_run, int runs, std::uint64_t rows, std::uint64_t cols,
                      std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  for (int run = first_run; run < first_run + runs; ++run) {
    std::vector<double> values(rows * cols);
    const double decay = 0.02 + 0.01 * run;
    for (std::uint64_t row = 0; row < rows; ++row) {
      for (std::uint64_t col = 0; col < cols; ++col) {
        values[row * cols + col] = normal(generator) * std::exp(-decay * static_cast<double>(col));
      }
    }
    testing::write_matrix(file, "/run" + std::to_string(run) + "/embeddings", values, rows, cols,
                          {testing::StoredType::Kind::floating, 4});
  }
}

struct Sweep {
  std::vector<std::string> files;
  std::size_t datasets = 0;
  // In the order rankme hands them out: all the same size, so file by file and by name within a file.
  std::vector<std::string> dataset_paths;
};

// `files` files of `per_file` datasets each.
Sweep write_sweep(const TemporaryDirectory& directory, const std::string& prefix, int files, int per_file,
                  std::uint64_t rows = 6000, std::uint64_t cols = 64, std::uint64_t seed = 1) {
  Sweep sweep;
  for (int f = 0; f < files; ++f) {
    const std::string file = directory.file(prefix + std::to_string(f) + ".h5");
    write_sweep_file(file, f * per_file, per_file, rows, cols, seed + static_cast<std::uint64_t>(f));
    sweep.files.push_back(file);
    for (int run = f * per_file; run < (f + 1) * per_file; ++run) {
      sweep.dataset_paths.push_back("/run" + std::to_string(run) + "/embeddings");
    }
  }
  sweep.datasets = static_cast<std::size_t>(files * per_file);
  return sweep;
}

// ------------------------------------------------------------------------------------------------
// Reading a results file independently of rankme's reader

using DatasetKey = std::pair<std::string, std::string>;  // file, dataset

std::map<DatasetKey, std::vector<json>> rows_by_dataset(const std::vector<json>& rows) {
  std::map<DatasetKey, std::vector<json>> by_dataset;
  for (const json& row : rows) by_dataset[{row.value("file", ""), row.value("dataset", "")}].push_back(row);
  return by_dataset;
}

// The RankMe of every dataset of an uninterrupted run.
std::map<DatasetKey, double> reference_scores(const Sweep& sweep, const TemporaryDirectory& directory,
                                              const std::string& name) {
  const std::string path = directory.file(name + ".jsonl");
  std::vector<std::string> args = sweep.files;
  args.insert(args.end(), {"--output", path, "--format", "jsonl"});
  const RunResult result = run_rankme(args);
  EXPECT_EQ(result.exit_code, 0) << result;
  std::map<DatasetKey, double> scores;
  for (const json& row : parse_jsonl_file(path).rows) {
    if (row.value("status", "") == "ok") scores[{row["file"], row["dataset"]}] = row["rankme"].get<double>();
  }
  EXPECT_EQ(scores.size(), sweep.datasets) << "reference run" << result;
  return scores;
}

double relative_difference(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// Every reference dataset exactly once, ok, with the reference value; nothing else.
void expect_each_dataset_once(const std::vector<json>& rows, const std::map<DatasetKey, double>& reference) {
  const auto by_dataset = rows_by_dataset(rows);
  EXPECT_EQ(by_dataset.size(), reference.size());
  for (const auto& [key, expected] : reference) {
    SCOPED_TRACE(key.first + ":" + key.second);
    const auto found = by_dataset.find(key);
    ASSERT_NE(found, by_dataset.end()) << "missing";
    ASSERT_EQ(found->second.size(), 1u) << "appears " << found->second.size() << " times";
    const json& row = found->second.front();
    ASSERT_EQ(row.value("status", ""), "ok") << row.dump();
    EXPECT_LE(relative_difference(row["rankme"].get<double>(), expected), 1e-10) << row.dump();
  }
}

std::size_t complete_lines_in(const std::string& path) {
  const std::string text = read_text(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The dataset paths of the results file's complete JSON lines (none when there is no file yet).
std::multiset<std::string> datasets_in(const std::string& path) {
  std::multiset<std::string> found;
  for (const json& row : parse_jsonl_file(path).rows) found.insert(row.value("dataset", ""));
  return found;
}

// rankme-with-faults like rankme_command, with rank 0 paused just before it appends the result of
// `dataset`: `ready` appears once it is paused there (and it waits until the file is removed or it is
// killed). The environment is read at the fork, so it is set only for the launch.
std::unique_ptr<ChildProcess> launch_paused_before_writing(const std::vector<std::string>& args,
                                                           const std::string& dataset, const std::string& ready) {
  ScopedEnvironment environment;
  environment.set("RANKME_FAULT", "stage=write,kind=stall,rank=0,dataset=" + dataset + ",ready=" + ready);
  std::vector<std::string> argv = rankme_command(args);
  std::replace(argv.begin(), argv.end(), std::string(RANKME_BINARY), std::string(RANKME_WITH_FAULTS));
  return std::make_unique<ChildProcess>(argv);
}

// ------------------------------------------------------------------------------------------------

TEST(KillAndResume, EveryDatasetExactlyOnceWithTheUninterruptedValue) {
  TemporaryDirectory directory("rankme-resume-kill-");
  const Sweep sweep = write_sweep(directory, "sweep", 3, 10, 6000, 192);
  const std::map<DatasetKey, double> reference = reference_scores(sweep, directory, "reference");

  const std::string output = directory.file("results.jsonl");
  std::vector<std::string> args = sweep.files;
  args.insert(args.end(), {"--output", output, "--resume", "--format", "jsonl"});

  // Each run is killed while rank 0 waits to append the result of the dataset at position `aim` among
  // those still missing, in handout order. The first kill aims at the first of them (at most one other
  // group's result can be in by then); the others a third of the way in, and at least at the third: with
  // every group holding at most one dataset, the results of all but one of the datasets handed out before
  // it are in the file by then, so each of those kills lands between two results.
  int kills = 0, mid_sweep_kills = 0;
  std::string history;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::multiset<std::string> before = datasets_in(output);
    std::vector<std::string> missing;
    for (const std::string& path : sweep.dataset_paths) {
      if (before.count(path) == 0) missing.push_back(path);
    }
    if (missing.size() < 4) break;
    const std::size_t aim = attempt == 0 ? 0 : std::max<std::size_t>(2, missing.size() / 3);
    const std::string target = missing[aim];
    SCOPED_TRACE("attempt " + std::to_string(attempt) + ": killed before writing " + target);
    const std::string ready = directory.file("paused-" + std::to_string(attempt));
    const std::unique_ptr<ChildProcess> launch = launch_paused_before_writing(args, target, ready);
    ASSERT_TRUE(testing::wait_for_file(ready, *launch, run_timeout_seconds))
        << "rank 0 never reached the write of " << target << launch->wait(run_timeout_seconds);
    kill_process_tree(launch->pid());
    launch->wait(run_timeout_seconds);
    ++kills;

    // What the kill left: complete results only (nothing was being written), none of them twice, the
    // earlier ones kept, and not the one rank 0 was about to write.
    const testing::JsonlFile left = parse_jsonl_file(output);
    EXPECT_TRUE(left.ends_with_newline && left.invalid.empty()) << "nothing was being written at the kill";
    const std::multiset<std::string> after = datasets_in(output);
    for (const std::string& path : after) EXPECT_EQ(after.count(path), 1u) << path;
    for (const std::string& path : before) EXPECT_EQ(after.count(path), 1u) << "lost " << path;
    EXPECT_EQ(after.count(target), 0u);
    EXPECT_LT(after.size(), sweep.datasets);
    if (aim >= 2) {
      EXPECT_GT(after.size(), before.size()) << "no result came before the kill";
    }
    if (after.size() > before.size() && after.size() < sweep.datasets) ++mid_sweep_kills;
    history += "\n  attempt " + std::to_string(attempt) + ": killed before writing " + target + ", lines " +
               std::to_string(before.size()) + " -> " + std::to_string(after.size());
  }
  SCOPED_TRACE(history);
  std::cout << "[ kills    ]" << history << std::endl;
  EXPECT_GE(kills, 3) << "too few runs were killed to test anything";
  EXPECT_GE(mid_sweep_kills, 1) << "no kill landed between two results";

  // The resumed run scores exactly the datasets still missing, each once.
  const std::multiset<std::string> done_before_final = datasets_in(output);
  const RunResult final_run = run_rankme(args);
  EXPECT_EQ(final_run.exit_code, 0) << final_run;
  expect_no_crash(final_run);
  std::multiset<std::string> scored_by_final;
  for (const json& row : testing::parse_jsonl_text(final_run.out).rows) scored_by_final.insert(row.value("dataset", ""));
  std::multiset<std::string> expected_final;
  for (const std::string& path : sweep.dataset_paths) {
    if (done_before_final.count(path) == 0) expected_final.insert(path);
  }
  EXPECT_EQ(scored_by_final, expected_final) << final_run;

  const JsonlFile parsed = parse_jsonl_file(output);
  EXPECT_TRUE(parsed.ends_with_newline);
  EXPECT_LE(parsed.invalid.size(), static_cast<std::size_t>(kills)) << "at most one torn line per kill";
  expect_each_dataset_once(parsed.rows, reference);
  const ResultsFileContents contents = read_results_file(output);
  EXPECT_EQ(contents.results.size(), sweep.datasets);
  EXPECT_EQ(contents.skipped_lines, parsed.invalid.size());

  // Once complete, resuming scores nothing and leaves the file as it is.
  const std::string before = read_text(output);
  const RunResult again = run_rankme(args);
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(read_text(output), before);
}

TEST(KillAndResume, TornLastLineIsIgnoredAndTheNextResultStartsANewLine) {
  TemporaryDirectory directory("rankme-resume-torn-");
  const Sweep sweep = write_sweep(directory, "torn", 1, 4, 500, 16);
  const std::map<DatasetKey, double> reference = reference_scores(sweep, directory, "reference");
  const std::string output = directory.file("results.jsonl");
  std::vector<std::string> args = sweep.files;
  args.insert(args.end(), {"--output", output, "--resume"});
  ASSERT_EQ(run_rankme(args).exit_code, 0);

  // Take /run2's line out and leave half of it at the end, as a kill in the middle of write() would.
  std::vector<std::string> kept;
  std::string torn;
  std::istringstream lines(read_text(output));
  for (std::string line; std::getline(lines, line);) {
    if (contains(line, "\"/run2/embeddings\"")) {
      torn = line.substr(0, line.size() / 2);
    } else {
      kept.push_back(line);
    }
  }
  ASSERT_FALSE(torn.empty());
  {
    std::ofstream rewrite(output, std::ios::binary | std::ios::trunc);
    for (const std::string& line : kept) rewrite << line << '\n';
    rewrite << torn;
  }

  const RunResult resumed = run_rankme(args);
  EXPECT_EQ(resumed.exit_code, 0) << resumed;
  const std::string text = read_text(output);
  EXPECT_NE(text.find(torn + "\n{"), std::string::npos) << "the new line must not be glued to the torn one:\n" << text;
  const JsonlFile parsed = parse_jsonl_file(output);
  ASSERT_EQ(parsed.invalid.size(), 1u) << text;
  EXPECT_EQ(parsed.invalid[0], torn);
  expect_each_dataset_once(parsed.rows, reference);  // /run2 scored again, the others not
}

TEST(KillAndResume, RewrittenFileIsScoredAgain) {
  TemporaryDirectory directory("rankme-resume-rewrite-");
  const Sweep sweep = write_sweep(directory, "rewrite", 2, 3, 500, 16);
  const std::string output = directory.file("results.jsonl");
  std::vector<std::string> args = sweep.files;
  args.insert(args.end(), {"--output", output, "--resume"});
  ASSERT_EQ(run_rankme(args).exit_code, 0);

  // Same name, same shapes (so the same size), other values; the modification time moves on by 1 s
  // in case the file system's clock is coarse.
  const std::string rewritten = sweep.files[1];
  struct stat before {};
  ASSERT_EQ(::stat(rewritten.c_str(), &before), 0);
  std::filesystem::remove(rewritten);
  write_sweep_file(rewritten, 3, 3, 500, 16, 999);
  const timespec times[2] = {{before.st_mtim.tv_sec + 1, before.st_mtim.tv_nsec}, {before.st_mtim.tv_sec + 1, before.st_mtim.tv_nsec}};
  ASSERT_EQ(::utimensat(AT_FDCWD, rewritten.c_str(), times, 0), 0);
  const Sweep rewritten_only{{rewritten}, 3, {}};
  const std::map<DatasetKey, double> new_reference = reference_scores(rewritten_only, directory, "rewritten");

  const RunResult resumed = run_rankme(args);
  EXPECT_EQ(resumed.exit_code, 0) << resumed;
  const auto by_dataset = rows_by_dataset(parse_jsonl_file(output).rows);
  for (const auto& [key, rows] : by_dataset) {
    SCOPED_TRACE(key.first + ":" + key.second);
    if (key.first != rewritten) {
      EXPECT_EQ(rows.size(), 1u) << "an unchanged file is not scored again";
      continue;
    }
    ASSERT_EQ(rows.size(), 2u) << "the old and the new file each once";
    EXPECT_NE(rows[0]["file_mtime_ns"], rows[1]["file_mtime_ns"]);
    EXPECT_EQ(rows[1]["file_mtime_ns"].get<std::int64_t>(),
              static_cast<std::int64_t>(times[1].tv_sec) * 1000000000 + times[1].tv_nsec);
    ASSERT_TRUE(new_reference.count(key));
    EXPECT_LE(relative_difference(rows[1]["rankme"].get<double>(), new_reference.at(key)), 1e-10);
    EXPECT_GT(relative_difference(rows[0]["rankme"].get<double>(), new_reference.at(key)), 1e-6);
  }
  EXPECT_EQ(by_dataset.size(), 6u);
}

TEST(KillAndResume, CsvResultsFileGetsOneHeaderAndEachDatasetOnce) {
  TemporaryDirectory directory("rankme-resume-csv-");
  const Sweep sweep = write_sweep(directory, "csv", 2, 3, 500, 16);
  const std::map<DatasetKey, double> reference = reference_scores(sweep, directory, "reference");
  const std::string output = directory.file("results.csv");
  EXPECT_EQ(run_rankme({sweep.files[0], "--output", output}).exit_code, 0);
  EXPECT_EQ(run_rankme({sweep.files[0], sweep.files[1], "--output", output, "--resume"}).exit_code, 0);
  const std::string text = read_text(output);
  EXPECT_EQ(text.rfind(csv_header(CsvColumns::with_file_identity) + "\n", 0), 0u) << text;
  EXPECT_EQ(complete_lines_in(output), 1 + sweep.datasets) << text;
  const ResultsFileContents contents = read_results_file(output);
  EXPECT_EQ(contents.skipped_lines, 0u) << contents.first_problem;
  std::vector<json> rows;
  for (const DatasetResult& result : contents.results) rows.push_back(json::parse(to_json_line(result)));
  expect_each_dataset_once(rows, reference);
}

// ------------------------------------------------------------------------------------------------
// Unusable --output

// As in test_results_file.cpp: a 0555 directory, or sysfs for root (whom permission bits do not stop).
std::optional<std::string> unwritable_directory(const TemporaryDirectory& scratch) {
  const std::string read_only = scratch.file("read-only");
  std::filesystem::create_directory(read_only);
  ::chmod(read_only.c_str(), 0555);
  for (const std::string& candidate : {read_only, std::string("/sys"), std::string("/proc")}) {
    const std::string probe = candidate + "/rankme-probe-" + std::to_string(::getpid());
    const int descriptor = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (descriptor < 0) return candidate;
    ::close(descriptor);
    ::unlink(probe.c_str());
  }
  return std::nullopt;
}

TEST(UnusableOutput, ReadOnlyDirectoryIsOneClearErrorAndExitOne) {
  TemporaryDirectory directory("rankme-resume-readonly-");
  const Sweep sweep = write_sweep(directory, "ro", 1, 2, 100, 8);
  const std::optional<std::string> read_only = unwritable_directory(directory);
  if (!read_only) GTEST_SKIP() << "no directory here refuses new files";
  const std::string output = *read_only + "/results.jsonl";
  for (const bool resume : {false, true}) {
    SCOPED_TRACE(resume ? "with --resume" : "without --resume");
    std::vector<std::string> args = {sweep.files[0], "--output", output};
    if (resume) args.push_back("--resume");
    const RunResult result = run_rankme(args);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash(result);
    EXPECT_TRUE(contains(result.err, "rankme: error: ") && contains(result.err, output)) << result;
    EXPECT_TRUE(contains(result.err, "Permission denied") || contains(result.err, "Read-only file system")) << result;
  }
}

TEST(UnusableOutput, OtherExtensionsAreAUsageErrorNamingTheOnesThatWork) {
  TemporaryDirectory directory("rankme-resume-extension-");
  const Sweep sweep = write_sweep(directory, "ext", 1, 1, 100, 8);
  const RunResult result = run_rankme({sweep.files[0], "--output", directory.file("results.txt")});
  EXPECT_EQ(result.exit_code, 2) << result;
  EXPECT_TRUE(contains(result.err, ".jsonl") && contains(result.err, ".csv")) << result;
  EXPECT_FALSE(std::filesystem::exists(directory.file("results.txt")));
}

// ------------------------------------------------------------------------------------------------
// rankme-merge

DatasetResult merge_result(const std::string& dataset, std::optional<double> rankme, ResultStatus status) {
  DatasetResult result;
  result.file = "sweep.h5";
  result.dataset = dataset;
  result.rows = 100;
  result.cols = 8;
  result.dtype = "float32";
  result.rankme = rankme;
  result.status = status;
  if (status == ResultStatus::error) result.error = "incomplete: 1 of 2 chunks";
  result.file_size = 4096;
  result.file_mtime_ns = 1700000000000000000;
  return result;
}

TEST(Merge, ShardsWithTornLinesAndRetriedErrorsMergeIntoALeaderboard) {
  TemporaryDirectory directory("rankme-merge-");
  const std::string shard0 = directory.file("shard0.jsonl"), shard1 = directory.file("shard1.csv");
  {
    ResultsFile file = ResultsFile::open_for_append(shard0);
    file.append(merge_result("/a", 12.5, ResultStatus::ok));
    file.append(merge_result("/b", std::nullopt, ResultStatus::error));
    file.append(merge_result("/c", std::nullopt, ResultStatus::nonfinite));
  }
  {
    ResultsFile file = ResultsFile::open_for_append(shard1);
    file.append(merge_result("/d", 3.25, ResultStatus::ok));
    file.append(merge_result("/b", 40.0, ResultStatus::ok));  // the retry that succeeded
  }
  std::ofstream(shard1, std::ios::app) << "\"sweep.h5\",/e,100,8,float32,1";  // torn by a kill

  const std::string merged = directory.file("merged.jsonl");
  const RunResult result = run_merge({"--output", merged, "--format", "table", shard0, shard1});
  EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_TRUE(contains(result.err, "shard1.csv") && contains(result.err, "torn")) << result;
  std::vector<std::string> lines;
  std::istringstream out(result.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << result;
  EXPECT_TRUE(contains(lines[1], "/b ") && contains(lines[1], "40.000000") && contains(lines[1], "<- best")) << result;
  EXPECT_TRUE(contains(lines[2], "/a ")) << result;
  EXPECT_TRUE(contains(lines[3], "/d ")) << result;
  EXPECT_TRUE(contains(lines[4], "/c ") && contains(lines[4], "nonfinite")) << result;

  const ResultsFileContents contents = read_results_file(merged);
  EXPECT_EQ(contents.results.size(), 4u);
  EXPECT_EQ(contents.skipped_lines, 0u);

  // An error that no shard retried successfully: exit 1, and the merged file says so.
  const std::string shard2 = directory.file("shard2.jsonl");
  ResultsFile::open_for_append(shard2).append(merge_result("/f", std::nullopt, ResultStatus::error));
  const RunResult failing = run_merge({"--format", "jsonl", shard0, shard1, shard2});
  EXPECT_EQ(failing.exit_code, 1) << failing;
  EXPECT_EQ(std::count(failing.out.begin(), failing.out.end(), '\n'), 5) << failing;
  EXPECT_TRUE(contains(failing.err, "error")) << failing;
}

TEST(Merge, UsageErrorsExitTwo) {
  EXPECT_EQ(run_merge({}).exit_code, 2);
  const RunResult bad_output = run_merge({"--output", "merged.txt", "shard.jsonl"});
  EXPECT_EQ(bad_output.exit_code, 2) << bad_output;
  EXPECT_TRUE(contains(bad_output.err, ".jsonl") && contains(bad_output.err, ".csv")) << bad_output;
  EXPECT_EQ(run_merge({"--format", "xml", "shard.jsonl"}).exit_code, 2);
}

TEST(Merge, AMissingShardIsAnErrorAndNothingIsWritten) {
  TemporaryDirectory directory("rankme-merge-missing-");
  const std::string shard0 = directory.file("shard0.jsonl"), merged = directory.file("merged.jsonl");
  ResultsFile::open_for_append(shard0).append(merge_result("/a", 12.5, ResultStatus::ok));
  const RunResult result = run_merge({"--output", merged, shard0, directory.file("shard1.jsonl")});
  EXPECT_EQ(result.exit_code, 1) << result;
  EXPECT_TRUE(contains(result.err, "shard1.jsonl")) << result;
  EXPECT_FALSE(std::filesystem::exists(merged));
}

TEST(Merge, JobArrayShardsMergeToTheUnshardedRun) {
  TemporaryDirectory directory("rankme-merge-shards-");
  const Sweep sweep = write_sweep(directory, "shards", 2, 4, 500, 16);
  const std::map<DatasetKey, double> reference = reference_scores(sweep, directory, "reference");
  std::vector<std::string> shards;
  for (int shard = 0; shard < 3; ++shard) {
    shards.push_back(directory.file("shard" + std::to_string(shard) + ".jsonl"));
    std::vector<std::string> args = sweep.files;
    args.insert(args.end(), {"--shard", std::to_string(shard) + "/3", "--output", shards.back()});
    const RunResult result = run_rankme(args);
    EXPECT_EQ(result.exit_code, 0) << result;
  }
  const std::string merged = directory.file("merged.csv");
  std::vector<std::string> args = {"--output", merged};
  args.insert(args.end(), shards.begin(), shards.end());
  const RunResult result = run_merge(args);
  EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_TRUE(result.out.empty()) << "only --output was asked for" << result;
  std::vector<json> rows;
  for (const DatasetResult& row : read_results_file(merged).results) rows.push_back(json::parse(to_json_line(row)));
  expect_each_dataset_once(rows, reference);
}

}  // namespace
}  // namespace rankme
