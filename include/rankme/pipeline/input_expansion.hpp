#pragma once
// Command-line arguments to inputs: a directory becomes the tensor files below it, anything else is one
// input (parse_input_spec).
#include <string>
#include <vector>

#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// Expands command-line arguments into inputs, in argument order:
//  * a directory becomes every *.h5 / *.hdf5 file below it (recursively; symbolic links to directories are
//    not followed, so a link loop cannot run forever), sorted by path;
//  * anything else goes through parse_input_spec (FILE, FILE:DATASET, FILE:PATTERN).
// Never throws for a bad argument: a directory with no tensor file, an unreadable directory, a missing
// "DIR/" or a "DIR:DATASET" becomes an InputSpec with `error` set, which discovery reports as an error
// target naming it (so it takes part in sorting and sharding like any other entry).
std::vector<InputSpec> expand_arguments(const std::vector<std::string>& arguments);

}  // namespace rankme
