#include "rankme/io/hdf5_row_source.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

#include "rankme/io/hdf5_error.hpp"

namespace rankme {

Hdf5RowSource::Hdf5RowSource(Hdf5Handle file, Hdf5Handle dataset, const DatasetDescription& description,
                             std::string path)
    : file_(std::move(file)), dataset_(std::move(dataset)), path_(std::move(path)) {
  if (description.dims.size() < 2 || !description.type) {
    throw std::invalid_argument("not a matrix rankme reads (" + description.type_description + " " +
                                description.shape() + ")");
  }
  type_ = *description.type;
  rows_ = description.dims[0];
  // An N-D array is read as whole samples: dims[0] rows of every other axis's values in C order.
  cols_ = 1;
  for (std::size_t axis = 1; axis < description.dims.size(); ++axis) {
    if (__builtin_mul_overflow(cols_, description.dims[axis], &cols_)) throw std::invalid_argument("too many values per row");
  }
  sample_dims_.assign(description.dims.begin() + 1, description.dims.end());
  file_space_ = Hdf5Handle(check_hdf5(H5Dget_space(dataset_.get()), "H5Dget_space"), H5Sclose);
  // The memory type is the stored type itself, so that HDF5 converts nothing and keeps the transfer
  // collective; widen_to_double does the conversion afterwards.
  memory_type_ = Hdf5Handle(check_hdf5(H5Dget_type(dataset_.get()), "H5Dget_type"), H5Tclose);
  transfer_ = Hdf5Handle(check_hdf5(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(transfer)"), H5Pclose);
  check_hdf5(H5Pset_dxpl_mpio(transfer_.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
}

void Hdf5RowSource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  const hsize_t memory_dims[2] = {std::max<hsize_t>(rows, 1), cols_};
  Hdf5Handle memory_space(check_hdf5(H5Screate_simple(2, memory_dims, nullptr), "H5Screate_simple"), H5Sclose);
  // The read is collective: a rank whose selection failed must still take part in it (selecting nothing)
  // or the others would wait inside H5Dread forever. Its error is raised once the read is over.
  std::exception_ptr selection_failure;
  try {
    if (rows * row_bytes() > out_bytes) throw std::logic_error("a block of " + std::to_string(rows) + " rows does not fit its buffer");
    select_rows(runs);
  } catch (...) {
    selection_failure = std::current_exception();
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
    check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  }
  if (!selection_failure && rows == 0) check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  const std::string which = runs.empty() ? std::string("no rows")
                                         : "rows " + std::to_string(runs.front().first) + ".." +
                                               std::to_string(runs.back().first + runs.back().count);
  check_hdf5(H5Dread(dataset_.get(), memory_type_.get(), memory_space.get(), file_space_.get(), transfer_.get(), out),
             "reading " + which);
  if (selection_failure) std::rethrow_exception(selection_failure);
}

void Hdf5RowSource::select_rows(const std::vector<RowRun>& runs) {
  if (runs.empty()) {
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
    return;
  }
  // Sampled rows come as several runs, OR-ed together. HDF5 hands a selection's elements over in file
  // order, which is the order of the rows in memory (the runs ascend).
  H5S_seloper_t operation = H5S_SELECT_SET;
  for (const RowRun& run : runs) {
    std::vector<hsize_t> start(sample_dims_.size() + 1, 0), count(sample_dims_.size() + 1);
    start[0] = run.first;
    count[0] = run.count;
    std::copy(sample_dims_.begin(), sample_dims_.end(), count.begin() + 1);
    check_hdf5(H5Sselect_hyperslab(file_space_.get(), operation, start.data(), nullptr, count.data(), nullptr),
               "selecting rows");
    operation = H5S_SELECT_OR;
  }
}

bool Hdf5RowSource::last_read_was_collective() const {
  H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
  if (H5Pget_mpio_actual_io_mode(transfer_.get(), &mode) < 0) return false;
  return mode != H5D_MPIO_NO_COLLECTIVE;
}

}  // namespace rankme
