#include "support/hdf5_custom_floats.hpp"

#include <hdf5.h>

#include <stdexcept>

#include "support/hdf5_writer_core.hpp"

namespace rankme::testing {

// The fixture writers' shared machinery (hdf5_writer_core.hpp).
using namespace hdf5_writer;

std::vector<double> write_custom_float_matrix(const std::string& file, const std::string& path,
                                              const std::vector<double>& row_major, std::uint64_t rows,
                                              std::uint64_t cols, const CustomFloatLayout& layout,
                                              std::uint64_t chunk_rows) {
  const std::string where = describe("write_custom_float_matrix", file, "dataset", path);
  if (row_major.size() != rows * cols) throw std::invalid_argument(where + ": values do not match the shape");
  const std::string absolute = absolute_object_path(path, where);
  std::vector<double> stored(row_major.size());
  with_file(file, where, [&](hid_t file_id) {
    Handle type = copy_type(layout.bytes > 4 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE, where);
    // HDF5 wants the fields inside the precision at every step: grow before moving them out, move them in
    // before shrinking.
    if (layout.bytes > H5Tget_size(type.get())) {
      check(H5Tset_size(type.get(), layout.bytes), where + ": H5Tset_size");
      check(H5Tset_precision(type.get(), 8 * layout.bytes), where + ": H5Tset_precision");
      check(H5Tset_fields(type.get(), layout.sign_position, layout.exponent_position, layout.exponent_bits,
                          layout.mantissa_position, layout.mantissa_bits), where + ": H5Tset_fields");
    } else {
      check(H5Tset_fields(type.get(), layout.sign_position, layout.exponent_position, layout.exponent_bits,
                          layout.mantissa_position, layout.mantissa_bits), where + ": H5Tset_fields");
      check(H5Tset_size(type.get(), layout.bytes), where + ": H5Tset_size");
    }
    check(H5Tset_ebias(type.get(), layout.exponent_bias), where + ": H5Tset_ebias");
    if (layout.big_endian) check(H5Tset_order(type.get(), H5T_ORDER_BE), where + ": H5Tset_order");
    Handle space = simple_space({rows, cols}, where);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate");
    if (chunk_rows != 0) {
      const hsize_t chunk[2] = {chunk_rows, cols};
      check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk");
    }
    create_dataset(file_id, absolute, type.get(), space.get(), dcpl.get(), H5T_NATIVE_DOUBLE, row_major.data(), where);
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2");
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored.data()),
          where + ": reading back through HDF5's conversion");
  });
  return stored;
}

}  // namespace rankme::testing
