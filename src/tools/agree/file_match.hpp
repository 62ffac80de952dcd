#pragma once
// Which results a `file` cell of the accuracies file names, however the user spelled the path: as given to
// rankme, another spelling of the same file, or only its last components ("run3.h5", "lr=0.1/run3.h5")
// when the results were written on another machine or from another directory.
#include <cstddef>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme::agree {

class FileIndex {
 public:
  // Resolves every result's file once (canonical paths touch the file system).
  explicit FileIndex(const std::vector<DatasetResult>& results);

  struct Match {
    std::vector<std::size_t> results;  // indices into the results, a subset of the candidates
    std::string how;                   // "exact", "canonical path" or "path ending"
    std::string problem;               // set (and results empty) when the ending names several files
  };

  // The candidates whose file `cell` names, by the first rule that finds any: the same text as `file`;
  // the same canonical path (canonical_file, or the path resolved here; lexically normalised when the
  // file is not reachable from here); the cell's path components are the last components of the
  // result's file, and those results all have one file.
  Match match(const std::string& cell, const std::vector<std::size_t>& candidates) const;

 private:
  struct Spellings {
    std::string given;
    std::string canonical;
    std::vector<std::string> given_components, canonical_components;
  };
  std::vector<Spellings> files_;
};

}  // namespace rankme::agree
