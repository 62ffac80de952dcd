#include "rankme/pipeline/input_opening.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "rankme/io/concatenated_row_source.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/io/pooled_row_source.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

namespace {

// The file may have changed between discovery and now (another job rewriting it): score only what was
// listed, or say that it changed.
DatasetDescription check_unchanged(hid_t dataset, const DatasetTarget& target) {
  DatasetDescription now = describe_dataset(dataset);
  // The stored shape as listed, and the scored matrix as listed: the matrix itself, or the array's pooled.
  bool same_shape = target.shape.empty() || now.dims == target.shape;
  if (target.pool == PoolMode::none) {
    same_shape = same_shape && now.dims.size() == 2 && now.dims[0] == target.rows && now.dims[1] == target.cols;
  } else {
    same_shape = same_shape && now.dims.size() > 2 &&
                 pooled_matrix_shape(now.dims, target.pool) == std::make_pair(target.rows, target.cols);
  }
  const bool same = same_shape && now.type.has_value() && target.type.has_value() && *now.type == *target.type;
  if (!same) {
    throw std::runtime_error("changed while rankme ran (now " + now.type_description + " " + now.shape() + ")");
  }
  if (auto missing = now.incompleteness()) throw std::runtime_error(*missing);
  return now;
}

// One stored dataset, pooled when its target says so.
OpenedInput open_one(const Communicator& comm, const DatasetTarget& target) {
  Hdf5Handle file = open_file_on_all_ranks(target.file, comm);
  OpenedInput input;
  run_stage(comm, [&] {
    Hdf5Handle dataset = open_dataset(file.get(), target.dataset);
    input.opened = FileFingerprint::of(target.file);
    const DatasetDescription description = check_unchanged(dataset.get(), target);
    input.source = std::make_unique<Hdf5RowSource>(std::move(file), std::move(dataset), description, target.file);
    if (target.pool != PoolMode::none) {
      input.source = std::make_unique<PooledRowSource>(std::move(input.source), target.shape, target.pool);
    }
  });
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
