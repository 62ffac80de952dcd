#include "file_match.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "rankme/os/canonical_path.hpp"

namespace rankme::agree {

namespace {

namespace fs = std::filesystem;

// The canonical path when the file is reachable from here; else the absolute path, lexically normalised
// (results copied from a cluster name files this machine may not have).
std::string comparable_path(const std::string& path) {
  if (path.empty()) return "";
  if (const std::optional<std::string> canonical = canonical_path(path)) return *canonical;
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  return (error ? fs::path(path) : absolute).lexically_normal().string();
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  for (const fs::path& part : fs::path(path).lexically_normal()) {
    const std::string text = part.string();
    if (!text.empty() && text != "." && text != "/") parts.push_back(text);
  }
  return parts;
}

bool ends_with(const std::vector<std::string>& path, const std::vector<std::string>& ending) {
  if (ending.empty() || ending.size() > path.size()) return false;
  return std::equal(ending.rbegin(), ending.rend(), path.rbegin());
}

}  // namespace

FileIndex::FileIndex(const std::vector<DatasetResult>& results) {
  files_.reserve(results.size());
  for (const DatasetResult& result : results) {
    Spellings spellings;
    spellings.given = result.file;
    spellings.canonical = result.canonical_file.empty() ? comparable_path(result.file) : result.canonical_file;
    spellings.given_components = components(result.file);
    spellings.canonical_components = components(spellings.canonical);
    files_.push_back(std::move(spellings));
  }
}

FileIndex::Match FileIndex::match(const std::string& cell, const std::vector<std::size_t>& candidates) const {
  Match found;
  for (std::size_t i : candidates) {
    if (files_[i].given == cell) found.results.push_back(i);
  }
  if (!found.results.empty()) {
    found.how = "exact";
    return found;
  }
  const std::string canonical = comparable_path(cell);
  for (std::size_t i : candidates) {
    if (!canonical.empty() && files_[i].canonical == canonical) found.results.push_back(i);
  }
  if (!found.results.empty()) {
    found.how = "canonical path";
    return found;
  }
  const std::vector<std::string> ending = components(cell);
  std::set<std::string> files;
  for (std::size_t i : candidates) {
    if (ends_with(files_[i].given_components, ending) || ends_with(files_[i].canonical_components, ending)) {
      found.results.push_back(i);
      files.insert(files_[i].canonical);
    }
  }
  found.how = "path ending";
  if (files.size() > 1) {
    found.problem = "'" + cell + "' is the ending of " + std::to_string(files.size()) + " files (";
    std::size_t listed = 0;
    for (const std::string& file : files) {
      if (listed++ == 3) {
        found.problem += ", ...";
        break;
      }
      found.problem += (listed > 1 ? ", " : "") + file;
    }
    found.problem += "); give more of the path";
    found.results.clear();
  }
  return found;
}

}  // namespace rankme::agree
