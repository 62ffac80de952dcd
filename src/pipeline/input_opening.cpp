#include "rankme/pipeline/input_opening.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "rankme/formats/tensor_file.hpp"
#include "rankme/io/concatenated_row_source.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/io/pooled_row_source.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

namespace {

// Whether an array of stored shape `dims` still is what discovery listed: the stored shape as listed, and
// the scored matrix as listed (the matrix itself, or the array's pooled).
bool same_shape_as_listed(const std::vector<std::uint64_t>& dims, const DatasetTarget& target) {
  bool same = target.shape.empty() || dims == target.shape;
  if (target.pool == PoolMode::none) {
    return same && dims.size() == 2 && dims[0] == target.rows && dims[1] == target.cols;
  }
  return same && dims.size() > 2 && pooled_matrix_shape(dims, target.pool) == std::make_pair(target.rows, target.cols);
}

// The file may have changed between discovery and now (another job rewriting it): score only what was
// listed, or say that it changed.
DatasetDescription check_unchanged(hid_t dataset, const DatasetTarget& target) {
  DatasetDescription now = describe_dataset(dataset);
  const bool same = same_shape_as_listed(now.dims, target) && now.type.has_value() && target.type.has_value() &&
                    *now.type == *target.type;
  if (!same) {
    throw std::runtime_error("changed while rankme ran (now " + now.type_description + " " + now.shape() + ")");
  }
  if (auto missing = now.incompleteness()) throw std::runtime_error(*missing);
  if (auto filter = now.missing_filter()) throw std::runtime_error(*filter);
  return now;
}

// HDF5: the file opened collectively, the dataset read through parallel HDF5.
std::unique_ptr<RowSource> open_hdf5_source(const Communicator& comm, const DatasetTarget& target,
                                            FileFingerprint& opened) {
  Hdf5Handle file = open_file_on_all_ranks(target.file, comm);
  std::unique_ptr<RowSource> source;
  run_stage(comm, [&] {
    Hdf5Handle dataset = open_dataset(file.get(), target.dataset);
    opened = FileFingerprint::of(target.file);
    const DatasetDescription description = check_unchanged(dataset.get(), target);
    // Compressed chunks are decoded on as many threads as BLAS runs: the rank's cores.
    source = std::make_unique<Hdf5RowSource>(std::move(file), std::move(dataset), description, target.file,
                                             current_blas_threads());
  });
  return source;
}

// The other tensor formats: every rank lists the file itself (headers only) and reads its own rows by
// position.
std::unique_ptr<RowSource> open_tensor_file_source(const Communicator& comm, const DatasetTarget& target,
                                                   FileFingerprint& opened) {
  std::unique_ptr<RowSource> source;
  run_stage(comm, [&] {
    const ReadOnlyFile file(target.file);
    opened = FileFingerprint::of(target.file);
    const FileFormat format = detect_file_format(target.file);
    if (format_name(format) != target.format) {
      throw std::runtime_error("changed while rankme ran (now a " + format_name(format) + " file)");
    }
    const std::vector<TensorEntry> entries = list_tensor_file(file, format);
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const TensorEntry& listed) { return listed.name == target.dataset; });
    if (entry == entries.end()) throw std::runtime_error("changed while rankme ran (no array '" + target.dataset + "' now)");
    if (!same_shape_as_listed(entry->shape, target) || !entry->type || !target.type || !(*entry->type == *target.type)) {
      throw std::runtime_error("changed while rankme ran (now " + entry->dtype + " " + shape_text(entry->shape) + ")");
    }
    source = open_tensor_source(target.file, *entry);
  });
  return source;
}

// One stored array, pooled when its target says so.
OpenedInput open_one(const Communicator& comm, const DatasetTarget& target) {
  OpenedInput input;
  input.source = target.format == "hdf5" ? open_hdf5_source(comm, target, input.opened)
                                         : open_tensor_file_source(comm, target, input.opened);
  if (target.pool != PoolMode::none) {
    run_stage(comm, [&] {
      input.source = std::make_unique<PooledRowSource>(std::move(input.source), target.shape, target.pool);
    });
  }
  return input;
}

}  // namespace

OpenedInput open_input(const Communicator& comm, const DatasetTarget& target) {
  if (target.parts.empty()) return open_one(comm, target);
  // --concat: every part opened as itself (each checked against its own listing), then stacked.
  std::vector<std::unique_ptr<RowSource>> parts;
  std::vector<FileFingerprint> opened;
  for (const DatasetTarget& part : target.parts) {
    OpenedInput one = open_one(comm, part);
    parts.push_back(std::move(one.source));
    opened.push_back(one.opened);
  }
  OpenedInput input;
  run_stage(comm, [&] {
    input.source = std::make_unique<ConcatenatedRowSource>(std::move(parts));
    input.opened = ConcatenatedRowSource::combine(opened);  // each part as it was opened
  });
  return input;
}

}  // namespace rankme
