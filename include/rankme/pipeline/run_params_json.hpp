#pragma once
// Params (run_params.hpp) as JSON: the `params` object of the results, and of the targets that rank 0
// broadcasts after discovery.
#include <nlohmann/json.hpp>

#include "rankme/pipeline/run_params.hpp"

namespace rankme {

// The results' `params` object: {"lr": 0.001, "opt": "adamw", "epoch": 100}, keys in order; numbers stay
// numbers and text stays text.
nlohmann::json params_to_json(const Params& params);
// The inverse: null gives no params, a null value no entry; true/false become 1/0; other kinds throw std::runtime_error.
Params params_from_json(const nlohmann::json& json);

}  // namespace rankme
