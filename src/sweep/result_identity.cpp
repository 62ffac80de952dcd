#include "rankme/sweep/result_identity.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "rankme/os/canonical_path.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

// JSON can hold only UTF-8: names are compared as a JSON line stores them.
std::string as_stored_in_json(const std::string& text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return text;
  const std::string dumped = json_text(nlohmann::json(text));
  return nlohmann::json::parse(dumped).get<std::string>();
}

}  // namespace

ResultIdentity identity_of(const DatasetResult& result) {
  const std::string file =
      !result.canonical_file.empty() ? result.canonical_file : canonical_path(result.file).value_or(result.file);
  return {as_stored_in_json(file), as_stored_in_json(result.dataset), result.rows, result.cols, result.file_size,
          result.file_mtime_ns};
}

ResultIdentity identity_of(const DatasetTarget& target) {
  const std::string& file = !target.canonical_file.empty() ? target.canonical_file : target.file;
  return {as_stored_in_json(file), as_stored_in_json(target.dataset), target.rows, target.cols, target.file_size,
          target.file_mtime_ns};
}

}  // namespace rankme
