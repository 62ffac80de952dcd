#include "rankme/pipeline/run_params_json.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <variant>

namespace rankme {

nlohmann::json params_to_json(const Params& params) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : params) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      json[key] = *text;
      continue;
    }
    // Whole numbers as integers ("epoch": 100, not 100.0), as they were written; exact below 2^53.
    const double number = std::get<double>(value);
    if (std::trunc(number) == number && std::fabs(number) < 9007199254740992.0) {
      json[key] = static_cast<std::int64_t>(number);
    } else {
      json[key] = number;
    }
  }
  return json;
}

Params params_from_json(const nlohmann::json& json) {
  Params params;
  if (!json.is_object()) return params;  // null: written before rankme reported params
  for (const auto& [key, value] : json.items()) {
    if (value.is_number()) {
      params[key] = value.get<double>();
    } else if (value.is_string()) {
      params[key] = value.get<std::string>();
    } else if (value.is_null()) {
      continue;  // a nonfinite number, which JSON text writes as null: as if absent
    } else if (value.is_boolean()) {
      params[key] = value.get<bool>() ? 1.0 : 0.0;
    } else {
      throw std::runtime_error("param '" + key + "' is neither a number nor a string");
    }
  }
  return params;
}

}  // namespace rankme
