#include "support/hdf5_unwritten_datasets.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "support/hdf5_writer_core.hpp"
#include "support/matrix_size.hpp"

namespace rankme::testing {

// The fixture writers' shared machinery (hdf5_writer_core.hpp).
using namespace hdf5_writer;

void write_unallocated_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                               std::uint64_t cols) {
  const std::string where = describe("write_unallocated_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0) {
    throw std::invalid_argument(where + ": a chunked dataset needs rows >= 1 and cols >= 1");
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {std::min<hsize_t>(rows, 64), std::min<hsize_t>(cols, 64)};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    // Incremental allocation (the serial default, made explicit): chunks only appear when
    // written, and nothing is ever written here.
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_INCR), where + ": H5Pset_alloc_time failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT,
                   nullptr, where);
  });
}

std::vector<double> write_partially_written_dataset(const std::string& file, const std::string& path,
                                                    std::uint64_t rows, std::uint64_t cols,
                                                    std::uint64_t chunk_rows, std::uint64_t written_rows,
                                                    bool gzip) {
  const std::string where = describe("write_partially_written_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0 || chunk_rows == 0 || chunk_rows > rows || written_rows > rows) {
    throw std::invalid_argument(where + ": needs 1 <= chunk_rows <= rows, written_rows <= rows, cols >= 1");
  }
  std::vector<float> values(element_count(written_rows, cols, where));
  std::vector<double> stored(values.size());
  for (std::uint64_t row = 0; row < written_rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) {
      const std::size_t at = static_cast<std::size_t>(row * cols + col);
      values[at] = static_cast<float>(1.0 + static_cast<double>((row * 7 + col * 3) % 11) / 8.0);
      stored[at] = values[at];
    }
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {chunk_rows, cols};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_INCR), where + ": H5Pset_alloc_time failed");
    if (gzip) check(H5Pset_deflate(dcpl.get(), 4), where + ": H5Pset_deflate failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
    if (written_rows == 0) return;
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2 failed");
    Handle file_space(H5Dget_space(dataset.get()), H5Sclose, where + ": H5Dget_space failed");
    const hsize_t start[2] = {0, 0}, count[2] = {written_rows, cols};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
          where + ": H5Sselect_hyperslab failed");
    Handle memory_space = simple_space({written_rows, cols}, where);
    check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, values.data()),
          where + ": H5Dwrite failed");
    dataset.close(where + ": closing the dataset failed");
  });
  return stored;
}

void write_unwritten_contiguous_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                        std::uint64_t cols) {
  const std::string where = describe("write_unwritten_contiguous_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), where + ": H5Pset_layout failed");
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_LATE), where + ": H5Pset_alloc_time failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
  });
}

void write_early_allocated_unwritten_dataset(const std::string& file, const std::string& path,
                                             std::uint64_t rows, std::uint64_t cols, double fill,
                                             std::uint64_t chunk_rows) {
  const std::string where = describe("write_early_allocated_unwritten_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    if (chunk_rows > 0) {
      const hsize_t chunk[2] = {chunk_rows, cols};
      check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    }
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), where + ": H5Pset_alloc_time failed");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC), where + ": H5Pset_fill_time failed");
    const float fill_value = static_cast<float>(fill);
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &fill_value), where + ": H5Pset_fill_value failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
  });
}

std::vector<double> write_appended_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                           std::uint64_t cols, std::uint64_t chunk_rows, std::uint64_t grown_rows) {
  const std::string where = describe("write_appended_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0 || chunk_rows == 0 || grown_rows < rows) {
    throw std::invalid_argument(where + ": needs rows, cols, chunk_rows >= 1 and grown_rows >= rows");
  }
  std::vector<float> values(element_count(rows, cols, where));
  std::vector<double> stored(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(std::sin(1.0 + 0.7 * static_cast<double>(i)) + (i % (cols + 1) == 0 ? 2.0 : 0.0));
    stored[i] = values[i];
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {chunk_rows, cols};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    const hsize_t dims[2] = {rows, cols}, max_dims[2] = {H5S_UNLIMITED, cols};
    Handle space(H5Screate_simple(2, dims, max_dims), H5Sclose, where + ": H5Screate_simple failed");
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, values.data(), where);
    if (grown_rows == rows) return;
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2 failed");
    const hsize_t grown[2] = {grown_rows, cols};
    check(H5Dset_extent(dataset.get(), grown), where + ": H5Dset_extent failed");
    dataset.close(where + ": closing the dataset failed");
  });
  return stored;
}

}  // namespace rankme::testing
