#pragma once
// Params (run_params.hpp) as CSV columns: `param.<key>`, one per key of the union over every row of a file or
// report, sorted, after every other column, so that pandas gets one frame with the same columns in every row.
// A row without a key has an empty cell (so an empty text value reads back as absent).
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/run_params.hpp"

namespace rankme {

inline constexpr const char* param_column_prefix = "param.";

// The sorted union of the keys of every target's (or result's) params.
std::vector<std::string> param_keys_of(const std::vector<DatasetTarget>& targets);
std::vector<std::string> param_keys_of(const std::vector<DatasetResult>& results);
// The sorted union of two key lists.
std::vector<std::string> union_of_keys(const std::vector<std::string>& a, const std::vector<std::string>& b);

// A value as a CSV cell or a table cell (not yet quoted): numbers in their shortest round-trip form ("0.001",
// "100", "1e-05"), text as it is.
std::string param_text(const ParamValue& value);

// The header's param columns (",param.lr,param.wd", fields quoted where needed) and one row's cells.
std::string param_header_columns(const std::vector<std::string>& keys);
std::string param_cells(const Params& params, const std::vector<std::string>& keys);

// Whether a header field is a param column, and its key.
bool is_param_column(const std::string& name);
std::string param_key_of_column(const std::string& name);

}  // namespace rankme
