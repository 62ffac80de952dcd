#include "rankme/pipeline/input_opening.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "rankme/formats/tensor_file.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

namespace {

// The file may have changed between discovery and now (another job rewriting it): score only what was
// listed, or say that it changed.
DatasetDescription check_unchanged(hid_t dataset, const DatasetTarget& target) {
  DatasetDescription now = describe_dataset(dataset);
  const bool same = now.dims.size() == 2 && now.dims[0] == target.rows && now.dims[1] == target.cols &&
                    now.type.has_value() && target.type.has_value() && *now.type == *target.type;
  if (!same) {
    throw std::runtime_error("changed while rankme ran (now " + now.type_description + " " + now.shape() + ")");
  }
  if (auto missing = now.incompleteness()) throw std::runtime_error(*missing);
  if (auto filter = now.missing_filter()) throw std::runtime_error(*filter);
  return now;
}

// The tensor formats: every rank lists the file itself (headers only) and reads its own rows by position.
OpenedInput open_tensor_input(const Communicator& comm, const DatasetTarget& target) {
  OpenedInput input;
  run_stage(comm, [&] {
    const ReadOnlyFile file(target.file);
    input.opened = FileFingerprint::of(target.file);
    const FileFormat format = detect_file_format(target.file);
    if (format_name(format) != target.format) {
      throw std::runtime_error("changed while rankme ran (now a " + format_name(format) + " file)");
    }
    const std::vector<TensorEntry> entries = list_tensor_file(file, format);
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const TensorEntry& listed) { return listed.name == target.dataset; });
    if (entry == entries.end()) throw std::runtime_error("changed while rankme ran (no array '" + target.dataset + "' now)");
    std::unique_ptr<RowSource> source = open_tensor_source(target.file, *entry);
    if (source->rows() != target.rows || source->cols() != target.cols || !target.type ||
        !(source->stored_type() == *target.type)) {
      throw std::runtime_error("changed while rankme ran (now " + entry->dtype + " " + shape_text(entry->shape) + ")");
    }
    input.source = std::move(source);
  });
  return input;
}

}  // namespace

OpenedInput open_input(const Communicator& comm, const DatasetTarget& target) {
  if (target.format != "hdf5") return open_tensor_input(comm, target);
  Hdf5Handle file = open_file_on_all_ranks(target.file, comm);
  OpenedInput input;
  run_stage(comm, [&] {
    Hdf5Handle dataset = open_dataset(file.get(), target.dataset);
    input.opened = FileFingerprint::of(target.file);
    const DatasetDescription description = check_unchanged(dataset.get(), target);
    input.source = std::make_unique<Hdf5RowSource>(std::move(file), std::move(dataset), description, target.file);
  });
  return input;
}

}  // namespace rankme
