#include "support/hdf5_attributes.hpp"

#include <algorithm>
#include <cstdint>

#include "support/hdf5_writer_core.hpp"

namespace rankme::testing {

using namespace hdf5_writer;

namespace {

// Opens `object_path` ("/" for the root), creating a group there (and its parents) when nothing exists.
Handle open_or_create_object(hid_t file_id, const std::string& object_path, const std::string& where) {
  if (object_path == "/") return Handle(H5Oopen(file_id, "/", H5P_DEFAULT), H5Oclose, where + ": H5Oopen failed");
  const std::string absolute = absolute_object_path(object_path, where);
  if (H5Lexists(file_id, absolute.c_str(), H5P_DEFAULT) <= 0) {
    Handle lcpl = intermediate_groups_lcpl(where);
    Handle group(H5Gcreate2(file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 where + ": H5Gcreate2 failed");
  }
  return Handle(H5Oopen(file_id, absolute.c_str(), H5P_DEFAULT), H5Oclose, where + ": H5Oopen failed");
}

void write_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                     const std::string& where, hid_t file_type, hid_t space, hid_t memory_type, const void* data) {
  with_file(file, where, [&](hid_t file_id) {
    Handle object = open_or_create_object(file_id, object_path, where);
    Handle attribute(H5Acreate2(object.get(), name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     where + ": H5Acreate2 failed");
    check(H5Awrite(attribute.get(), memory_type, data), where + ": H5Awrite failed");
    attribute.close(where + ": closing the attribute failed");
  });
}

Handle scalar_space(const std::string& where) {
  return Handle(H5Screate(H5S_SCALAR), H5Sclose, where + ": H5Screate(H5S_SCALAR) failed");
}

}  // namespace

void write_number_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                            double value, hid_t file_type, const std::vector<hsize_t>& dims) {
  const std::string where = describe("write_number_attribute", file, "attribute", object_path + " @" + name);
  Handle space = dims.empty() ? scalar_space(where) : simple_space(dims, where);
  hsize_t count = 1;
  for (const hsize_t d : dims) count *= d;
  const std::vector<double> values(std::max<hsize_t>(count, 1), value);  // never a null buffer
  write_attribute(file, object_path, name, where, file_type, space.get(), H5T_NATIVE_DOUBLE, values.data());
}

void write_text_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                          const std::string& text, TextStorage storage, H5T_cset_t cset, std::size_t fixed_size) {
  const std::string where = describe("write_text_attribute", file, "attribute", object_path + " @" + name);
  Handle type = copy_type(H5T_C_S1, where);
  check(H5Tset_cset(type.get(), cset), where + ": H5Tset_cset failed");
  Handle space = scalar_space(where);
  if (storage == TextStorage::variable) {
    check(H5Tset_size(type.get(), H5T_VARIABLE), where + ": H5Tset_size failed");
    const char* pointer = text.c_str();
    write_attribute(file, object_path, name, where, type.get(), space.get(), type.get(), &pointer);
    return;
  }
  const std::size_t size = std::max<std::size_t>({fixed_size, text.size(), 1});
  std::string bytes = text;
  bytes.resize(size, storage == TextStorage::fixed_space_padded ? ' ' : '\0');
  check(H5Tset_size(type.get(), size), where + ": H5Tset_size failed");
  check(H5Tset_strpad(type.get(), storage == TextStorage::fixed_space_padded ? H5T_STR_SPACEPAD : H5T_STR_NULLPAD),
        where + ": H5Tset_strpad failed");
  write_attribute(file, object_path, name, where, type.get(), space.get(), type.get(), bytes.data());
}

void write_bool_attribute(const std::string& file, const std::string& object_path, const std::string& name, bool value) {
  const std::string where = describe("write_bool_attribute", file, "attribute", object_path + " @" + name);
  Handle type(H5Tenum_create(H5T_STD_I8LE), H5Tclose, where + ": H5Tenum_create failed");
  const std::int8_t no = 0, yes = 1;
  check(H5Tenum_insert(type.get(), "FALSE", &no), where + ": H5Tenum_insert failed");
  check(H5Tenum_insert(type.get(), "TRUE", &yes), where + ": H5Tenum_insert failed");
  Handle space = scalar_space(where);
  const std::int8_t stored = value ? yes : no;
  write_attribute(file, object_path, name, where, type.get(), space.get(), type.get(), &stored);
}

void write_compound_attribute(const std::string& file, const std::string& object_path, const std::string& name) {
  const std::string where = describe("write_compound_attribute", file, "attribute", object_path + " @" + name);
  Handle type(H5Tcreate(H5T_COMPOUND, 12), H5Tclose, where + ": H5Tcreate failed");
  check(H5Tinsert(type.get(), "a", 0, H5T_IEEE_F64LE), where + ": H5Tinsert(a) failed");
  check(H5Tinsert(type.get(), "b", 8, H5T_STD_I32LE), where + ": H5Tinsert(b) failed");
  unsigned char bytes[12] = {};
  Handle space = scalar_space(where);
  write_attribute(file, object_path, name, where, type.get(), space.get(), type.get(), bytes);
}

}  // namespace rankme::testing
