#include "rankme/dataset_discovery.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

#include "rankme/collective_status.hpp"
#include "rankme/crash_isolation.hpp"
#include "rankme/dataset_selection.hpp"
#include "rankme/hdf5_dataset.hpp"
#include "rankme/hdf5_error.hpp"
#include "rankme/hdf5_file.hpp"

namespace rankme {

namespace {

// Size and modification time of `path` (zeros when it cannot be examined).
void stamp_file_identity(DatasetTarget& target) {
  struct stat status {};
  if (::stat(target.file.c_str(), &status) != 0) return;
  target.file_size = static_cast<std::uint64_t>(status.st_size);
  target.file_mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec;
}

// `not_a_matrix` tells a whole-file scan or a pattern which failures to skip with a note (labels, strings,
// 3-D arrays) rather than report as errors (an incomplete or unreadable matrix is the user's data gone wrong).
DatasetTarget describe_target(hid_t file, const std::string& file_name, const std::string& path,
                              bool* not_a_matrix = nullptr) {
  DatasetTarget target;
  target.file = file_name;
  target.dataset = path;
  stamp_file_identity(target);
  try {
    Hdf5Handle dataset = open_dataset(file, path);
    const DatasetDescription description = describe_dataset(dataset.get());
    target.dtype = description.type_description;
    target.type = description.type;
    target.chunk_dims = description.chunk_dims;
    if (description.dims.size() == 2) {
      target.rows = description.dims[0];
      target.cols = description.dims[1];
    }
    if (auto reason = description.unsupported_reason()) {
      target.error = *reason;
      if (not_a_matrix != nullptr) *not_a_matrix = true;
    } else if (auto missing = description.incompleteness()) {
      target.error = *missing;
    }
  } catch (const std::exception& error) {
    target.error = error.what();
  }
  if (!target.error.empty()) target.error = "dataset '" + path + "' in '" + file_name + "': " + target.error;
  return target;
}

DatasetTarget failed_target(const std::string& file, const std::string& dataset, const std::string& error) {
  DatasetTarget failed;
  failed.file = file;
  failed.dataset = dataset;
  failed.error = error;
  return failed;
}

// The datasets below the root whose paths a pattern accepts, walking groups in name order through hard
// links only. A group is walked again only when reached in a new pattern state: a hard-linked group (h5py's
// f["final"] = f["epoch 100"]) is found by a pattern that names only its second name, cycles end, and a
// whole-file scan ("/**") walks each group once, as H5Ovisit would.
struct PatternWalk {
  const Hdf5PathPattern& pattern;
  std::set<std::pair<haddr_t, Hdf5PathPattern::States>> walked;
  std::set<haddr_t> found;                // datasets, by address: one entry however many names match
  std::vector<std::string> dataset_paths;
  bool matched_a_group = false;           // for a better message when nothing else matched
};

herr_t collect_hard_link(hid_t, const char* name, const H5L_info_t* info, void* names) {
  if (info->type == H5L_TYPE_HARD) static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}

H5O_info_t object_info(hid_t location, const std::string& name, const std::string& path) {
  H5O_info_t info;
  check_hdf5(H5Oget_info_by_name2(location, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
             "cannot examine '" + path + "'");
  return info;
}

// HDF5 1.10.8 lists a compact group (links stored in its object header) through a table of as many entries
// as the header counted link messages, and when decoding one of them fails it frees every entry, the
// unfilled ones too: uninitialised pointers (found by tests/fuzz; ASan SEGV or "free(): invalid pointer").
// Looking up a name that is not there decodes every link message in turn without any table, so a damaged
// one fails it cleanly first, and the group is reported as unlistable instead of being listed.
void check_link_messages_decode(hid_t group, const std::string& path) {
  const char* absent_name = "rankme: a name no link has";  // a lookup; '/' and '.' would be traversals
  check_hdf5(H5Lexists(group, absent_name, H5P_DEFAULT), "cannot list group '" + (path.empty() ? "/" : path) + "'");
}

void walk_group(hid_t group, const std::string& path, const Hdf5PathPattern::States& states, PatternWalk& walk) {
  check_link_messages_decode(group, path);
  std::vector<std::string> names;  // collected first: no HDF5 calls of our own inside H5Literate
  // Native order, sorted here, not H5_ITER_INC: for a group with dense link storage HDF5 1.10 gives name
  // order by building a table of as many links as the B-tree header claims, filling what it can read and
  // then freeing every entry, so a damaged file whose tree holds fewer links frees uninitialised pointers
  // ("free(): invalid pointer", found by tests/fuzz). Native order walks the tree itself, no table; the
  // sort (byte order, as HDF5's strcmp) gives the name order back.
  check_hdf5(H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_hard_link, &names),
             "cannot list group '" + (path.empty() ? "/" : path) + "'");
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const Hdf5PathPattern::States next = walk.pattern.advance(states, name);
    if (Hdf5PathPattern::is_dead(next)) continue;  // nothing at or below this link can match
    const std::string child = path + "/" + name;
    const H5O_info_t info = object_info(group, name, child);
    if (info.type == H5O_TYPE_DATASET) {
      if (walk.pattern.accepts(next) && walk.found.insert(info.addr).second) walk.dataset_paths.push_back(child);
    } else if (info.type == H5O_TYPE_GROUP) {
      walk.matched_a_group = walk.matched_a_group || walk.pattern.accepts(next);
      if (!walk.walked.insert({info.addr, next}).second) continue;
      Hdf5Handle subgroup(check_hdf5(H5Gopen2(group, name.c_str(), H5P_DEFAULT), "cannot open group '" + child + "'"),
                          H5Gclose);
      walk_group(subgroup.get(), child, next, walk);
    }
  }
}

// Whether `path` names an object exactly as written, asked one link at a time (H5Lexists fails instead of
// answering "no" when an intermediate group is missing or is a dataset).
bool exists_as_written(hid_t file, const std::string& path) {
  std::string prefix;
  std::size_t begin = 0;
  while (begin < path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (end > begin) {
      prefix += "/" + path.substr(begin, end - begin);
      if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    begin = end + 1;
  }
  return !prefix.empty();
}

// A whole-file scan (no pattern) or a pattern's matches: matrices become targets, other datasets notes.
void discover_matches(hid_t file, const InputSpec& input, const std::optional<std::string>& pattern_text,
                      Discovery& discovery) {
  const Hdf5PathPattern pattern(pattern_text.value_or("/**"));
  PatternWalk walk{pattern, {}, {}, {}, false};
  try {
    const Hdf5PathPattern::States start = pattern.start();
    walk.walked.insert({object_info(file, "/", "/").addr, start});
    walk_group(file, "", start, walk);
  } catch (const std::exception& error) {
    discovery.targets.push_back(failed_target(input.file, pattern_text.value_or(""),
                                              "cannot list the datasets of '" + input.file + "': " + error.what()));
    return;
  }
  // Byte order of the whole path, the order --shard relies on (walk order puts "/a/b" before "/a b").
  std::sort(walk.dataset_paths.begin(), walk.dataset_paths.end());
  std::size_t found = 0;
  for (const std::string& path : walk.dataset_paths) {
    bool not_a_matrix = false;
    DatasetTarget target = describe_target(file, input.file, path, &not_a_matrix);
    if (not_a_matrix) {
      discovery.notes.push_back("skipped " + target.error);
    } else {
      discovery.targets.push_back(target);
      ++found;
    }
  }
  if (found > 0) return;
  // The notes above say what was skipped.
  std::string error;
  if (!pattern_text) {
    error = "'" + input.file + "' holds no 2-D numeric dataset to score";
  } else if (walk.dataset_paths.empty()) {
    error = "pattern '" + *pattern_text + "' matches no dataset in '" + input.file + "'" +
            (walk.matched_a_group ? " (only groups: add the dataset's name, or '/**')" : "");
  } else {
    error = "pattern '" + *pattern_text + "' in '" + input.file + "' matches no 2-D numeric dataset to score";
  }
  discovery.targets.push_back(failed_target(input.file, pattern_text.value_or(""), error));
}

void discover_in_file(const InputSpec& input, Discovery& discovery) {
  if (!input.error.empty()) {
    discovery.targets.push_back(failed_target(input.file, "", input.error));
    return;
  }
  Hdf5Handle file;
  try {
    file = open_file_alone(input.file);
  } catch (const std::exception& error) {
    discovery.targets.push_back(failed_target(input.file, input.dataset.value_or(""), error.what()));
    return;
  }
  if (!input.dataset) {
    discover_matches(file.get(), input, std::nullopt, discovery);
    return;
  }
  // A name that exists as written wins over any reading of its wildcards or backslashes.
  const std::string& written = *input.dataset;
  const bool has_escapes = written.find('\\') != std::string::npos;
  if ((input.pattern || has_escapes) && !exists_as_written(file.get(), written)) {
    if (input.pattern) {
      discover_matches(file.get(), input, written, discovery);
    } else {
      discovery.targets.push_back(describe_target(file.get(), input.file, unescape_hdf5_path(written)));
    }
    return;
  }
  discovery.targets.push_back(describe_target(file.get(), input.file, written));
}

nlohmann::json to_json(const DatasetTarget& target) {
  nlohmann::json json = {{"file", target.file},   {"dataset", target.dataset}, {"rows", target.rows},
                         {"cols", target.cols},   {"dtype", target.dtype},     {"chunk", target.chunk_dims},
                         {"error", target.error}, {"has_type", target.type.has_value()},
                         {"file_size", target.file_size}, {"file_mtime_ns", target.file_mtime_ns}};
  if (target.type) {
    json["kind"] = static_cast<int>(target.type->kind);
    json["bytes"] = target.type->bytes;
    json["big_endian"] = target.type->big_endian;
  }
  return json;
}

DatasetTarget target_from_json(const nlohmann::json& json) {
  DatasetTarget target;
  target.file = json.at("file").get<std::string>();
  target.dataset = json.at("dataset").get<std::string>();
  target.rows = json.at("rows").get<std::uint64_t>();
  target.cols = json.at("cols").get<std::uint64_t>();
  target.dtype = json.at("dtype").get<std::string>();
  target.chunk_dims = json.at("chunk").get<std::vector<std::uint64_t>>();
  target.error = json.at("error").get<std::string>();
  target.file_size = json.at("file_size").get<std::uint64_t>();
  target.file_mtime_ns = json.at("file_mtime_ns").get<std::int64_t>();
  if (json.at("has_type").get<bool>()) {
    target.type = StoredType{static_cast<StoredType::Kind>(json.at("kind").get<int>()), json.at("bytes").get<int>(),
                             json.at("big_endian").get<bool>()};
  }
  return target;
}

// CBOR rather than JSON text, because HDF5 names are bytes, not necessarily UTF-8. A failure of the
// discovery itself travels as {"fatal": message}.
std::string serialise(const Discovery& discovery) {
  nlohmann::json json = {{"targets", nlohmann::json::array()}, {"notes", discovery.notes}};
  for (const DatasetTarget& target : discovery.targets) json["targets"].push_back(to_json(target));
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(json);
  return std::string(bytes.begin(), bytes.end());
}

std::string serialise_failure(const std::string& message) {
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(nlohmann::json{{"fatal", message}});
  return std::string(bytes.begin(), bytes.end());
}

// Returns the failure message of a serialised failure.
std::optional<std::string> deserialise(const std::string& bytes, Discovery& into) {
  const nlohmann::json json = nlohmann::json::from_cbor(bytes);
  if (json.contains("fatal")) return json.at("fatal").get<std::string>();
  for (const auto& target : json.at("targets")) into.targets.push_back(target_from_json(target));
  for (const auto& note : json.at("notes")) into.notes.push_back(note.get<std::string>());
  return std::nullopt;
}

// Metadata of even a large file lists in seconds; a child still busy with one input after this long is
// stuck in a loop of a damaged file's making.
constexpr double discovery_timeout_seconds = 600;

// Every input is listed in a child process (crash_isolation.hpp): HDF5 crashing (or looping) on a damaged
// file makes that input an error target, and the others are still listed and scored.
void discover_isolated(const std::vector<InputSpec>& inputs, Discovery& discovery) {
  const std::vector<IsolatedOutcome> outcomes = run_in_child_processes(
      inputs.size(),
      [&](std::size_t index) {
        Discovery part;
        try {
          discover_in_file(inputs[index], part);
        } catch (const std::exception& error) {
          return serialise_failure(error.what());
        }
        return serialise(part);
      },
      discovery_timeout_seconds);
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const InputSpec& input = inputs[index];
    if (outcomes[index].output) {
      if (auto failure = deserialise(*outcomes[index].output, discovery)) throw std::runtime_error(*failure);
      continue;
    }
    discovery.targets.push_back(failed_target(input.file, input.dataset.value_or(""),
                                              "HDF5 " + outcomes[index].failure + " while reading the metadata of '" +
                                                  input.file + "': the file is damaged (or beyond this HDF5); not scored"));
  }
}

}  // namespace

Discovery discover_targets(const std::vector<InputSpec>& inputs) {
  Discovery discovery;
  if (discovery_isolation_enabled()) {
    discover_isolated(inputs, discovery);
  } else {
    for (const InputSpec& input : inputs) discover_in_file(input, discovery);
  }
  return discovery;
}

Discovery discover_targets_on_root(const Communicator& comm, const std::vector<InputSpec>& inputs, int root) {
  return discover_on_root(comm, [&] { return discover_targets(inputs); }, root);
}

Discovery discover_on_root(const Communicator& comm, const std::function<Discovery()>& discover, int root) {
  // Whatever happens on the root, it reaches the broadcast below (the only thing the other ranks wait
  // for): a failure becomes a CollectiveError everywhere.
  std::string serialised;
  if (comm.rank() == root) {
    try {
      serialised = serialise(discover());
    } catch (const std::exception& error) {
      serialised = serialise_failure(std::string("dataset discovery failed: ") + error.what());
    }
  }
  comm.broadcast(serialised, root);
  Discovery discovery;
  if (auto failure = deserialise(serialised, discovery)) throw CollectiveError(*failure);
  return discovery;
}

}  // namespace rankme
