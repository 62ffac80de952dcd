#pragma once
// Reading a results file back (--resume, rankme-merge): every complete line that holds a valid result.
// A line is complete only when it ends with a newline: a write cut short by a kill leaves a torn last
// line, which is ignored.
#include <cstddef>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

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

}  // namespace rankme
