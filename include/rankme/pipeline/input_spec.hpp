#pragma once
// One command-line input: FILE, FILE:DATASET or FILE:PATTERN (directories are expanded into files by
// expand_arguments in input_expansion.hpp; what a pattern matches: hdf5_path_pattern.hpp).
#include <optional>
#include <string>

namespace rankme {

struct InputSpec {
  std::string file;                    // as the user wrote it
  std::optional<std::string> dataset;  // absolute HDF5 path or pattern, as written; none: "every 2-D numeric dataset"
  // `dataset` holds an unescaped wildcard: discovery treats it as a glob pattern, unless a dataset of exactly
  // that name exists (names may legitimately contain '*', '?' and '[').
  bool pattern = false;
  // Non-empty: the argument failed before any file could be opened (a directory with no HDF5 file in it);
  // discovery reports it as an error target with this message.
  std::string error{};
};

// The argument is split at the first ":/" whose left part is an existing file, else at the first ':'
// whose left part is one, so that both file names and dataset paths may contain colons
// ("run:1.h5:/emb:v2" is file "run:1.h5", dataset "/emb:v2"; with files "a" and "a:b.h5" both present,
// "a:b.h5:/emb" is "/emb" of "a:b.h5"). An argument that names an existing file as a whole is that file. When no prefix exists, the split is
// at the first ":/" (or the whole argument is the file), and opening it reports the missing file.
// A dataset path without a leading '/' gets one; `pattern` is set when it holds unescaped wildcards.
InputSpec parse_input_spec(const std::string& argument);

}  // namespace rankme
