#include "rankme/pipeline/dataset_discovery.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/os/canonical_path.hpp"
#include "rankme/os/crash_isolation.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/pipeline/dataset_selection.hpp"

namespace rankme {

namespace {

// Size, modification time and canonical path of `path` (zeros and empty when it cannot be examined).
void stamp_file_identity(DatasetTarget& target) {
  if (const auto fingerprint = FileFingerprint::examine(target.file)) {
    target.file_size = fingerprint->size;
    target.file_mtime_ns = fingerprint->mtime_ns;
  }
  target.canonical_file = canonical_path(target.file).value_or("");
}

// "device:inode" of the file at `path`, or empty when it cannot be examined.
std::string device_and_inode(const std::string& path) {
  const auto fingerprint = FileFingerprint::examine(path);
  return fingerprint ? std::to_string(fingerprint->device) + ":" + std::to_string(fingerprint->inode) : "";
}

// Which stored object `dataset` is, whatever link reached it: the device and inode of the file that holds
// it (an external link's target file, not the file the path started in) and its address there. Empty
// when the file cannot be examined.
std::string object_identity(hid_t dataset) {
  const ssize_t length = H5Fget_name(dataset, nullptr, 0);
  H5O_info_t info;
  if (length <= 0 || H5Oget_info2(dataset, &info, H5O_INFO_BASIC) < 0) return "";
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  H5Fget_name(dataset, name.data(), name.size());
  name.resize(static_cast<std::size_t>(length));
  const std::string file = device_and_inode(name);
  return file.empty() ? "" : file + ":" + std::to_string(info.addr);
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
    target.object_identity = object_identity(dataset.get());
    const std::string own_file = device_and_inode(file_name);
    target.through_external_link = !target.object_identity.empty() && !own_file.empty() &&
                                   target.object_identity.rfind(own_file + ":", 0) != 0;
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
//
// Soft links the pattern accepts are resolved after the walk: one to a dataset that no hard link matched is
// listed under the soft link's name (in a whole-file scan every dataset has a hard link, so none is), one
// that cannot be resolved (dangling, a cycle) gets a note. Soft links to groups are not walked (cycles).
// External links leave the file: they get a note saying how to score their target instead.
struct PatternWalk {
  const Hdf5PathPattern& pattern;
  const std::string& file;                // as given, for notes
  std::set<std::pair<haddr_t, Hdf5PathPattern::States>> walked;
  std::set<haddr_t> found;                // datasets, by address: one entry however many names match
  std::vector<std::string> dataset_paths;
  std::vector<std::string> soft_links;    // accepted soft links, resolved after the walk
  std::vector<std::string> notes;
  bool matched_a_group = false;           // for a better message when nothing else matched
};

struct LinkName {
  std::string name;
  H5L_type_t type;
};

herr_t collect_link(hid_t, const char* name, const H5L_info_t* info, void* names) {
  static_cast<std::vector<LinkName>*>(names)->push_back({name, info->type});
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
  std::vector<LinkName> links;  // collected first: no HDF5 calls of our own inside H5Literate
  // Native order, sorted here, not H5_ITER_INC: for a group with dense link storage HDF5 1.10 gives name
  // order by building a table of as many links as the B-tree header claims, filling what it can read and
  // then freeing every entry, so a damaged file whose tree holds fewer links frees uninitialised pointers
  // ("free(): invalid pointer", found by tests/fuzz). Native order walks the tree itself, no table; the
  // sort (byte order, as HDF5's strcmp) gives the name order back.
  check_hdf5(H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_link, &links),
             "cannot list group '" + (path.empty() ? "/" : path) + "'");
  std::sort(links.begin(), links.end(), [](const LinkName& a, const LinkName& b) { return a.name < b.name; });
  for (const auto& [name, type] : links) {
    const Hdf5PathPattern::States next = walk.pattern.advance(states, name);
    if (Hdf5PathPattern::is_dead(next)) continue;  // nothing at or below this link can match
    const std::string child = path + "/" + name;
    if (type == H5L_TYPE_SOFT) {
      if (walk.pattern.accepts(next)) walk.soft_links.push_back(child);
      continue;
    }
    if (type == H5L_TYPE_EXTERNAL) {
      if (walk.pattern.accepts(next)) {
        walk.notes.push_back("skipped external link '" + child + "' in '" + walk.file + "' -> " +
                             link_destination(group, name) +
                             ": whole-file scans and patterns stay inside their file; to score it, name it ('" +
                             walk.file + ":" + child + "') or its target file");
      }
      continue;
    }
    if (type != H5L_TYPE_HARD) continue;  // user-defined link classes
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

// The accepted soft links, after every hard link was walked (so a dataset keeps its hard name).
void resolve_soft_links(hid_t file, PatternWalk& walk) {
  for (const std::string& link : walk.soft_links) {
    H5O_info_t info;
    const herr_t resolved = H5Oget_info_by_name2(file, link.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (resolved < 0) {
      const std::string reason = hdf5_error_reason();
      walk.notes.push_back("skipped soft link '" + link + "' in '" + walk.file + "' -> " + link_destination(file, link) +
                           ": it leads nowhere (" +
                           (reason.find("too many links") != std::string::npos ? "a cycle of soft links" : reason) + ")");
    } else if (info.type == H5O_TYPE_DATASET && walk.found.insert(info.addr).second) {
      walk.dataset_paths.push_back(link);
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
  PatternWalk walk{pattern, input.file, {}, {}, {}, {}, {}, false};
  try {
    const Hdf5PathPattern::States start = pattern.start();
    walk.walked.insert({object_info(file, "/", "/").addr, start});
    walk_group(file, "", start, walk);
    resolve_soft_links(file, walk);
  } catch (const std::exception& error) {
    discovery.targets.push_back(failed_target(input.file, pattern_text.value_or(""),
                                              "cannot list the datasets of '" + input.file + "': " + error.what()));
    return;
  }
  discovery.notes.insert(discovery.notes.end(), walk.notes.begin(), walk.notes.end());
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
      discovery.targets.back().named_explicitly = true;
    }
    return;
  }
  discovery.targets.push_back(describe_target(file.get(), input.file, written));
  discovery.targets.back().named_explicitly = true;
}

nlohmann::json to_json(const DatasetTarget& target) {
  nlohmann::json json = {{"file", target.file},   {"dataset", target.dataset}, {"rows", target.rows},
                         {"cols", target.cols},   {"dtype", target.dtype},     {"chunk", target.chunk_dims},
                         {"error", target.error}, {"has_type", target.type.has_value()},
                         {"file_size", target.file_size}, {"file_mtime_ns", target.file_mtime_ns},
                         {"canonical_file", target.canonical_file},
                         {"object_identity", target.object_identity},
                         {"through_external_link", target.through_external_link},
                         {"named_explicitly", target.named_explicitly}};
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
  target.canonical_file = json.at("canonical_file").get<std::string>();
  target.object_identity = json.at("object_identity").get<std::string>();
  target.through_external_link = json.at("through_external_link").get<bool>();
  target.named_explicitly = json.at("named_explicitly").get<bool>();
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

namespace {
// Drops the entries of scans and patterns whose stored dataset is listed under another name (see
// discover_targets), in the order found.
void remove_repeated_objects(Discovery& discovery) {
  const auto preferred = [](const DatasetTarget& a, const DatasetTarget& b) {
    return std::make_tuple(!a.named_explicitly, a.through_external_link, a.file, a.dataset) <
           std::make_tuple(!b.named_explicitly, b.through_external_link, b.file, b.dataset);
  };
  std::map<std::string, const DatasetTarget*> kept;
  for (const DatasetTarget& target : discovery.targets) {
    if (target.object_identity.empty()) continue;
    auto [entry, inserted] = kept.emplace(target.object_identity, &target);
    if (!inserted && preferred(target, *entry->second)) entry->second = &target;
  }
  std::vector<DatasetTarget> targets;
  for (const DatasetTarget& target : discovery.targets) {
    const DatasetTarget* keeper = target.object_identity.empty() ? &target : kept.at(target.object_identity);
    // Every name given explicitly is scored as asked; the same entry twice is dropped by
    // remove_repeated_targets after sorting.
    if (keeper == &target || target.named_explicitly || (target.file == keeper->file && target.dataset == keeper->dataset)) {
      targets.push_back(target);
    } else {
      discovery.notes.push_back("'" + target.dataset + "' in '" + target.file + "' is the same dataset as '" +
                                keeper->dataset + "' in '" + keeper->file + "': scored once, as the latter");
    }
  }
  discovery.targets = std::move(targets);
}
}  // namespace

Discovery discover_targets(const std::vector<InputSpec>& inputs) {
  Discovery discovery;
  if (discovery_isolation_enabled()) {
    discover_isolated(inputs, discovery);
  } else {
    for (const InputSpec& input : inputs) discover_in_file(input, discovery);
  }
  remove_repeated_objects(discovery);
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
