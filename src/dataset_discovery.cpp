#include "rankme/dataset_discovery.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "rankme/collective_status.hpp"
#include "rankme/hdf5_dataset.hpp"
#include "rankme/hdf5_error.hpp"
#include "rankme/hdf5_file.hpp"

namespace rankme {

namespace {

// `not_a_matrix` tells a whole-file scan which failures to skip with a note (labels, strings, 3-D arrays)
// rather than report as errors (an incomplete or unreadable matrix is the user's data gone wrong).
// Size and modification time of `path` (zeros when it cannot be examined).
void stamp_file_identity(DatasetTarget& target) {
  struct stat status {};
  if (::stat(target.file.c_str(), &status) != 0) return;
  target.file_size = static_cast<std::uint64_t>(status.st_size);
  target.file_mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec;
}

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

struct VisitState {
  std::vector<std::string> dataset_paths;
};

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* state_pointer) {
  if (info->type == H5O_TYPE_DATASET) {
    static_cast<VisitState*>(state_pointer)->dataset_paths.push_back(std::string("/") + name);
  }
  return 0;
}

void discover_in_file(const InputSpec& input, Discovery& discovery) {
  Hdf5Handle file;
  try {
    file = open_file_alone(input.file);
  } catch (const std::exception& error) {
    DatasetTarget failed;
    failed.file = input.file;
    failed.dataset = input.dataset.value_or("");
    failed.error = error.what();
    discovery.targets.push_back(failed);
    return;
  }
  if (input.dataset) {
    discovery.targets.push_back(describe_target(file.get(), input.file, *input.dataset));
    return;
  }
  // H5Ovisit reaches every object once through hard links, in name order: a dataset linked twice is
  // scored once, and the order is stable.
  VisitState state;
  if (H5Ovisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &state) < 0) {
    DatasetTarget failed;
    failed.file = input.file;
    failed.error = "cannot list the datasets of '" + input.file + "': " + hdf5_error_reason();
    discovery.targets.push_back(failed);
    return;
  }
  std::size_t found = 0;
  for (const std::string& path : state.dataset_paths) {
    bool not_a_matrix = false;
    DatasetTarget target = describe_target(file.get(), input.file, path, &not_a_matrix);
    if (not_a_matrix) {
      discovery.notes.push_back("skipped " + target.error);
    } else {
      discovery.targets.push_back(target);
      ++found;
    }
  }
  if (found == 0) {
    DatasetTarget failed;
    failed.file = input.file;
    failed.error = "'" + input.file + "' holds no 2-D numeric dataset to score";  // notes above say what it holds
    discovery.targets.push_back(failed);
  }
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

}  // namespace

Discovery discover_targets(const std::vector<InputSpec>& inputs) {
  Discovery discovery;
  for (const InputSpec& input : inputs) discover_in_file(input, discovery);
  return discovery;
}

Discovery discover_targets_on_root(const Communicator& comm, const std::vector<InputSpec>& inputs, int root) {
  // Whatever happens on the root, it reaches the broadcast below (the only thing the other ranks wait
  // for): a failure travels as {"fatal": message} and becomes a CollectiveError everywhere. CBOR rather
  // than JSON text, because HDF5 names are bytes, not necessarily UTF-8.
  std::string serialised;
  if (comm.rank() == root) {
    nlohmann::json json;
    try {
      const Discovery discovery = discover_targets(inputs);
      json = {{"targets", nlohmann::json::array()}, {"notes", discovery.notes}};
      for (const DatasetTarget& target : discovery.targets) json["targets"].push_back(to_json(target));
    } catch (const std::exception& error) {
      json = {{"fatal", std::string("dataset discovery failed: ") + error.what()}};
    }
    const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(json);
    serialised.assign(bytes.begin(), bytes.end());
  }
  comm.broadcast(serialised, root);
  const nlohmann::json json = nlohmann::json::from_cbor(serialised);
  if (json.contains("fatal")) throw CollectiveError(json.at("fatal").get<std::string>());
  Discovery discovery;
  for (const auto& target : json.at("targets")) discovery.targets.push_back(target_from_json(target));
  discovery.notes = json.at("notes").get<std::vector<std::string>>();
  return discovery;
}

}  // namespace rankme
