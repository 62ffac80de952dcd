#include "support/hdf5_unusual_objects.hpp"

#include <hdf5.h>

#include <cstddef>
#include <vector>

#include "support/hdf5_writer_core.hpp"
#include "support/matrix_size.hpp"

namespace rankme::testing {

// The fixture writers' shared machinery (hdf5_writer_core.hpp).
using namespace hdf5_writer;

void write_string_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_string_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  constexpr std::size_t length = 8;
  const char values[6][length] = {"r0c0", "r0c1", "r1c0", "r1c1", "r2c0", "r2c1"};
  with_file(file, where, [&](hid_t file_id) {
    Handle type = copy_type(H5T_C_S1, where);
    check(H5Tset_size(type.get(), length), where + ": H5Tset_size failed");
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), where + ": H5Tset_strpad failed");
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, type.get(), space.get(), H5P_DEFAULT, type.get(), values,
                   where);
  });
}

void write_compound_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_compound_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  struct Record {
    double a;
    int b;
  };
  const Record values[6] = {{1, -1}, {2, -2}, {3, -3}, {4, -4}, {5, -5}, {6, -6}};
  with_file(file, where, [&](hid_t file_id) {
    // Memory layout has padding after b; the file layout is packed and little endian, so no
    // uninitialised padding bytes reach the file and the file is the same on every host.
    Handle memory_type(H5Tcreate(H5T_COMPOUND, sizeof(Record)), H5Tclose,
                       where + ": H5Tcreate failed");
    check(H5Tinsert(memory_type.get(), "a", offsetof(Record, a), H5T_NATIVE_DOUBLE),
          where + ": H5Tinsert(a) failed");
    check(H5Tinsert(memory_type.get(), "b", offsetof(Record, b), H5T_NATIVE_INT),
          where + ": H5Tinsert(b) failed");
    Handle file_type(H5Tcreate(H5T_COMPOUND, 8 + 4), H5Tclose, where + ": H5Tcreate failed");
    check(H5Tinsert(file_type.get(), "a", 0, H5T_IEEE_F64LE), where + ": H5Tinsert(a) failed");
    check(H5Tinsert(file_type.get(), "b", 8, H5T_STD_I32LE), where + ": H5Tinsert(b) failed");
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, file_type.get(), space.get(), H5P_DEFAULT, memory_type.get(),
                   values, where);
  });
}

void write_array_of_rank(const std::string& file, const std::string& path,
                         const std::vector<std::uint64_t>& dims) {
  const std::string where = describe("write_array_of_rank", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  std::size_t count = 1;
  for (const std::uint64_t d : dims) count = element_count(count, d, where);
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<float>(i + 1);
  with_file(file, where, [&](hid_t file_id) {
    Handle space = dims.empty()
                       ? Handle(H5Screate(H5S_SCALAR), H5Sclose, where + ": H5Screate failed")
                       : simple_space(std::vector<hsize_t>(dims.begin(), dims.end()), where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5T_NATIVE_FLOAT,
                   count > 0 ? values.data() : nullptr, where);
  });
}

void write_scalar_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_scalar_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const double value = 42.0;
  with_file(file, where, [&](hid_t file_id) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, where + ": H5Screate(H5S_SCALAR) failed");
    create_dataset(file_id, absolute, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   &value, where);
  });
}

void write_null_dataspace_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_null_dataspace_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle space(H5Screate(H5S_NULL), H5Sclose, where + ": H5Screate(H5S_NULL) failed");
    create_dataset(file_id, absolute, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   nullptr, where);
  });
}

void write_bitfield_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_bitfield_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const unsigned char values[6] = {1, 2, 3, 4, 5, 6};
  with_file(file, where, [&](hid_t file_id) {
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, H5T_STD_B8LE, space.get(), H5P_DEFAULT, H5T_NATIVE_B8, values,
                   where);
  });
}

void write_enum_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_enum_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const char* const names[3] = {"RED", "GREEN", "BLUE"};
  const int values[6] = {0, 1, 2, 2, 1, 0};
  with_file(file, where, [&](hid_t file_id) {
    // The file type's member values must be given in its base type's (little-endian) layout, the
    // memory type's in native layout; HDF5 then converts between the two by member name.
    Handle file_type(H5Tenum_create(H5T_STD_I32LE), H5Tclose, where + ": H5Tenum_create failed");
    Handle memory_type(H5Tenum_create(H5T_NATIVE_INT), H5Tclose, where + ": H5Tenum_create failed");
    for (int i = 0; i < 3; ++i) {
      const unsigned char little_endian[4] = {static_cast<unsigned char>(i), 0, 0, 0};
      check(H5Tenum_insert(file_type.get(), names[i], little_endian),
            where + ": H5Tenum_insert failed");
      check(H5Tenum_insert(memory_type.get(), names[i], &i), where + ": H5Tenum_insert failed");
    }
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, file_type.get(), space.get(), H5P_DEFAULT, memory_type.get(),
                   values, where);
  });
}

void write_float_type_dataset(const std::string& file, const std::string& path, std::size_t spos,
                              std::size_t epos, std::size_t esize, std::size_t mpos,
                              std::size_t msize, std::size_t size_bytes, std::size_t ebias) {
  const std::string where = describe("write_float_type_dataset", file, "dataset", path) +
                            " (fields " + std::to_string(spos) + "," + std::to_string(epos) + "," +
                            std::to_string(esize) + "," + std::to_string(mpos) + "," +
                            std::to_string(msize) + ", " + std::to_string(size_bytes) +
                            " bytes, bias " + std::to_string(ebias) + ")";
  const std::string absolute = absolute_object_path(path, where);
  const double values[4] = {1, 2, 3, 4};
  with_file(file, where, [&](hid_t file_id) {
    Handle type = copy_type(size_bytes > 4 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE, where);
    // HDF5 insists that the fields always fit in the current precision, so the order depends on
    // the direction: grow size and precision before moving the fields out, or move the fields in
    // before shrinking (which reduces the precision to the new size).
    if (size_bytes > H5Tget_size(type.get())) {
      check(H5Tset_size(type.get(), size_bytes), where + ": H5Tset_size failed");
      check(H5Tset_precision(type.get(), 8 * size_bytes), where + ": H5Tset_precision failed");
      check(H5Tset_fields(type.get(), spos, epos, esize, mpos, msize),
            where + ": H5Tset_fields failed");
    } else {
      check(H5Tset_fields(type.get(), spos, epos, esize, mpos, msize),
            where + ": H5Tset_fields failed");
      check(H5Tset_size(type.get(), size_bytes), where + ": H5Tset_size failed");
    }
    check(H5Tset_ebias(type.get(), ebias), where + ": H5Tset_ebias failed");
    Handle space = simple_space({2, 2}, where);
    create_dataset(file_id, absolute, type.get(), space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   values, where);
  });
}


void write_attribute_only_group(const std::string& file, const std::string& group_path) {
  const std::string where = describe("write_attribute_only_group", file, "group", group_path);
  const std::string absolute = absolute_object_path(group_path, where);
  const double values[4] = {1, 2, 3, 4};
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    Handle group(H5Gcreate2(file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                 H5Gclose, where + ": H5Gcreate2 failed");
    Handle space = simple_space({2, 2}, where);
    Handle attribute(
        H5Acreate2(group.get(), "matrix", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose, where + ": H5Acreate2(\"matrix\") failed");
    check(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, values), where + ": H5Awrite failed");
    attribute.close(where + ": closing the attribute failed");
    group.close(where + ": closing the group failed");
  });
}

}  // namespace rankme::testing
