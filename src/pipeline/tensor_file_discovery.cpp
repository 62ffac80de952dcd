#include "rankme/pipeline/dataset_suggestion.hpp"
#include "rankme/pipeline/tensor_file_discovery.hpp"

#include <algorithm>
#include <optional>

#include "rankme/formats/array_layout.hpp"
#include "rankme/formats/tensor_file.hpp"
#include "rankme/os/canonical_path.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/pipeline/hdf5_path_pattern.hpp"

namespace rankme {

std::optional<std::string> not_a_matrix_reason(const TensorEntry& entry) {
  const std::string what = entry.dtype + " " + shape_text(entry.shape) + ": ";
  if (!entry.type) {
    return what + "element type is not numeric (rankme reads float16/32/64, bfloat16 and 8- to 64-bit integers)";
  }
  if (entry.shape.size() < 2) return what + std::to_string(entry.shape.size()) + "-D, not a 2-D rows x columns matrix";
  for (std::size_t axis = 0; axis < entry.shape.size(); ++axis) {
    if (entry.shape[axis] == 0) {
      return what + (axis == 0 ? "no rows" : axis + 1 == entry.shape.size() ? "no columns" : "an empty axis");
    }
  }
  return std::nullopt;
}

namespace {

DatasetTarget target_of_entry(const InputSpec& input, FileFormat format, const FileFingerprint* fingerprint,
                              const TensorEntry& entry) {
  DatasetTarget target;
  target.file = input.file;
  target.dataset = entry.name;
  target.format = format_name(format);
  target.dtype = entry.dtype;
  target.type = entry.type;
  target.shape = entry.shape;
  if (entry.shape.size() == 2) {
    target.rows = entry.shape[0];
    target.cols = entry.shape[1];
  }
  if (fingerprint != nullptr) {
    target.file_size = fingerprint->size;
    target.file_mtime_ns = fingerprint->mtime_ns;
    // The same array reached through another spelling of the file (or a hard link) is listed once.
    target.object_identity = std::to_string(fingerprint->device) + ":" + std::to_string(fingerprint->inode) + ":" + entry.name;
  }
  target.canonical_file = canonical_path(input.file).value_or("");
  return target;
}

std::string described(const DatasetTarget& target, const std::string& reason) {
  return "dataset '" + target.dataset + "' in '" + target.file + "': " + reason;
}

}  // namespace

void discover_in_tensor_file(const InputSpec& input, FileFormat format, Discovery& discovery) {
  std::vector<TensorEntry> entries;
  std::optional<FileFingerprint> fingerprint;
  try {
    const ReadOnlyFile file(input.file);
    fingerprint = FileFingerprint::examine(input.file);
    entries = list_tensor_file(file, format);
  } catch (const std::exception& error) {
    discovery.targets.push_back(failed_target(input.file, input.dataset.value_or(""), error.what()));
    return;
  }
  const FileFingerprint* identity = fingerprint ? &*fingerprint : nullptr;
  // FILE:DATASET: the array of that name (as written, else with its escapes resolved).
  if (input.dataset && !input.pattern) {
    const std::string& written = *input.dataset;
    auto named = std::find_if(entries.begin(), entries.end(), [&](const TensorEntry& e) { return e.name == written; });
    if (named == entries.end()) {
      const std::string unescaped = unescape_hdf5_path(written);
      named = std::find_if(entries.begin(), entries.end(), [&](const TensorEntry& e) { return e.name == unescaped; });
    }
    if (named == entries.end()) {
      std::vector<std::string> names;
      for (const TensorEntry& entry : entries) names.push_back(entry.name);
      discovery.targets.push_back(failed_target(input.file, written,
                                                "dataset '" + written + "' in '" + input.file + "': no such " +
                                                    format_name(format) + " array (" +
                                                    nearest_datasets_text(written, names) + ")"));
      return;
    }
    DatasetTarget target = target_of_entry(input, format, identity, *named);
    if (auto reason = not_a_matrix_reason(*named)) target.error = described(target, *reason);
    target.named_explicitly = true;
    discovery.targets.push_back(std::move(target));
    return;
  }
  // A whole-file scan, or a pattern (a name that exists exactly as written wins over its wildcards).
  const std::optional<std::string> pattern = input.dataset;
  const bool exact_name_exists = pattern && std::any_of(entries.begin(), entries.end(),
                                                        [&](const TensorEntry& e) { return e.name == *pattern; });
  std::size_t matched = 0, found = 0;
  for (const TensorEntry& entry : entries) {
    const bool selected = !pattern || (exact_name_exists ? entry.name == *pattern : hdf5_path_matches(*pattern, entry.name));
    if (!selected) continue;
    ++matched;
    DatasetTarget target = target_of_entry(input, format, identity, entry);
    if (auto reason = not_a_matrix_reason(entry)) {
      discovery.notes.push_back("skipped " + described(target, *reason));
      continue;
    }
    discovery.targets.push_back(std::move(target));
    ++found;
  }
  if (found > 0) return;
  std::string error;
  if (!pattern) {
    error = "'" + input.file + "' holds no 2-D numeric array to score";
  } else if (matched == 0) {
    error = "pattern '" + *pattern + "' matches no array in '" + input.file + "'";
  } else {
    error = "pattern '" + *pattern + "' in '" + input.file + "' matches no 2-D numeric array to score";
  }
  discovery.targets.push_back(failed_target(input.file, pattern.value_or(""), error));
}

}  // namespace rankme
