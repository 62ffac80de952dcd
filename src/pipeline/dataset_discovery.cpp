#include "rankme/pipeline/dataset_discovery.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "rankme/formats/file_format.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/os/canonical_path.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/pipeline/dataset_suggestion.hpp"
#include "rankme/pipeline/discovery_broadcast.hpp"
#include "rankme/pipeline/hdf5_attribute_params.hpp"
#include "rankme/pipeline/hdf5_link_walk.hpp"
#include "rankme/pipeline/hdf5_path_pattern.hpp"
#include "rankme/pipeline/input_expansion.hpp"
#include "rankme/pipeline/isolated_discovery.hpp"
#include "rankme/pipeline/path_params.hpp"
#include "rankme/pipeline/tensor_file_discovery.hpp"

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
// 1-D arrays) rather than report as errors (an incomplete or unreadable matrix is the user's data gone wrong).
// `attributes` gives the target the params of the file's attributes (the path's are added by discover_targets).
DatasetTarget describe_target(hid_t file, const std::string& file_name, const std::string& path,
                              Hdf5AttributeParams& attributes, bool* not_a_matrix = nullptr) {
  DatasetTarget target;
  target.file = file_name;
  target.dataset = path;
  stamp_file_identity(target);
  try {
    Hdf5Handle dataset = open_dataset(file, path);
    target.object_identity = object_identity(dataset.get());
    target.params = attributes.of(dataset.get(), path);
    const std::string own_file = device_and_inode(file_name);
    target.through_external_link = !target.object_identity.empty() && !own_file.empty() &&
                                   target.object_identity.rfind(own_file + ":", 0) != 0;
    const DatasetDescription description = describe_dataset(dataset.get());
    target.dtype = description.type_description;
    target.type = description.type;
    target.chunk_dims = description.chunk_dims;
    target.shape = description.dims;
    if (description.dims.size() == 2) {
      target.rows = description.dims[0];
      target.cols = description.dims[1];
    }
    // An array of 3 or more axes is listed with its shape; pool_targets (--pool) decides what it becomes.
    const bool pooling_candidate = description.dims.size() > 2 && description.type &&
                                   std::all_of(description.dims.begin(), description.dims.end(), [](auto d) { return d > 0; });
    if (pooling_candidate) {
      if (auto missing = description.incompleteness()) target.error = *missing;
    } else if (auto reason = description.unsupported_reason()) {
      target.error = *reason;
      if (not_a_matrix != nullptr) *not_a_matrix = true;
    } else if (auto missing = description.incompleteness()) {
      target.error = *missing;
    } else if (auto filter = description.missing_filter()) {
      target.error = *filter;
    }
  } catch (const std::exception& error) {
    target.error = error.what();
  }
  if (!target.error.empty()) target.error = "dataset '" + path + "' in '" + file_name + "': " + target.error;
  return target;
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

// FILE:DATASET as described, and when the name leads nowhere in the file, the file's nearest dataset names.
DatasetTarget describe_named_target(hid_t file, const InputSpec& input, const std::string& path,
                                    Hdf5AttributeParams& attributes) {
  DatasetTarget target = describe_target(file, input.file, path, attributes);
  target.named_explicitly = true;
  if (target.error.empty() || exists_as_written(file, path)) return target;
  try {
    const LinkWalk walk = walk_links(file, input.file, Hdf5PathPattern("/**"));
    target.error += " (" + nearest_datasets_text(path, walk.dataset_paths) + ")";
  } catch (const std::exception&) {
    // The file cannot be listed: the error stays as it was, without suggestions.
  }
  return target;
}

// A whole-file scan (no pattern) or a pattern's matches: matrices become targets, other datasets notes.
void discover_matches(hid_t file, const InputSpec& input, const std::optional<std::string>& pattern_text,
                      Hdf5AttributeParams& attributes, Discovery& discovery) {
  LinkWalk walk;
  try {
    walk = walk_links(file, input.file, Hdf5PathPattern(pattern_text.value_or("/**")));
  } catch (const std::exception& error) {
    discovery.targets.push_back(failed_target(input.file, pattern_text.value_or(""),
                                              "cannot list the datasets of '" + input.file + "': " + error.what()));
    return;
  }
  discovery.notes.insert(discovery.notes.end(), walk.notes.begin(), walk.notes.end());
  std::size_t found = 0;
  for (const std::string& path : walk.dataset_paths) {
    bool not_a_matrix = false;
    DatasetTarget target = describe_target(file, input.file, path, attributes, &not_a_matrix);
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
  // The format comes from the file's first bytes; one that cannot be read at all is left to HDF5's open,
  // whose messages say why (missing, a directory, unreadable).
  FileFormat format = FileFormat::unknown;
  try {
    format = detect_file_format(input.file);
  } catch (const std::exception&) {
  }
  if (format != FileFormat::hdf5 && format != FileFormat::unknown) {
    discover_in_tensor_file(input, format, discovery);
    return;
  }
  Hdf5Handle file;
  try {
    file = open_file_alone(input.file);
  } catch (const std::exception& error) {
    std::string message = error.what();
    if (format == FileFormat::unknown && message.find("not an HDF5 file") != std::string::npos) {
      message += "; nor is it .npy, .npz, safetensors or a torch zip file (rankme tells formats by their first bytes)";
    }
    discovery.targets.push_back(failed_target(input.file, input.dataset.value_or(""), message));
    return;
  }
  Hdf5AttributeParams attributes(file.get());
  if (!input.dataset) {
    discover_matches(file.get(), input, std::nullopt, attributes, discovery);
    return;
  }
  // A name that exists as written wins over any reading of its wildcards or backslashes.
  const std::string& written = *input.dataset;
  const bool has_escapes = written.find('\\') != std::string::npos;
  if ((input.pattern || has_escapes) && !exists_as_written(file.get(), written)) {
    if (input.pattern) {
      discover_matches(file.get(), input, written, attributes, discovery);
    } else {
      discovery.targets.push_back(describe_named_target(file.get(), input, unescape_hdf5_path(written), attributes));
    }
    return;
  }
  discovery.targets.push_back(describe_named_target(file.get(), input, written, attributes));
}

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
    discovery = discover_in_child_processes(inputs, [](const InputSpec& input) {
      Discovery part;
      discover_in_file(input, part);
      return part;
    });
  } else {
    for (const InputSpec& input : inputs) discover_in_file(input, discovery);
  }
  remove_repeated_objects(discovery);
  // The names' params under the attributes' (which win), for every format and for failed inputs too: a run
  // whose file is damaged still shows under its hyperparameters.
  for (DatasetTarget& target : discovery.targets) {
    Params params = params_of_dataset_path(target.file, target.dataset);
    for (auto& [key, value] : target.params) params[key] = std::move(value);
    target.params = std::move(params);
  }
  return discovery;
}

Discovery discover_targets_on_root(const Communicator& comm, const std::vector<InputSpec>& inputs, int root) {
  return discover_on_root(comm, [&] { return discover_targets(inputs); }, root);
}

Discovery discover_arguments_on_root(const Communicator& comm, const std::vector<std::string>& arguments, int root) {
  return discover_on_root(comm, [&] { return discover_targets(expand_arguments(arguments)); }, root);
}

}  // namespace rankme
