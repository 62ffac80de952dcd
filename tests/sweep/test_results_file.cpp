// The results file (--output) as written and read back: round trips, torn lines, quoting, and the I/O
// failures that must become clear errors (read-only directory, full disk, a write cut short). The reader
// alone, the format, the identity and --resume have their own tests (test_results_file_reader,
// test_results_file_format, test_result_identity, test_resume).
#include "rankme/sweep/results_file.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "rankme/sweep/result_csv.hpp"
#include "rankme/sweep/result_lines.hpp"
#include "support/result_samples.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::TemporaryDirectory;

using testing::append_text;
using testing::lines_of;
using testing::read_text;
using testing::scored;
using testing::with_status;

void expect_same_result(const DatasetResult& read, const DatasetResult& written) {
  EXPECT_EQ(read.file, written.file);
  EXPECT_EQ(read.dataset, written.dataset);
  EXPECT_EQ(read.rows, written.rows);
  EXPECT_EQ(read.cols, written.cols);
  EXPECT_EQ(read.dtype, written.dtype);
  EXPECT_EQ(read.rankme, written.rankme);  // exactly: 17 significant digits round-trip
  EXPECT_EQ(read.status, written.status);
  EXPECT_EQ(read.error, written.error);
  EXPECT_DOUBLE_EQ(read.seconds, written.seconds);
  EXPECT_EQ(read.ranks, written.ranks);
  EXPECT_EQ(read.solver, written.solver);
  EXPECT_EQ(read.file_size, written.file_size);
  EXPECT_EQ(read.file_mtime_ns, written.file_mtime_ns);
  EXPECT_EQ(read.canonical_file, written.canonical_file);
}

bool can_create_file_in(const std::string& directory) {
  const std::string probe = directory + "/rankme-probe-" + std::to_string(::getpid());
  const int descriptor = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (descriptor < 0) return false;
  ::close(descriptor);
  ::unlink(probe.c_str());
  return true;
}

// A directory in which this process cannot create files: a 0555 one, or, for root (whom permission bits
// do not stop), sysfs, which refuses new files to everyone.
std::optional<std::string> unwritable_directory(const TemporaryDirectory& scratch) {
  const std::string read_only = scratch.file("read-only");
  std::filesystem::create_directory(read_only);
  ::chmod(read_only.c_str(), 0555);
  for (const std::string& candidate : {read_only, std::string("/sys"), std::string("/proc")}) {
    if (std::filesystem::is_directory(candidate) && !can_create_file_in(candidate)) return candidate;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------------------------
// Round trips

TEST(ResultsFile, JsonlRoundTripsEveryStatusAndField) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  std::vector<DatasetResult> written = {
      scored("/a", 123.456789012345678), with_status(scored("/b", 0), ResultStatus::nonfinite),
      with_status(scored("/c", 0), ResultStatus::error, "incomplete: 3 of 8 chunks"), scored("/d", 0.0)};
  written[0].canonical_file = "/data/runs/sweep.h5";
  {
    ResultsFile file = ResultsFile::open_for_append(path);
    for (const DatasetResult& result : written) file.append(result);
  }
  const std::vector<std::string> lines = lines_of(read_text(path));
  ASSERT_EQ(lines.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) EXPECT_EQ(lines[i], to_json_line(written[i]));
  const ResultsFileContents contents = read_results_file(path);
  EXPECT_EQ(contents.skipped_lines, 0u);
  EXPECT_FALSE(contents.torn_last_line);
  ASSERT_EQ(contents.results.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    SCOPED_TRACE(written[i].dataset);
    expect_same_result(contents.results[i], written[i]);
  }
}

TEST(ResultsFile, CsvQuotingRoundTripsAndTheHeaderIsWrittenOnce) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  DatasetResult odd = scored("/runs/lr=0.1,wd=\"1e-4\"/emb", 7.25);
  odd.file = "odd, \"name\".h5";
  odd.canonical_file = "/data/odd, \"name\".h5";
  DatasetResult failed = with_status(scored("/x", 0), ResultStatus::error, "line one\nline two, \"quoted\"\r\n");
  failed.file = "plain.h5";
  DatasetResult diverged = with_status(scored("/ü/ñ", 0), ResultStatus::nonfinite);
  ResultsFile::open_for_append(path).append(odd);
  ResultsFile::open_for_append(path).append(failed);  // reopened: no second header
  ResultsFile::open_for_append(path).append(diverged);

  const std::string text = read_text(path);
  EXPECT_EQ(text.rfind(csv_header(CsvColumns::with_file_identity) + "\n", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4) << "one header and one line per result:\n" << text;
  const ResultsFileContents contents = read_results_file(path);
  EXPECT_EQ(contents.skipped_lines, 0u) << contents.first_problem;
  ASSERT_EQ(contents.results.size(), 3u);
  expect_same_result(contents.results[0], odd);
  failed.error = "line one line two, \"quoted\"  ";  // line breaks become spaces: one result, one line
  expect_same_result(contents.results[1], failed);
  expect_same_result(contents.results[2], diverged);
}




TEST(ResultsFile, StopRequestedResultsAreNotWritten) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  ResultsFile::open_for_append(path).append(with_status(scored("/a", 0), ResultStatus::interrupted));
  EXPECT_EQ(read_text(path), "");
}

// ------------------------------------------------------------------------------------------------
// Torn and invalid lines

TEST(TornLines, TornLastLineIsIgnoredAndTheNextAppendStartsANewLine) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  ResultsFile::open_for_append(path).append(scored("/a", 1.5));
  const std::string whole = to_json_line(scored("/b", 2.5));
  append_text(path, whole.substr(0, whole.size() / 2));  // what a kill in the middle of write() leaves

  ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 1u);
  EXPECT_TRUE(contents.torn_last_line);
  EXPECT_EQ(contents.skipped_lines, 1u);
  EXPECT_NE(contents.first_problem.find("line 2"), std::string::npos) << contents.first_problem;

  ResultsFile::open_for_append(path).append(scored("/c", 3.5));
  const std::string text = read_text(path);
  EXPECT_NE(text.find("\n" + to_json_line(scored("/c", 3.5)) + "\n"), std::string::npos) << text;
  contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[1].dataset, "/c");
  EXPECT_FALSE(contents.torn_last_line);
  EXPECT_EQ(contents.skipped_lines, 1u);  // the fragment, now a line of its own
}

TEST(TornLines, ALineCutJustBeforeItsNewlineIsTornEvenIfItParses) {
  // A CSV line cut inside its last number would still have every column; only the newline tells.
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  ResultsFile::open_for_append(path).append(scored("/a", 1.5));
  append_text(path, to_csv_line(scored("/b", 2.5), CsvColumns::with_file_identity).substr(0, 60));
  const std::string cut = to_csv_line(scored("/c", 2.5), CsvColumns::with_file_identity);
  append_text(path, "\n" + cut.substr(0, cut.size() - 3));
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 1u);
  EXPECT_TRUE(contents.torn_last_line);
  EXPECT_EQ(contents.skipped_lines, 2u);
}

TEST(TornLines, TornCsvHeaderIsWrittenAgain) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::with_file_identity).substr(0, 17));
  EXPECT_TRUE(read_results_file(path).results.empty());
  ResultsFile::open_for_append(path).append(scored("/a", 1.5));
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::with_file_identity) + "\n" +
                                 to_csv_line(scored("/a", 1.5), CsvColumns::with_file_identity) + "\n");
}


// A CSV results file written before rows_used, precision and method is still appended to in its columns;
// a new one reads them back.
TEST(ResultsFile, ACsvFileWithoutRowsUsedKeepsItsColumnsAndANewOneHasThem) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::before_rows_used) + "\n" +
                        to_csv_line(scored("/a", 1.5), CsvColumns::before_rows_used) + "\n");
  DatasetResult later = scored("/b", 2.5);
  later.rows_used = 100;
  later.precision = "mixed";
  later.method = "gram";
  ResultsFile::open_for_append(path).append(later);
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::before_rows_used) + "\n" +
                                 to_csv_line(scored("/a", 1.5), CsvColumns::before_rows_used) + "\n" +
                                 to_csv_line(later, CsvColumns::before_rows_used) + "\n");
  const ResultsFileContents old_contents = read_results_file(path);
  ASSERT_EQ(old_contents.results.size(), 2u) << old_contents.first_problem;
  EXPECT_EQ(old_contents.results[1].rows_used, 0u) << "not in the file: unknown";

  const std::string newer = directory.file("newer.csv");
  ResultsFile::open_for_append(newer).append(later);
  const ResultsFileContents contents = read_results_file(newer);
  ASSERT_EQ(contents.results.size(), 1u) << contents.first_problem;
  EXPECT_EQ(contents.results[0].rows_used, 100u);
  EXPECT_EQ(contents.results[0].precision, "mixed");
  EXPECT_EQ(contents.results[0].method, "gram");
}

// A CSV results file written before LiDAR is still appended to, in its columns (the lidar is not written
// to it); one with the lidar column reads its value back.
TEST(ResultsFile, ACsvFileWithoutLidarKeepsItsColumnsAndANewOneKeepsLidar) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::before_lidar) + "\n" +
                        to_csv_line(scored("/a", 1.5), CsvColumns::before_lidar) + "\n");
  DatasetResult later = scored("/b", 2.5);
  later.lidar = 4.75;
  ResultsFile::open_for_append(path).append(later);
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::before_lidar) + "\n" +
                                 to_csv_line(scored("/a", 1.5), CsvColumns::before_lidar) + "\n" +
                                 to_csv_line(later, CsvColumns::before_lidar) + "\n");
  EXPECT_EQ(read_results_file(path).results.size(), 2u);

  const std::string newer = directory.file("newer.csv");
  ResultsFile::open_for_append(newer).append(later);
  const ResultsFileContents contents = read_results_file(newer);
  ASSERT_EQ(contents.results.size(), 1u) << contents.first_problem;
  EXPECT_EQ(contents.results[0].lidar, std::optional<double>(4.75));
}

// A CSV results file written before pool and parts were recorded is still appended to, in its columns.
TEST(ResultsFile, ACsvFileWithoutPoolAndPartsKeepsItsColumns) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::before_pooling) + "\n" +
                        to_csv_line(scored("/a", 1.5), CsvColumns::before_pooling) + "\n");
  DatasetResult later = scored("/b", 2.5);
  later.pool = "mean";
  ResultsFile::open_for_append(path).append(later);
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::before_pooling) + "\n" +
                                 to_csv_line(scored("/a", 1.5), CsvColumns::before_pooling) + "\n" +
                                 to_csv_line(later, CsvColumns::before_pooling) + "\n");
  const ResultsFileContents contents = read_results_file(path);
  EXPECT_EQ(contents.skipped_lines, 0u) << contents.first_problem;
  EXPECT_EQ(contents.results.size(), 2u);
}

// A CSV results file written before canonical_file was recorded is still appended to (--resume after an
// upgrade), in its own columns, so that every line of it still matches its header.
TEST(ResultsFile, ACsvFileWithoutCanonicalFileKeepsItsColumns) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::before_canonical_file) + "\n" +
                        to_csv_line(scored("/a", 1.5), CsvColumns::before_canonical_file) + "\n");
  DatasetResult later = scored("/b", 2.5);
  later.canonical_file = "/data/runs/sweep.h5";
  ResultsFile::open_for_append(path).append(later);
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::before_canonical_file) + "\n" +
                                 to_csv_line(scored("/a", 1.5), CsvColumns::before_canonical_file) + "\n" +
                                 to_csv_line(later, CsvColumns::before_canonical_file) + "\n");
  const ResultsFileContents contents = read_results_file(path);
  EXPECT_EQ(contents.skipped_lines, 0u) << contents.first_problem;
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[1].dataset, "/b");
  EXPECT_EQ(contents.results[1].canonical_file, "");
}

// ------------------------------------------------------------------------------------------------
// Param columns: the same in every line, however many runs appended to the file

DatasetResult with_params(DatasetResult result, Params params) {
  result.params = std::move(params);
  return result;
}

// Every line has the header's number of fields (what pandas needs), and the file reads back without a skip.
void expect_one_frame(const std::string& path) {
  const std::vector<std::string> lines = lines_of(read_text(path));
  ASSERT_FALSE(lines.empty());
  const std::size_t columns = split_csv_line(lines[0]).size();
  for (const std::string& line : lines) EXPECT_EQ(split_csv_line(line).size(), columns) << line;
  const ResultsFileContents contents = read_results_file(path);
  EXPECT_EQ(contents.skipped_lines, 0u) << contents.first_problem;
}

TEST(ParamColumns, ANewCsvFileHasTheGivenParamColumns) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  {
    ResultsFile file = ResultsFile::open_for_append(path, {"epoch", "lr"});
    file.append(with_params(scored("/a", 1.5), {{"lr", 0.1}, {"epoch", 3.0}}));
    file.append(with_params(scored("/b", 2.5), {{"lr", 0.2}}));
  }
  EXPECT_EQ(lines_of(read_text(path))[0], csv_header(CsvColumns::with_file_identity) + ",param.epoch,param.lr");
  expect_one_frame(path);
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[0].params, (Params{{"epoch", 3.0}, {"lr", 0.1}}));
  EXPECT_EQ(contents.results[1].params, (Params{{"lr", 0.2}}));
}

TEST(ParamColumns, NewKeysRewriteTheFileWithTheUnionOfColumns) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  {
    ResultsFile file = ResultsFile::open_for_append(path, {"lr", "seed"});
    file.append(with_params(scored("/a, \"quoted\"", 1.5), {{"lr", 0.1}, {"seed", 1.0}}));
    file.append(with_params(scored("/b", 2.5), {{"lr", 0.2}}));
  }
  const std::string before = read_text(path);
  append_text(path, "runs/sweep.h5,/torn,40");  // a run killed mid-line
  {
    ResultsFile file = ResultsFile::open_for_append(path, {"epoch", "lr"});
    file.append(with_params(scored("/c", 3.5), {{"lr", 0.3}, {"epoch", 7.0}}));
  }
  const std::vector<std::string> lines = lines_of(read_text(path));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], csv_header(CsvColumns::with_file_identity) + ",param.epoch,param.lr,param.seed")
      << "the union of the file's keys and the new ones";
  expect_one_frame(path);
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 3u) << "the torn line is gone, the complete ones kept";
  expect_same_result(contents.results[0], scored("/a, \"quoted\"", 1.5));
  EXPECT_EQ(contents.results[0].params, (Params{{"lr", 0.1}, {"seed", 1.0}}));
  EXPECT_EQ(contents.results[1].params, (Params{{"lr", 0.2}}));
  EXPECT_EQ(contents.results[2].params, (Params{{"epoch", 7.0}, {"lr", 0.3}}));
  // The earlier lines' own fields are what they were, byte for byte.
  const std::vector<std::string> old_lines = lines_of(before);
  const std::string old_cells = ",0.1,1";  // lr, seed
  ASSERT_EQ(old_lines[1].substr(old_lines[1].size() - old_cells.size()), old_cells);
  EXPECT_EQ(lines[1], old_lines[1].substr(0, old_lines[1].size() - old_cells.size()) + "," + old_cells)
      << "an empty epoch cell before lr and seed";
}

TEST(ParamColumns, AFileWithMoreColumnsThanAskedKeepsThem) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  ResultsFile::open_for_append(path, {"lr", "wd"}).append(with_params(scored("/a", 1.5), {{"lr", 0.1}, {"wd", 0.0}}));
  const std::string before = read_text(path);
  ResultsFile::open_for_append(path, {"lr"}).append(with_params(scored("/b", 2.5), {{"lr", 0.2}}));
  const std::string after = read_text(path);
  EXPECT_EQ(after.substr(0, before.size()), before) << "appended to, not rewritten";
  expect_one_frame(path);
  EXPECT_EQ(read_results_file(path).results[1].params, (Params{{"lr", 0.2}}));
}

TEST(ParamColumns, AnOlderLayoutGetsTheCurrentOneWhenParamsCome) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::before_canonical_file) + "\n" +
                        to_csv_line(scored("/a", 1.5), CsvColumns::before_canonical_file) + "\n");
  ResultsFile::open_for_append(path, {"lr"}).append(with_params(scored("/b", 2.5), {{"lr", 0.2}}));
  EXPECT_EQ(lines_of(read_text(path))[0], csv_header(CsvColumns::with_file_identity) + ",param.lr");
  expect_one_frame(path);
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  expect_same_result(contents.results[0], scored("/a", 1.5));
  EXPECT_TRUE(contents.results[0].params.empty());
}

TEST(ParamColumns, AHeaderTornInsideItsParamColumnsIsWrittenAgain) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::with_file_identity) + ",param.ep");
  ResultsFile::open_for_append(path, {"lr"}).append(with_params(scored("/a", 1.5), {{"lr", 0.1}}));
  EXPECT_EQ(lines_of(read_text(path))[0], csv_header(CsvColumns::with_file_identity) + ",param.lr");
  expect_one_frame(path);
}

TEST(ParamColumns, TheMergedFileHasTheUnionOfItsResultsKeys) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("merged.csv");
  write_results_file(path, {with_params(scored("/a", 1.5), {{"lr", 0.1}}), with_params(scored("/b", 2.5), {{"wd", 0.0}})});
  EXPECT_EQ(lines_of(read_text(path))[0], csv_header(CsvColumns::with_file_identity) + ",param.lr,param.wd");
  expect_one_frame(path);
  EXPECT_EQ(read_results_file(path).results[1].params, (Params{{"wd", 0.0}}));
}

TEST(TornLines, ACsvFileWithOtherColumnsIsRefusedNotAppendedTo) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.csv");
  append_text(path, csv_header(CsvColumns::report) + "\n");
  try {
    ResultsFile::open_for_append(path);
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("columns"), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_text(path), csv_header(CsvColumns::report) + "\n");
}

// ------------------------------------------------------------------------------------------------
// I/O failures

TEST(IoFailures, ReadOnlyDirectoryIsAClearError) {
  TemporaryDirectory directory("rankme-results-");
  const std::optional<std::string> read_only = unwritable_directory(directory);
  if (!read_only) GTEST_SKIP() << "no directory here refuses new files";
  const std::string path = *read_only + "/results.jsonl";
  try {
    ResultsFile::open_for_append(path);
    ADD_FAILURE() << "opened " << path;
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_TRUE(message.find("Permission denied") != std::string::npos ||
                message.find("Read-only file system") != std::string::npos)
        << message;
  }
}

TEST(IoFailures, FullDiskIsAClearErrorOnAppendAndOnTheCsvHeader) {
  TemporaryDirectory directory("rankme-results-");
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  const std::string jsonl = directory.file("full.jsonl"), csv = directory.file("full.csv");
  std::filesystem::create_symlink("/dev/full", jsonl);
  std::filesystem::create_symlink("/dev/full", csv);
  ResultsFile file = ResultsFile::open_for_append(jsonl);
  try {
    file.append(scored("/a", 1.5));
    ADD_FAILURE() << "appended to /dev/full";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("No space left on device"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(jsonl), std::string::npos) << error.what();
  }
  EXPECT_THROW(ResultsFile::open_for_append(csv), std::runtime_error);
}

// RLIMIT_FSIZE makes write() stop part-way, as a disk that fills up in the middle of a line does.
TEST(IoFailures, AWriteCutShortThrowsAndTheNextAppendStartsANewLine) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  ResultsFile file = ResultsFile::open_for_append(path);
  file.append(scored("/a", 1.5));
  const auto size_now = static_cast<rlim_t>(std::filesystem::file_size(path));

  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &original), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = original;
  limited.rlim_cur = size_now + 40;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  bool threw = false;
  try {
    file.append(scored("/b", 2.5));
  } catch (const std::runtime_error& error) {
    threw = true;
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &original);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(std::filesystem::file_size(path), size_now + 40);  // a torn line is on disk

  file.append(scored("/c", 3.5));
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[0].dataset, "/a");
  EXPECT_EQ(contents.results[1].dataset, "/c");
  EXPECT_EQ(contents.skipped_lines, 1u);
}

TEST(IoFailures, AResultsFileDeletedOrReplacedWhileOpenIsAnErrorOnTheNextAppend) {
  TemporaryDirectory directory("rankme-results-");
  for (const bool replace : {false, true}) {
    SCOPED_TRACE(replace ? "replaced" : "deleted");
    const std::string path = directory.file(replace ? "replaced.jsonl" : "deleted.jsonl");
    ResultsFile file = ResultsFile::open_for_append(path);
    file.append(scored("/a", 1.5));
    std::filesystem::remove(path);
    if (replace) std::ofstream(path) << "";
    try {
      file.append(scored("/b", 2.5));
      ADD_FAILURE() << "appended to a file nobody can read";
    } catch (const std::runtime_error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(replace ? "replaced by another file" : "was deleted"), std::string::npos) << message;
      EXPECT_NE(message.find("--resume"), std::string::npos) << message;
    }
  }
}

// Another process (or a user) truncated the file in the middle of a line since our last append: our next
// line must not be glued to the fragment, or it would be lost with it.
TEST(IoFailures, AFileCutMidLineByAnotherProcessGetsTheNextResultOnALineOfItsOwn) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  ResultsFile file = ResultsFile::open_for_append(path);
  file.append(scored("/a", 1.5));
  file.append(scored("/b", 2.5));
  const std::string text = read_text(path);
  std::filesystem::resize_file(path, text.find('\n') + 10);
  file.append(scored("/c", 3.5));
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.results[0].dataset, "/a");
  EXPECT_EQ(contents.results[1].dataset, "/c");
  EXPECT_EQ(contents.skipped_lines, 1u);
}

TEST(IoFailures, ASecondWriterIsRefusedWhileTheFirstHasTheFileOpen) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  {
    ResultsFile first = ResultsFile::open_for_append(path);
    try {
      ResultsFile::open_for_append(path);
      ADD_FAILURE() << "two writers";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("another process"), std::string::npos) << error.what();
    }
    first.append(scored("/a", 1.5));
  }
  ResultsFile::open_for_append(path).append(scored("/b", 2.5));  // free again once the first is closed
  EXPECT_EQ(read_results_file(path).results.size(), 2u);
}

TEST(IoFailures, UnreadableResultsFileIsAnErrorNotAnEmptyFile) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("results.jsonl");
  std::filesystem::create_directory(path);  // a directory where the file should be
  EXPECT_THROW(read_results_file(path), std::runtime_error);
  EXPECT_THROW(ResultsFile::open_for_append(path), std::runtime_error);
}

TEST(WriteResultsFile, ReplacesTheFileWholeAndLeavesNoPartialFile) {
  TemporaryDirectory directory("rankme-results-");
  const std::string path = directory.file("merged.csv");
  append_text(path, "old contents\n");
  write_results_file(path, {scored("/a", 1.5), with_status(scored("/b", 0), ResultStatus::error, "boom")});
  const ResultsFileContents contents = read_results_file(path);
  ASSERT_EQ(contents.results.size(), 2u);
  EXPECT_EQ(contents.skipped_lines, 0u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

}  // namespace
}  // namespace rankme
