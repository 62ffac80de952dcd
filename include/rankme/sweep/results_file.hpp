#pragma once
// The results file (--output): one line per dataset, appended by one writer (world rank 0) and on disk
// (fsync) before the next dataset is reported, so that a run killed at any moment, even by SIGKILL or a
// node failure, leaves every result it reported. A line is complete only when it ends with a newline: a
// write cut short leaves a torn last line, which readers ignore and the next writer steps over.
#include <sys/types.h>

#include <string>
#include <vector>

#include "rankme/os/file_descriptor.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/sweep/result_lines.hpp"
#include "rankme/sweep/results_file_format.hpp"
// Whoever writes a results file mostly reads one too (--resume, rankme-merge): the reader comes along.
#include "rankme/sweep/results_file_reader.hpp"

namespace rankme {

// The appending writer. Each append is one write() of one whole line (O_APPEND), then fsync(): a kill
// tears at most the line being written. One process appends to a file at a time (see open_for_append).
class ResultsFile {
 public:
  // Opens (creating if needed, and fsyncing the directory then) `path`, and holds an exclusive flock
  // on it while open. A torn last line left by a killed run is stepped over: the first append starts a
  // new line. A new or empty CSV file gets the header; an existing one must have it (or the one of
  // results files written before canonical_file, whose columns its lines then keep). Throws
  // std::runtime_error naming the file and the reason (read-only directory, disk full, a CSV file with
  // other columns, another process appending, ...), or std::invalid_argument for an unsupported extension.
  //
  // `param_keys`: the params the results to come may carry (the sorted union over the run's targets). A CSV
  // file has one `param.<key>` column per key, the same in every line: a new file gets these; an existing one
  // whose columns lack some of them is first rewritten (a temporary file renamed over it, so that a kill
  // leaves the old file or the new one) with the union of its own and these, every earlier line keeping its
  // values under the new header (lines that are no complete record are dropped: readers ignore them anyway).
  // A file with more param columns than asked keeps them: results without those keys leave them empty.
  static ResultsFile open_for_append(const std::string& path, const std::vector<std::string>& param_keys = {});

  // Writes the result as one line and fsyncs. Throws std::runtime_error when either fails (a short write
  // leaves a torn line, stepped over by the next append). Results that are not ok, nonfinite or error
  // (a dataset abandoned on a stop request) are not results and are not written.
  void append(const DatasetResult& result);

  const std::string& path() const { return path_; }

 private:
  ResultsFile(FileDescriptor descriptor, std::string path, ResultsFileFormat format);
  void write_line(const std::string& line);
  void check_still_named_by_path();

  FileDescriptor descriptor_;
  std::string path_;
  ResultsFileFormat format_ = ResultsFileFormat::jsonl;
  CsvColumns csv_columns_ = CsvColumns::with_file_identity;  // an older file keeps its own
  std::vector<std::string> csv_param_keys_;                  // the file's param columns, in order

  bool regular_file_ = true;      // false for a device or FIFO, which fsync cannot flush
  bool starts_mid_line_ = false;  // the file ends inside a line: the next write begins with a newline
  off_t expected_size_ = 0;       // regular files: the size after our last write (another writer changes it)
};

// Replaces `path` with exactly `results` (the merge tool's output): written to a temporary file beside it,
// fsynced, then renamed over it, so that readers see the old file or the new one, never a mix. A CSV file
// has the param columns of the union of the results' params.
void write_results_file(const std::string& path, const std::vector<DatasetResult>& results);

}  // namespace rankme
