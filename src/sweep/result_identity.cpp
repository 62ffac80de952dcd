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

// One part of a --concat result as one text: its file, dataset, rows, size and modification time.
std::string part_identity(const std::string& file, const std::string& dataset, std::uint64_t rows,
                          std::uint64_t file_size, std::int64_t file_mtime_ns) {
  return json_text(nlohmann::json::array({as_stored_in_json(file), as_stored_in_json(dataset), rows, file_size,
                                          file_mtime_ns}));
}

}  // namespace

ResultIdentity identity_of(const DatasetResult& result) {
  const std::string file =
      !result.canonical_file.empty() ? result.canonical_file : canonical_path(result.file).value_or(result.file);
  ResultIdentity identity;
  identity.file = as_stored_in_json(file);
  identity.dataset = as_stored_in_json(result.dataset);
  identity.rows = result.rows;
  identity.cols = result.cols;
  identity.file_size = result.file_size;
  identity.file_mtime_ns = result.file_mtime_ns;
  identity.pool = result.pool;
  for (const ResultPart& part : result.parts) {
    const std::string part_file =
        !part.canonical_file.empty() ? part.canonical_file : canonical_path(part.file).value_or(part.file);
    identity.parts.push_back(part_identity(part_file, part.dataset, part.rows, part.file_size, part.file_mtime_ns));
  }
  identity.part_count = std::max<std::uint64_t>(result.part_count, result.parts.size());
  return identity;
}

ResultIdentity identity_of(const DatasetTarget& target) {
  const std::string& file = !target.canonical_file.empty() ? target.canonical_file : target.file;
  ResultIdentity identity;
  identity.file = as_stored_in_json(file);
  identity.dataset = as_stored_in_json(target.dataset);
  identity.rows = target.rows;
  identity.cols = target.cols;
  identity.file_size = target.file_size;
  identity.file_mtime_ns = target.file_mtime_ns;
  if (target.pool != PoolMode::none) identity.pool = pool_mode_name(target.pool);
  for (const DatasetTarget& part : target.parts) {
    const std::string& part_file = !part.canonical_file.empty() ? part.canonical_file : part.file;
    identity.parts.push_back(part_identity(part_file, part.dataset, part.rows, part.file_size, part.file_mtime_ns));
  }
  identity.part_count = target.parts.size();
  return identity;
}

}  // namespace rankme
