#pragma once
// The results file (--output): one line per dataset, appended by one writer (world rank 0) and on disk
// (fsync) before the next dataset is reported, so that a run killed at any moment, even by SIGKILL or a
// node failure, leaves every result it reported. A line is complete only when it ends with a newline: a
// write cut short leaves a torn last line, which readers ignore and the next writer steps over.
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

struct DatasetTarget;

enum class ResultsFileFormat { jsonl, csv };

// From the extension, case-insensitively: ".jsonl" or ".csv". Anything else throws std::invalid_argument
// with a message that names the path and the extensions that work (a usage error for --output).
ResultsFileFormat results_file_format(const std::string& path);

// What makes two results "the same dataset, as it is now": a rewritten file (new size or modification
// time) or a reshaped dataset is a different identity and is scored again by --resume.
struct ResultIdentity {
  std::string file;
  std::string dataset;
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  std::uint64_t file_size = 0;
  std::int64_t file_mtime_ns = 0;

  friend bool operator<(const ResultIdentity& a, const ResultIdentity& b) {
    return std::tie(a.file, a.dataset, a.rows, a.cols, a.file_size, a.file_mtime_ns) <
           std::tie(b.file, b.dataset, b.rows, b.cols, b.file_size, b.file_mtime_ns);
  }
  friend bool operator==(const ResultIdentity& a, const ResultIdentity& b) { return !(a < b) && !(b < a); }
};

// Names are compared as a JSON line stores them (invalid UTF-8 replaced by U+FFFD), so that a dataset
// with such a name is recognised when read back.
ResultIdentity identity_of(const DatasetResult& result);
ResultIdentity identity_of(const DatasetTarget& target);

struct ResultsFileContents {
  std::vector<DatasetResult> results;  // every complete, valid line, in file order (duplicates kept)
  std::size_t skipped_lines = 0;       // torn or invalid lines, ignored (blank lines are not counted)
  bool torn_last_line = false;         // the file ends inside a line: a write cut short by a kill
  std::string first_problem;           // "line 7: ..." for the first skipped line, for a note on stderr
};

// Reads a results file written by ResultsFile (or rankme's JSONL/CSV report saved from stdout). A missing
// file is empty. CSV columns are found by the header, so a report without file_size and file_mtime_ns
// reads as well (both 0: such results never match a file on --resume). Throws std::runtime_error when
// the file cannot be read, and std::invalid_argument for an unsupported extension.
ResultsFileContents read_results_file(const std::string& path);

// The appending writer. Each append is one write() of one whole line (O_APPEND), then fsync(): a kill
// tears at most the line being written. One process appends to a file at a time (see open_for_append).
class ResultsFile {
 public:
  // Opens (creating if needed, and fsyncing the directory then) `path`, and holds an exclusive flock
  // on it while open. A torn last line left by a killed run is stepped over: the first append starts a
  // new line. A new or empty CSV file gets the header; an existing one must have it. Throws
  // std::runtime_error naming the file and the reason (read-only directory, disk full, a CSV file with
  // other columns, another process appending, ...), or std::invalid_argument for an unsupported extension.
  static ResultsFile open_for_append(const std::string& path);

  // Writes the result as one line and fsyncs. Throws std::runtime_error when either fails (a short write
  // leaves a torn line, stepped over by the next append). Results that are not ok, nonfinite or error
  // (a dataset abandoned on a stop request) are not results and are not written.
  void append(const DatasetResult& result);

  const std::string& path() const { return path_; }

  ~ResultsFile();
  ResultsFile(ResultsFile&& other) noexcept;
  ResultsFile& operator=(ResultsFile&& other) noexcept;
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

 private:
  ResultsFile(int descriptor, std::string path, ResultsFileFormat format);
  void write_line(const std::string& line);

  int descriptor_ = -1;
  std::string path_;
  ResultsFileFormat format_ = ResultsFileFormat::jsonl;
  void check_still_named_by_path();

  bool regular_file_ = true;      // false for a device or FIFO, which fsync cannot flush
  bool starts_mid_line_ = false;  // the file ends inside a line: the next write begins with a newline
  off_t expected_size_ = 0;       // regular files: the size after our last write (another writer changes it)
};

// Replaces `path` with exactly `results` (the merge tool's output): written to a temporary file beside it,
// fsynced, then renamed over it, so that readers see the old file or the new one, never a mix.
void write_results_file(const std::string& path, const std::vector<DatasetResult>& results);

}  // namespace rankme
