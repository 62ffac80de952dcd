#pragma once
// A run's hyperparameters (`params` in the results): what a path's `key=value` tokens and the HDF5
// attributes say about the run that wrote a dataset, and the checkpoint's position (`epoch` or `step`).
#include <map>
#include <string>
#include <variant>

namespace rankme {

// A number (every value that parses whole as a finite double) or the text as written.
using ParamValue = std::variant<double, std::string>;
// Ordered by key, so every report lists a result's params in one order.
using Params = std::map<std::string, ParamValue>;

}  // namespace rankme
