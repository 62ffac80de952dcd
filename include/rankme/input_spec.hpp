#pragma once
// One command-line input: FILE, or FILE:DATASET.
#include <optional>
#include <string>

namespace rankme {

struct InputSpec {
  std::string file;                    // as the user wrote it
  std::optional<std::string> dataset;  // absolute HDF5 path; none means "every 2-D numeric dataset"
};

// The argument is split at the first ':' whose left part is an existing file, so that both file names
// and dataset paths may contain colons ("run:1.h5:/emb:v2" is file "run:1.h5", dataset "/emb:v2").
// An argument that names an existing file as a whole is that file. When no prefix exists, the split is
// at the first ":/" (or the whole argument is the file), and opening it reports the missing file.
// A dataset path without a leading '/' gets one.
InputSpec parse_input_spec(const std::string& argument);

}  // namespace rankme
