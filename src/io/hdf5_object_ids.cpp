#include "rankme/io/hdf5_object_ids.hpp"

#include <hdf5.h>

#include <stdexcept>

#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_handle.hpp"

namespace rankme {

std::vector<std::int64_t> read_object_ids(const std::string& file, const std::string& path, std::uint64_t expected_rows,
                                          std::uint64_t first, std::uint64_t count) {
  const SilenceHdf5Errors silence;
  const std::string what = "--groups dataset '" + path + "'";
  Hdf5Handle opened = open_file_alone(file);
  Hdf5Handle dataset;
  try {
    dataset = open_dataset(opened.get(), path);
  } catch (const std::exception& error) {
    throw std::runtime_error(what + ": " + error.what());
  }
  Hdf5Handle type(check_hdf5(H5Dget_type(dataset.get()), what), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER) {
    throw std::runtime_error(what + " does not hold integers (object ids, one per row, are needed)");
  }
  Hdf5Handle space(check_hdf5(H5Dget_space(dataset.get()), what), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hsize_t dims[2] = {0, 0};
  if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || (rank == 2 && dims[1] != 1)) {
    throw std::runtime_error(what + " is not 1-D (object ids, one per row, are needed)");
  }
  if (dims[0] != expected_rows) {
    throw std::runtime_error(what + " has " + std::to_string(dims[0]) + " ids for " + std::to_string(expected_rows) +
                             " rows");
  }
  if (first + count > expected_rows) throw std::out_of_range("read_object_ids: rows beyond the dataset");
  std::vector<std::int64_t> ids(static_cast<std::size_t>(count));
  if (count == 0) return ids;
  hsize_t start[2] = {first, 0}, extent[2] = {count, 1};
  check_hdf5(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, extent, nullptr), what);
  Hdf5Handle memory(check_hdf5(H5Screate_simple(rank, extent, nullptr), what), H5Sclose);
  // HDF5 converts any integer type to int64 (an unsigned 64-bit id beyond INT64_MAX fails to convert).
  check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_INT64, memory.get(), space.get(), H5P_DEFAULT, ids.data()),
             "reading " + what);
  return ids;
}

}  // namespace rankme
