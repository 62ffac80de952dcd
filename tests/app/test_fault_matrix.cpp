// The fault matrix, end to end: rankme-with-faults (rankme itself with a fault hook, read from
// RANKME_FAULT: src/tools/rankme_with_faults.cpp) makes exactly one rank fail, die or pause at each stage,
// and each case checks that every rank ends with the same exit code and one message from rank 0, that no
// run hangs, and that --resume afterwards leaves every dataset exactly once in the results file. Also the
// output's failures (a full disk, a read-only directory, the results file deleted or truncated between and
// during runs) and an input changed while it is read.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rankme/sweep/results_file.hpp"
#include "support/child_process.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::contains;
using testing::expect_no_crash;
using testing::parse_jsonl_file;
using testing::read_whole_file;
using testing::RunResult;
using testing::ScopedEnvironment;
using testing::TemporaryDirectory;

constexpr double run_timeout_seconds = 90;
// A run that neither fails nor hangs ends in a few seconds; a hang is what the bounded wait catches.
constexpr double bounded_seconds = 60;
constexpr std::uint64_t block_rows = 200;  // several blocks per rank, so that faults land mid-dataset
const std::vector<std::string> datasets = {"/run0", "/run1", "/run2"};

// /proc/PID/comm holds the first 15 characters of the executable's name.
const std::string rank_process_name = std::filesystem::path(RANKME_WITH_FAULTS).filename().string().substr(0, 15);

// Three datasets whose columns decay at different rates (three different RankMe values).
std::string write_three_datasets(const TemporaryDirectory& directory, const std::string& name, std::uint64_t rows = 3000,
                                 std::uint64_t cols = 48, std::uint64_t seed = 5) {
  const std::string file = directory.file(name);
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  for (std::size_t d = 0; d < datasets.size(); ++d) {
    std::vector<double> values(rows * cols);
    for (std::uint64_t row = 0; row < rows; ++row) {
      for (std::uint64_t col = 0; col < cols; ++col) {
        values[row * cols + col] = normal(generator) * std::exp(-(0.03 + 0.04 * static_cast<double>(d)) * static_cast<double>(col));
      }
    }
    testing::write_matrix(file, datasets[d], values, rows, cols, {testing::StoredType::Kind::floating, 4});
  }
  return file;
}

struct FaultRun {
  RunResult result;
  std::vector<int> rank_exit_codes;  // from RANKME_FAULT_EXIT_FILE, -1 for a rank that wrote none
};

// --precision double: the values are compared across rank counts and runs at 1e-10.
std::vector<std::string> command(int ranks, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--precision", "double", "--block-rows", std::to_string(block_rows)};
  all.insert(all.end(), args.begin(), args.end());
  return testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_WITH_FAULTS, all);
}

std::vector<int> read_exit_codes(const std::string& prefix, int ranks) {
  std::vector<int> codes;
  for (int rank = 0; rank < ranks; ++rank) {
    const std::string text = read_whole_file(prefix + "." + std::to_string(rank));
    codes.push_back(text.empty() ? -1 : std::atoi(text.c_str()));
  }
  return codes;
}

// Launches rankme-with-faults with `fault` (empty: none) and waits, at most run_timeout_seconds.
FaultRun run_with_fault(const TemporaryDirectory& directory, int ranks, const std::string& fault,
                        const std::vector<std::string>& args) {
  static int launches = 0;
  const std::string prefix = directory.file("exit-" + std::to_string(++launches));
  FaultRun run;
  {
    ScopedEnvironment environment;
    if (!fault.empty()) environment.set("RANKME_FAULT", fault);
    environment.set("RANKME_FAULT_EXIT_FILE", prefix);
    run.result = testing::run_command(command(ranks, args), run_timeout_seconds);
  }
  run.rank_exit_codes = read_exit_codes(prefix, ranks);
  EXPECT_FALSE(run.result.hung) << "hung" << run.result;
  return run;
}

// The lines of stderr that contain `part`.
std::vector<std::string> lines_containing(const std::string& text, const std::string& part) {
  std::vector<std::string> found;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    if (contains(line, part)) found.push_back(line);
    begin = end + 1;
  }
  return found;
}

// The results in JSONL text (stdout or a results file) by dataset; a line that starts as JSON but does not
// parse is a failure.
std::map<std::string, json> rows_by_dataset(const std::string& jsonl_text) {
  const testing::JsonlFile parsed = testing::parse_jsonl_text(jsonl_text);
  for (const std::string& line : parsed.invalid) {
    if (line[0] == '{') ADD_FAILURE() << "not a JSON line: " << line;
  }
  std::map<std::string, json> rows;
  for (const json& row : parsed.rows) rows[row.value("dataset", "")] = row;
  return rows;
}

// The RankMe of each dataset of `file` in an undisturbed run.
std::map<std::string, double> reference_scores(const TemporaryDirectory& directory, const std::string& file) {
  const FaultRun run = run_with_fault(directory, 2, "", {file, "--format", "jsonl"});
  EXPECT_EQ(run.result.exit_code, 0) << run.result;
  std::map<std::string, double> scores;
  for (const auto& [dataset, row] : rows_by_dataset(run.result.out)) {
    if (row.value("status", "") == "ok") scores[dataset] = row["rankme"].get<double>();
  }
  EXPECT_EQ(scores.size(), datasets.size()) << run.result;
  return scores;
}

// Every dataset of `reference` exactly once among the valid lines of `results`, ok, with its value.
void expect_each_dataset_once(const std::string& results, const std::map<std::string, double>& reference) {
  const testing::JsonlFile parsed = parse_jsonl_file(results);
  std::map<std::string, std::vector<json>> found;
  for (const json& row : parsed.rows) found[row.value("dataset", "")].push_back(row);
  EXPECT_EQ(found.size(), reference.size()) << read_whole_file(results);
  for (const auto& [dataset, expected] : reference) {
    SCOPED_TRACE(dataset);
    ASSERT_EQ(found[dataset].size(), 1u) << read_whole_file(results);
    const json& row = found[dataset].front();
    ASSERT_EQ(row.value("status", ""), "ok") << row.dump();
    EXPECT_NEAR(row["rankme"].get<double>(), expected, 1e-10 * expected) << row.dump();
  }
}

void expect_every_rank_exited_with(const FaultRun& run, int code) {
  for (std::size_t rank = 0; rank < run.rank_exit_codes.size(); ++rank) {
    EXPECT_EQ(run.rank_exit_codes[rank], code) << "rank " << rank << run.result;
  }
  EXPECT_EQ(run.result.exit_code, code) << run.result;
}

// Waits until `path` exists (a stalled rank's signal); false after bounded_seconds or when `child` ended.
bool wait_for_file(const std::string& path, const ChildProcess& child) {
  return testing::wait_for_file(path, child, bounded_seconds);
}

// ------------------------------------------------------------------------------------------------
// An error on exactly one rank at each stage

struct StageCase {
  std::string stage;
  std::vector<std::string> extra;  // e.g. the solver that the eigensolve stage runs in
};

TEST(StageErrors, OneRankFailingAtEachStageEndsEveryRankWithOneMessageAndTheOtherDatasetsScored) {
  TemporaryDirectory directory("rankme-faults-stage-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::vector<StageCase> cases = {{"open", {}},       {"read", {}},
                                        {"gram", {}},       {"reduce", {}},
                                        {"eigensolve", {}}, {"eigensolve", {"--solver", "scalapack"}},
                                        {"read", {"--method", "tsqr"}}, {"reduce", {"--method", "tsqr"}},
                                        {"eigensolve", {"--method", "tsqr"}}, {"gram", {"--center"}}};
  int faults = 0;
  for (const int ranks : {1, 3}) {
    for (const StageCase& stage : cases) {
      for (int rank = 0; rank < ranks; ++rank) {
        SCOPED_TRACE(std::to_string(ranks) + " ranks, stage " + stage.stage + " on rank " + std::to_string(rank) +
                     (stage.extra.empty() ? "" : " " + stage.extra.back()));
        std::vector<std::string> args = {file, "--format", "jsonl", "--group-size", std::to_string(ranks)};
        args.insert(args.end(), stage.extra.begin(), stage.extra.end());
        const FaultRun run = run_with_fault(
            directory, ranks, "stage=" + stage.stage + ",rank=" + std::to_string(rank) + ",dataset=/run1,block=1", args);
        ++faults;
        expect_every_rank_exited_with(run, 1);
        expect_no_crash(run.result);
        EXPECT_LT(run.result.seconds, bounded_seconds) << run.result;
        // One message, from rank 0 (the only rank that prints), naming the dataset and the failing rank.
        const std::vector<std::string> messages = lines_containing(run.result.err, "injected fault");
        ASSERT_EQ(messages.size(), 1u) << run.result;
        EXPECT_TRUE(contains(messages[0], "rankme: error: dataset '/run1'")) << messages[0];
        if (ranks > 1) {
          EXPECT_TRUE(contains(messages[0], "rank " + std::to_string(rank) + ": injected")) << messages[0];
        }
        const auto rows = rows_by_dataset(run.result.out);
        ASSERT_EQ(rows.size(), 3u) << run.result;
        EXPECT_EQ(rows.at("/run0").value("status", ""), "ok");
        EXPECT_EQ(rows.at("/run2").value("status", ""), "ok");
        EXPECT_EQ(rows.at("/run1").value("status", ""), "error");
        EXPECT_TRUE(rows.at("/run1")["rankme"].is_null());
        EXPECT_TRUE(contains(rows.at("/run1").value("error", ""), "injected fault at stage " + stage.stage));
      }
    }
  }
  std::cout << "[ faults   ] " << faults << " single-rank errors injected" << std::endl;
}

// Groups of one rank each score their own datasets: a rank that fails every dataset it is given costs
// only those; the others' results stand.
TEST(StageErrors, ARankFailingInItsOwnGroupLosesOnlyItsOwnDatasets) {
  TemporaryDirectory directory("rankme-faults-groups-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const FaultRun run = run_with_fault(directory, 3, "stage=read,rank=2", {file, "--format", "jsonl", "--group-size", "1"});
  expect_every_rank_exited_with(run, 1);
  expect_no_crash(run.result);
  const auto rows = rows_by_dataset(run.result.out);
  ASSERT_EQ(rows.size(), 3u) << run.result;
  int errors = 0;
  for (const auto& [dataset, row] : rows) {
    if (row.value("status", "") == "error") {
      ++errors;
      EXPECT_TRUE(contains(row.value("error", ""), "injected fault at stage read on rank 2")) << row.dump();
    } else {
      EXPECT_EQ(row.value("status", ""), "ok") << row.dump();
    }
  }
  EXPECT_GE(errors, 1) << "rank 2 scored nothing";
  EXPECT_LE(errors, 2) << "the other groups' datasets failed too";
  EXPECT_EQ(lines_containing(run.result.err, "injected fault").size(), static_cast<std::size_t>(errors)) << run.result;
}

TEST(StageErrors, AFailedWriteOfOneResultIsOneErrorAndResumeWritesWhatIsMissing) {
  TemporaryDirectory directory("rankme-faults-write-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::map<std::string, double> reference = reference_scores(directory, file);
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string results = directory.file("write-" + std::to_string(ranks) + ".jsonl");
    const std::vector<std::string> args = {file, "--format", "jsonl", "--output", results, "--resume"};
    // Only world rank 0 writes results: the write stage exists there alone.
    const FaultRun run = run_with_fault(directory, ranks, "stage=write,rank=0,dataset=/run1", args);
    expect_every_rank_exited_with(run, 1);
    expect_no_crash(run.result);
    const std::vector<std::string> messages = lines_containing(run.result.err, "rankme: error:");
    ASSERT_EQ(messages.size(), 1u) << run.result;
    EXPECT_TRUE(contains(messages[0], "injected fault at stage write")) << run.result;
    EXPECT_EQ(rows_by_dataset(run.result.out).size(), 3u) << "stdout carries every result" << run.result;
    const auto written = rows_by_dataset(read_whole_file(results));
    EXPECT_EQ(written.size(), 2u);
    EXPECT_EQ(written.count("/run1"), 0u);

    const FaultRun resumed = run_with_fault(directory, ranks, "", args);
    expect_every_rank_exited_with(resumed, 0);
    expect_each_dataset_once(results, reference);
  }
}

// ------------------------------------------------------------------------------------------------
// A rank killed in the middle of a dataset; SIGTERM to the whole job; then --resume

TEST(KilledRank, SigkillOfOneRankMidDatasetEndsTheJobAndResumeCompletesIt) {
  TemporaryDirectory directory("rankme-faults-kill-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::map<std::string, double> reference = reference_scores(directory, file);
  for (const int ranks : {1, 3}) {
    for (const int victim : ranks == 1 ? std::vector<int>{0} : std::vector<int>{ranks - 1, 0}) {
      SCOPED_TRACE(std::to_string(ranks) + " ranks, rank " + std::to_string(victim) + " killed");
      const std::string results = directory.file("kill-" + std::to_string(ranks) + "-" + std::to_string(victim) + ".jsonl");
      const std::vector<std::string> args = {file, "--output", results, "--resume", "--group-size", std::to_string(ranks)};
      const FaultRun killed =
          run_with_fault(directory, ranks, "stage=read,kind=kill,rank=" + std::to_string(victim) + ",dataset=/run1,block=2", args);
      EXPECT_LT(killed.result.seconds, bounded_seconds) << killed.result;
      EXPECT_NE(killed.result.exit_code, 0) << killed.result;
      const testing::JsonlFile before = parse_jsonl_file(results);
      EXPECT_TRUE(before.invalid.empty()) << read_whole_file(results);
      for (const json& row : before.rows) EXPECT_NE(row.value("dataset", ""), "/run1") << row.dump();

      const FaultRun resumed = run_with_fault(directory, ranks, "", args);
      expect_every_rank_exited_with(resumed, 0);
      expect_each_dataset_once(results, reference);
    }
  }
}

TEST(KilledRank, SigtermToTheWholeJobMidDatasetEndsItAndResumeCompletesIt) {
  TemporaryDirectory directory("rankme-faults-term-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::map<std::string, double> reference = reference_scores(directory, file);
  for (const int ranks : {1, 3}) {
    // As SLURM does at a time limit (SIGTERM to every task at once), or as a user does to mpiexec, which
    // then ends its ranks itself.
    for (const bool to_every_task : {true, false}) {
      SCOPED_TRACE(std::to_string(ranks) + " ranks, SIGTERM to " + (to_every_task ? "every task" : "mpiexec"));
      const std::string name = std::to_string(ranks) + (to_every_task ? "-tasks" : "-mpiexec");
      const std::string results = directory.file("term-" + name + ".jsonl");
      const std::string ready = directory.file("term-ready-" + name);
      const std::vector<std::string> args = {file, "--output", results, "--resume", "--group-size", std::to_string(ranks)};
      RunResult stopped;
      {
        ScopedEnvironment environment;
        environment.set("RANKME_FAULT", "stage=read,kind=stall,rank=0,dataset=/run1,block=1,ready=" + ready);
        ChildProcess job(command(ranks, args));
        ASSERT_TRUE(wait_for_file(ready, job)) << "rank 0 never reached /run1's second block";
        if (to_every_task) {
          EXPECT_EQ(job.signal_descendants_named(rank_process_name, SIGTERM), ranks);
        } else {
          ::kill(job.pid(), SIGTERM);
        }
        std::filesystem::remove(ready);
        stopped = job.wait(run_timeout_seconds);
      }
      EXPECT_FALSE(stopped.hung) << stopped;
      EXPECT_LT(stopped.seconds, bounded_seconds) << stopped;
      if (to_every_task) {
        EXPECT_EQ(stopped.exit_code, 4) << stopped;
        expect_no_crash(stopped);
        EXPECT_TRUE(contains(stopped.err, "run again with --resume")) << stopped;
      } else {
        EXPECT_NE(stopped.exit_code, 0) << stopped;
      }
      EXPECT_TRUE(parse_jsonl_file(results).invalid.empty());
      for (const json& row : parse_jsonl_file(results).rows) EXPECT_NE(row.value("dataset", ""), "/run1") << row.dump();

      const FaultRun resumed = run_with_fault(directory, ranks, "", args);
      expect_every_rank_exited_with(resumed, 0);
      expect_each_dataset_once(results, reference);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// The input changed under the job

enum class InputChange { truncate, replace, rewrite_in_place };

void change_input(const std::string& file, InputChange change, const TemporaryDirectory& directory) {
  switch (change) {
    case InputChange::truncate:
      ASSERT_EQ(::truncate(file.c_str(), static_cast<off_t>(std::filesystem::file_size(file) * 6 / 10)), 0);
      return;
    case InputChange::replace: {
      const std::string other = write_three_datasets(directory, "replacement.h5", 3000, 48, 99);
      std::filesystem::rename(other, file);
      return;
    }
    case InputChange::rewrite_in_place: {
      // The same bytes written back over the last ones: the content is even unchanged, but nothing can
      // tell a reader that, so the file counts as changed.
      const int descriptor = ::open(file.c_str(), O_RDWR);
      ASSERT_GE(descriptor, 0);
      const off_t size = static_cast<off_t>(std::filesystem::file_size(file));
      char bytes[8];
      ASSERT_EQ(::pread(descriptor, bytes, sizeof bytes, size - 8), 8);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a modification time of its own
      ASSERT_EQ(::pwrite(descriptor, bytes, sizeof bytes, size - 8), 8);
      ::close(descriptor);
      return;
    }
  }
}

TEST(InputChanged, AFileTruncatedReplacedOrRewrittenWhileItIsReadIsAnErrorNotAScore) {
  TemporaryDirectory directory("rankme-faults-input-");
  const std::map<std::string, const char*> words = {{"truncate", "truncated"}, {"replace", "replaced"}, {"rewrite", "modified"}};
  for (const int ranks : {1, 3}) {
    for (const auto& [name, change] : std::vector<std::pair<std::string, InputChange>>{
             {"truncate", InputChange::truncate}, {"replace", InputChange::replace}, {"rewrite", InputChange::rewrite_in_place}}) {
      SCOPED_TRACE(std::to_string(ranks) + " ranks, " + name);
      const std::string file = write_three_datasets(directory, name + std::to_string(ranks) + ".h5");
      const std::string ready = directory.file("ready-" + name + std::to_string(ranks));
      const std::string prefix = directory.file("exit-input-" + name + std::to_string(ranks));
      RunResult result;
      {
        ScopedEnvironment environment;
        environment.set("RANKME_FAULT", "stage=read,kind=stall,rank=0,dataset=/run1,block=1,ready=" + ready);
        environment.set("RANKME_FAULT_EXIT_FILE", prefix);
        ChildProcess job(command(ranks, {file, "--format", "jsonl", "--group-size", std::to_string(ranks)}));
        ASSERT_TRUE(wait_for_file(ready, job));
        change_input(file, change, directory);
        std::filesystem::remove(ready);
        result = job.wait(run_timeout_seconds);
      }
      EXPECT_FALSE(result.hung) << result;
      EXPECT_EQ(result.exit_code, 1) << result;
      for (const int code : read_exit_codes(prefix, ranks)) EXPECT_EQ(code, 1) << result;
      expect_no_crash(result);
      const auto rows = rows_by_dataset(result.out);
      ASSERT_EQ(rows.count("/run1"), 1u) << result;
      const json& changed = rows.at("/run1");
      EXPECT_EQ(changed.value("status", ""), "error") << changed.dump();
      EXPECT_TRUE(changed["rankme"].is_null()) << changed.dump();
      EXPECT_TRUE(contains(changed.value("error", ""), "changed while it was being read")) << changed.dump();
      EXPECT_TRUE(contains(changed.value("error", ""), words.at(name))) << changed.dump();
      EXPECT_EQ(rows.at("/run0").value("status", ""), "ok") << "read before the change";
    }
  }
}

// ------------------------------------------------------------------------------------------------
// The results file: full disk, read-only directory, deleted or truncated between and during runs

// Runs `inner` (a shell command line) in a mount namespace of its own with a tmpfs at `mount_point`, so
// that the test can fill a disk or make one read-only without touching the machine's own mounts; nothing
// when this machine does not allow it (not root, no unshare).
bool private_tmpfs_available() {
  const RunResult probe = testing::run_command(
      {"/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"}, 20);
  return probe.exit_code == 0;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string shell_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& word : argv) line += (line.empty() ? "" : " ") + shell_quote(word);
  return line;
}

// Many small datasets: their result lines outgrow a 16 KiB disk part-way through the sweep.
std::string write_many_datasets(const TemporaryDirectory& directory, const std::string& name, int count) {
  const std::string file = directory.file(name);
  std::mt19937_64 generator(11);
  std::normal_distribution<double> normal;
  for (int d = 0; d < count; ++d) {
    std::vector<double> values(64 * 8);
    for (double& value : values) value = normal(generator);
    testing::write_matrix(file, "/run" + std::to_string(100 + d), values, 64, 8, {testing::StoredType::Kind::floating, 4});
  }
  return file;
}

TEST(OutputFailures, ADiskThatFillsWhileAppendingIsOneErrorAndEveryWrittenLineStaysValid) {
  if (!private_tmpfs_available()) GTEST_SKIP() << "no private tmpfs here (needs root and unshare)";
  TemporaryDirectory directory("rankme-faults-full-");
  const int count = 40;
  const std::string file = write_many_datasets(directory, "many.h5", count);
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string disk = directory.file("disk-" + std::to_string(ranks));
    std::filesystem::create_directory(disk);
    const std::string results = disk + "/results.jsonl";
    const std::string kept = directory.file("kept-" + std::to_string(ranks) + ".jsonl");
    const std::string rankme = shell_command(command(ranks, {file, "--format", "jsonl", "--output", results}));
    // The results file is copied out before the namespace (and its tmpfs) goes.
    const std::string inner = "mount -t tmpfs -o size=16k tmpfs " + shell_quote(disk) + " || exit 99; " + rankme +
                              "; code=$?; cp " + shell_quote(results) + " " + shell_quote(kept) + "; exit $code";
    const RunResult run = testing::run_command({"/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", inner},
                                               run_timeout_seconds);
    ASSERT_NE(run.exit_code, 99) << run;
    EXPECT_EQ(run.exit_code, 1) << run;
    expect_no_crash(run);
    const std::vector<std::string> errors = lines_containing(run.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << run;
    EXPECT_TRUE(contains(errors[0], "No space left on device") && contains(errors[0], results)) << errors[0];
    EXPECT_EQ(rows_by_dataset(run.out).size(), static_cast<std::size_t>(count)) << "stdout still has every result";
    const testing::JsonlFile written = parse_jsonl_file(kept);
    EXPECT_GE(written.rows.size(), 5u);
    EXPECT_LT(written.rows.size(), static_cast<std::size_t>(count));
    EXPECT_LE(written.invalid.size(), 1u) << "at most the line being written is torn";
    for (const json& row : written.rows) EXPECT_EQ(row.value("status", ""), "ok") << row.dump();

    // The lines that made it are a valid start: --resume with that file scores only the rest.
    const FaultRun resumed = run_with_fault(directory, ranks, "", {file, "--output", kept, "--resume"});
    expect_every_rank_exited_with(resumed, 0);
    const auto final_rows = parse_jsonl_file(kept).rows;
    std::map<std::string, int> seen;
    for (const json& row : final_rows) ++seen[row.value("dataset", "")];
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(count));
    for (const auto& [dataset, times] : seen) EXPECT_EQ(times, 1) << dataset;
  }
}

TEST(OutputFailures, AReadOnlyFileSystemFailsInSecondsBeforeAnythingIsScored) {
  if (!private_tmpfs_available()) GTEST_SKIP() << "no private tmpfs here (needs root and unshare)";
  TemporaryDirectory directory("rankme-faults-ro-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string disk = directory.file("ro-" + std::to_string(ranks));
    std::filesystem::create_directory(disk);
    const std::string results = disk + "/results.jsonl";
    const std::string inner = "mount -t tmpfs -o ro,size=64k tmpfs " + shell_quote(disk) + " || exit 99; exec " +
                              shell_command(command(ranks, {file, "--format", "jsonl", "--output", results, "--resume"}));
    const RunResult run = testing::run_command({"/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", inner},
                                               run_timeout_seconds);
    ASSERT_NE(run.exit_code, 99) << run;
    EXPECT_EQ(run.exit_code, 1) << run;
    expect_no_crash(run);
    EXPECT_EQ(lines_containing(run.err, "rankme: error:").size(), 1u) << run;
    EXPECT_TRUE(contains(run.err, "Read-only file system") && contains(run.err, results)) << run;
    EXPECT_TRUE(rows_by_dataset(run.out).empty()) << "scored although nothing could be kept" << run;
  }
}

TEST(OutputFailures, AResultsFileDeletedOrTruncatedBetweenRunsIsRebuiltWithEveryDatasetOnce) {
  TemporaryDirectory directory("rankme-faults-between-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::map<std::string, double> reference = reference_scores(directory, file);
  const std::string results = directory.file("results.jsonl");
  const std::vector<std::string> args = {file, "--output", results, "--resume"};
  for (const std::string damage : {"deleted", "emptied", "cut mid-line", "cut after the first line"}) {
    SCOPED_TRACE(damage);
    expect_every_rank_exited_with(run_with_fault(directory, 3, "", args), 0);
    const std::string full = read_whole_file(results);
    const std::size_t first_newline = full.find('\n');
    if (damage == "deleted") std::filesystem::remove(results);
    if (damage == "emptied") std::filesystem::resize_file(results, 0);
    if (damage == "cut mid-line") std::filesystem::resize_file(results, first_newline + 20);
    if (damage == "cut after the first line") std::filesystem::resize_file(results, first_newline + 1);
    const FaultRun resumed = run_with_fault(directory, 3, "", args);
    expect_every_rank_exited_with(resumed, 0);
    expect_each_dataset_once(results, reference);
    // Each damage is said on stderr: a deleted file means the whole sweep again.
    if (damage == "deleted") {
      EXPECT_TRUE(contains(resumed.result.err, "does not exist (yet)")) << resumed.result;
    } else if (damage == "cut mid-line") {
      EXPECT_TRUE(contains(resumed.result.err, "ignored 1 line(s)")) << resumed.result;
    }
    std::filesystem::remove(results);
  }
}

TEST(OutputFailures, AResultsFileDeletedWhileTheJobAppendsIsAnErrorAndOneTruncatedIsWrittenOnANewLine) {
  TemporaryDirectory directory("rankme-faults-during-");
  const std::string file = write_three_datasets(directory, "sweep.h5");
  const std::map<std::string, double> reference = reference_scores(directory, file);
  for (const std::string damage : {"deleted", "cut mid-line"}) {
    SCOPED_TRACE(damage);
    const std::string results = directory.file("during.jsonl");
    const std::string ready = directory.file("write-ready");
    const std::vector<std::string> args = {file, "--format", "jsonl", "--output", results, "--resume", "--group-size", "3"};
    RunResult run;
    {
      ScopedEnvironment environment;
      environment.set("RANKME_FAULT", "stage=write,kind=stall,rank=0,dataset=/run2,ready=" + ready);
      ChildProcess job(command(3, args));
      ASSERT_TRUE(wait_for_file(ready, job));
      ASSERT_NE(read_whole_file(results).find('\n'), std::string::npos) << "no result written before /run2";
      if (damage == "deleted") {
        std::filesystem::remove(results);
      } else {
        std::filesystem::resize_file(results, read_whole_file(results).find('\n') / 2);
      }
      std::filesystem::remove(ready);
      run = job.wait(run_timeout_seconds);
    }
    EXPECT_FALSE(run.hung) << run;
    expect_no_crash(run);
    EXPECT_EQ(rows_by_dataset(run.out).size(), 3u) << run;
    if (damage == "deleted") {
      EXPECT_EQ(run.exit_code, 1) << run;
      EXPECT_TRUE(contains(run.err, "was deleted while rankme was appending to it")) << run;
    } else {
      EXPECT_EQ(run.exit_code, 0) << run;
      const testing::JsonlFile written = parse_jsonl_file(results);
      EXPECT_EQ(written.invalid.size(), 1u) << "the fragment left by the cut";
      ASSERT_FALSE(written.rows.empty());
      EXPECT_EQ(written.rows.back().value("dataset", ""), "/run2") << "the next line started on a line of its own";
    }
    const FaultRun resumed = run_with_fault(directory, 3, "", args);
    expect_every_rank_exited_with(resumed, 0);
    expect_each_dataset_once(results, reference);
    std::filesystem::remove(results);
  }
}

// ------------------------------------------------------------------------------------------------
// A file that crashes HDF5 itself

// HDF5 1.10.8 segfaults listing this file's root group (tests/fuzz/hdf5_crashes/README.md). Discovery lists
// each input in a child process, so the crash costs that file: the sweep is scored, the file is an error,
// and --resume does not die on it again and again.
TEST(DamagedFile, AFileThatCrashesHdf5CostsOnlyThatFile) {
  TemporaryDirectory directory("rankme-faults-crash-");
  const std::string good = write_three_datasets(directory, "good.h5");
  const std::string damaged = std::string(RANKME_HDF5_CRASHES) + "/symbol_table_local_heap_null_read.h5";
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string results = directory.file("crash-" + std::to_string(ranks) + ".jsonl");
    const std::vector<std::string> args = {damaged, good, "--format", "jsonl", "--output", results, "--resume"};
    for (int run = 0; run < 2; ++run) {
      const FaultRun scored = run_with_fault(directory, ranks, "", args);
      expect_every_rank_exited_with(scored, 1);
      // Our own message names the signal; no rank died of it (no OpenMPI backtrace, no abort).
      for (const char* sign : {"Process received signal", "MPI_ABORT", "internal error", "terminate called"}) {
        EXPECT_FALSE(contains(scored.result.err, sign)) << sign << scored.result;
      }
      const std::vector<std::string> errors = lines_containing(scored.result.err, "rankme: error:");
      ASSERT_EQ(errors.size(), 1u) << scored.result;
      EXPECT_TRUE(contains(errors[0], "HDF5 crashed (signal 11: Segmentation fault) while reading the metadata")) << errors[0];
    }
    const auto rows = rows_by_dataset(read_whole_file(results));
    for (const std::string& dataset : datasets) EXPECT_EQ(rows.at(dataset).value("status", ""), "ok") << dataset;
  }
}

// ------------------------------------------------------------------------------------------------
// Declared sizes that cannot fit

TEST(MemoryLimit, AGramMatrixLargerThanMemoryIsRefusedBeforeAnyAllocation) {
  TemporaryDirectory directory("rankme-faults-memory-");
  const std::string file = directory.file("wide.h5");
  // 2 rows of 131,072 columns: 1 MiB on disk, a 128 GiB Gram matrix.
  const std::uint64_t cols = std::uint64_t{1} << 17;
  std::vector<double> values(2 * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i % 7) - 3.0;
  testing::write_matrix(file, "/wide", values, 2, cols, {testing::StoredType::Kind::floating, 4});
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const FaultRun run = run_with_fault(directory, ranks, "", {file, "--format", "jsonl"});
    expect_every_rank_exited_with(run, 1);
    expect_no_crash(run.result);
    EXPECT_LT(run.result.seconds, 20) << run.result;
    const auto rows = rows_by_dataset(run.result.out);
    ASSERT_EQ(rows.count("/wide"), 1u) << run.result;
    const std::string error = rows.at("/wide").value("error", "");
    EXPECT_TRUE(contains(error, "Gram matrix 128.0 GiB")) << error;
    EXPECT_TRUE(contains(error, "--max-memory")) << error;
  }
}

TEST(MemoryLimit, MaxMemoryIsHeldToAndCanBeRaisedOrLifted) {
  TemporaryDirectory directory("rankme-faults-limit-");
  const std::string file = directory.file("k2048.h5");
  const std::uint64_t rows = 64, cols = 2048;  // a 32 MiB Gram matrix
  std::vector<double> values(rows * cols);
  std::mt19937_64 generator(3);
  std::normal_distribution<double> normal;
  for (double& value : values) value = normal(generator);
  testing::write_matrix(file, "/emb", values, rows, cols, {testing::StoredType::Kind::floating, 4});
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const FaultRun refused = run_with_fault(directory, ranks, "", {file, "--format", "jsonl", "--max-memory", "64M"});
    expect_every_rank_exited_with(refused, 1);
    EXPECT_TRUE(contains(refused.result.err, "more than the 64.0 MiB of --max-memory")) << refused.result;
    for (const std::string limit : {"2G", "none"}) {
      const FaultRun accepted = run_with_fault(directory, ranks, "", {file, "--format", "jsonl", "--max-memory", limit});
      expect_every_rank_exited_with(accepted, 0);
    }
  }
  const FaultRun usage = run_with_fault(directory, 1, "", {file, "--max-memory", "lots"});
  EXPECT_EQ(usage.result.exit_code, 2) << usage.result;
  EXPECT_TRUE(contains(usage.result.err, "--max-memory")) << usage.result;
}

TEST(MemoryLimit, ADeclaredTwoToTheFortyByTwoToTheTwentyDatasetIsRefusedInSeconds) {
  TemporaryDirectory directory("rankme-faults-huge-");
  const std::string file = directory.file("huge.h5");
  testing::write_unallocated_dataset(file, "/huge", std::uint64_t{1} << 40, std::uint64_t{1} << 20);
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const FaultRun run = run_with_fault(directory, ranks, "", {file + ":/huge", "--format", "jsonl"});
    expect_every_rank_exited_with(run, 1);
    expect_no_crash(run.result);
    EXPECT_LT(run.result.seconds, 30) << run.result;
    const auto rows = rows_by_dataset(run.result.out);
    ASSERT_EQ(rows.count("/huge"), 1u) << run.result;
    EXPECT_EQ(rows.at("/huge").value("status", ""), "error");
    EXPECT_TRUE(rows.at("/huge")["rankme"].is_null());
    // The size is said first, and that it was never written besides.
    const std::string error = rows.at("/huge").value("error", "");
    EXPECT_TRUE(contains(error, "needs about 8.0 TiB (Gram matrix 8.0 TiB")) << error;
    EXPECT_TRUE(contains(error, "incomplete")) << error;
  }
}

}  // namespace
}  // namespace rankme
