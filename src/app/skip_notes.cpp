#include "rankme/app/skip_notes.hpp"

#include <map>
#include <optional>

namespace rankme {

namespace {

// The parts of the pipeline's "skipped dataset 'D' in 'F': REASON" (dataset_discovery, tensor_file_discovery,
// target_pooling, target_lidar all write it so).
struct SkipNote {
  std::string dataset;
  std::string file;
  std::string reason;
};

std::optional<SkipNote> parse_skip_note(const std::string& note) {
  static const std::string prefix = "skipped dataset '", in = "' in '", colon = "': ";
  if (note.rfind(prefix, 0) != 0) return std::nullopt;
  const std::size_t in_at = note.find(in, prefix.size());
  if (in_at == std::string::npos) return std::nullopt;
  const std::size_t colon_at = note.find(colon, in_at + in.size());
  if (colon_at == std::string::npos) return std::nullopt;
  return SkipNote{note.substr(prefix.size(), in_at - prefix.size()),
                  note.substr(in_at + in.size(), colon_at - in_at - in.size()), note.substr(colon_at + colon.size())};
}

}  // namespace

std::vector<std::string> summarise_skip_notes(const std::vector<std::string>& notes, bool verbose) {
  if (verbose) return notes;
  std::map<std::string, std::vector<SkipNote>> by_file;
  for (const std::string& note : notes) {
    if (auto skip = parse_skip_note(note)) by_file[skip->file].push_back(*skip);
  }
  std::vector<std::string> summary;
  for (const std::string& note : notes) {
    const auto skip = parse_skip_note(note);
    if (!skip) {
      summary.push_back(note);
      continue;
    }
    auto found = by_file.find(skip->file);
    if (found == by_file.end()) continue;  // summarised at its first note
    const std::vector<SkipNote>& skipped = found->second;
    if (skipped.size() == 1) {
      summary.push_back(note);
    } else {
      std::size_t need_pool = 0;
      for (const SkipNote& each : skipped) need_pool += each.reason.find("--pool") != std::string::npos ? 1 : 0;
      std::string line = "'" + skip->file + "': " + std::to_string(skipped.size()) + " datasets skipped, e.g. '" +
                         skip->dataset + "' (" + skip->reason + ")";
      if (need_pool > 0 && skip->reason.find("--pool") == std::string::npos) {
        line += "; " + std::to_string(need_pool) + " of them need --pool mean|first|last|flatten";
      }
      summary.push_back(line + "; --verbose lists them");
    }
    by_file.erase(found);
  }
  return summary;
}

}  // namespace rankme
