#include "rankme/pipeline/input_opening.hpp"

#include <stdexcept>
#include <utility>

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

}  // namespace

OpenedInput open_input(const Communicator& comm, const DatasetTarget& target) {
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
