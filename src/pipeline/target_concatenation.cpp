#include "rankme/pipeline/target_concatenation.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "rankme/io/concatenated_row_source.hpp"
#include "rankme/os/canonical_path.hpp"
#include "rankme/pipeline/natural_order.hpp"

namespace rankme {

namespace {

std::string parent_directory(const std::string& file) { return std::filesystem::path(file).parent_path().string(); }

std::string describe_part(const DatasetTarget& part) {
  return "'" + part.file + "' (dataset '" + part.dataset + "': " + std::to_string(part.cols) + " columns of " +
         part.dtype + ")";
}

// Runs of consecutive parts of one directory in natural order of their names, when the run is in byte
// order as a shell glob gives it (emb_rank10 before emb_rank2). A run in any other order was put so by
// hand, and is kept as given.
void naturally_order_directory_runs(std::vector<DatasetTarget>& parts) {
  for (std::size_t begin = 0; begin < parts.size();) {
    std::size_t end = begin + 1;
    while (end < parts.size() && parent_directory(parts[end].file) == parent_directory(parts[begin].file)) ++end;
    const auto first = parts.begin() + static_cast<std::ptrdiff_t>(begin);
    const auto last = parts.begin() + static_cast<std::ptrdiff_t>(end);
    const bool as_a_glob_gives = std::is_sorted(first, last, [](const DatasetTarget& a, const DatasetTarget& b) {
      return a.file < b.file;
    });
    if (as_a_glob_gives) {
      std::stable_sort(first, last, [](const DatasetTarget& a, const DatasetTarget& b) { return natural_less(a.file, b.file); });
    }
    begin = end;
  }
}

// The deepest directory that holds every part, as spelled ("runs/lr0.1" for runs/lr0.1/emb_rank*.npy,
// "runs" for runs/*/emb.npy, "." for relative paths with no directory in common), or "" when the
// spellings share none ("/data/a.npy" and "b.npy").
std::string common_directory(const std::vector<DatasetTarget>& parts) {
  std::filesystem::path common = std::filesystem::path(parts.front().file).parent_path();
  for (const DatasetTarget& part : parts) {
    const std::filesystem::path directory = std::filesystem::path(part.file).parent_path();
    std::filesystem::path shared;
    for (auto a = common.begin(), b = directory.begin(); a != common.end() && b != directory.end() && *a == *b; ++a, ++b) {
      shared /= *a;
    }
    common = shared;
  }
  if (!common.empty()) return common.string();
  const bool all_relative = std::all_of(parts.begin(), parts.end(), [](const DatasetTarget& part) {
    return std::filesystem::path(part.file).is_relative();
  });
  return all_relative ? "." : "";
}

DatasetTarget stack(std::vector<DatasetTarget> parts, const std::string& failed_input) {
  naturally_order_directory_runs(parts);
  const DatasetTarget& first = parts.front();
  DatasetTarget whole;
  const std::string directory = common_directory(parts);
  whole.file = directory.empty() ? first.file : directory;
  whole.dataset = first.dataset;
  whole.cols = first.cols;
  whole.dtype = first.dtype;
  whole.type = first.type;
  whole.chunk_dims = first.chunk_dims;
  whole.pool = first.pool;
  whole.shape = first.shape;
  whole.canonical_file = canonical_path(whole.file).value_or("");
  // The params every part has with the same value: a sweep's shards (runs/lr=0.1/emb_rank3.npy) share the
  // run's, and what tells the parts apart (a rank, a shard number) is no param of the whole.
  whole.params = first.params;
  for (const DatasetTarget& part : parts) {
    for (auto entry = whole.params.begin(); entry != whole.params.end();) {
      const auto found = part.params.find(entry->first);
      entry = found != part.params.end() && found->second == entry->second ? std::next(entry) : whole.params.erase(entry);
    }
  }
  std::vector<FileFingerprint> listed;
  for (const DatasetTarget& part : parts) {
    whole.named_explicitly = whole.named_explicitly || part.named_explicitly;
    FileFingerprint fingerprint;
    fingerprint.size = part.file_size;
    fingerprint.mtime_ns = part.file_mtime_ns;
    listed.push_back(fingerprint);
    if (whole.error.empty() && (part.cols != first.cols || !(part.type == first.type))) {
      whole.error = "--concat: " + describe_part(part) + " does not match " + describe_part(first) +
                    ": the parts of one matrix need the same number of columns and the same dtype";
    }
    if (__builtin_add_overflow(whole.rows, part.rows, &whole.rows)) whole.error = "--concat: more than 2^64 rows";
    if (!whole.shape.empty() && part.shape.size() == whole.shape.size() && &part != &first) whole.shape[0] += part.shape[0];
  }
  // The parts' total size, and their sizes and modification times mixed (not a time): what the stacked
  // source's fingerprint says when the parts are read as listed, so that a result's identity (which takes
  // them from what was read) matches its target's.
  const FileFingerprint combined = ConcatenatedRowSource::combine(listed);
  whole.file_size = combined.size;
  whole.file_mtime_ns = combined.mtime_ns;
  if (whole.error.empty() && !failed_input.empty()) {
    whole.error = "--concat: not scored without its part " + failed_input + ", which failed (see its own error)";
  }
  whole.parts = std::move(parts);
  return whole;
}

}  // namespace

const char* concat_mode_name(ConcatMode mode) {
  switch (mode) {
    case ConcatMode::none: return "none";
    case ConcatMode::all: return "all";
    case ConcatMode::by_directory: return "directory";
  }
  return "none";
}

void concatenate_targets(Discovery& discovery, ConcatMode mode) {
  if (mode == ConcatMode::none) return;
  const auto directory_key = [&](const DatasetTarget& target) {
    return mode == ConcatMode::by_directory ? parent_directory(target.file) : std::string();
  };
  // Groups by (directory key, dataset name), in the order their first part was found; failed inputs by
  // directory key.
  std::vector<std::pair<std::string, std::string>> group_order;
  std::map<std::pair<std::string, std::string>, std::vector<DatasetTarget>> groups;
  std::map<std::string, std::string> failed_input_of;
  std::vector<DatasetTarget> result;
  for (DatasetTarget& target : discovery.targets) {
    if (!target.scorable()) {
      failed_input_of.emplace(directory_key(target), "'" + target.file + "'" +
                                                         (target.dataset.empty() ? "" : " ('" + target.dataset + "')"));
      result.push_back(std::move(target));
      continue;
    }
    const auto key = std::make_pair(directory_key(target), target.dataset);
    auto& group = groups[key];
    if (group.empty()) group_order.push_back(key);
    group.push_back(std::move(target));
  }
  for (const auto& key : group_order) {
    const auto failed = failed_input_of.find(key.first);
    result.push_back(stack(std::move(groups[key]), failed == failed_input_of.end() ? "" : failed->second));
  }
  discovery.targets = std::move(result);
}

}  // namespace rankme
