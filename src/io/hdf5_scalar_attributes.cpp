#include "rankme/io/hdf5_scalar_attributes.hpp"

#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "rankme/io/hdf5_handle.hpp"

namespace rankme {

namespace {

using Value = std::variant<double, std::string>;

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}

bool is_usable_name(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Whether the attribute holds exactly one element.
bool holds_one_element(hid_t attribute) {
  Hdf5Handle space(H5Aget_space(attribute), H5Sclose);
  if (!space.valid()) return false;
  const H5S_class_t kind = H5Sget_simple_extent_type(space.get());
  if (kind == H5S_SCALAR) return true;
  return kind == H5S_SIMPLE && H5Sget_simple_extent_npoints(space.get()) == 1;
}

std::optional<Value> read_number(hid_t attribute, hid_t type, H5T_class_t type_class) {
  if (type_class == H5T_INTEGER) {
    if (H5Tget_sign(type) == H5T_SGN_NONE) {
      unsigned long long value = 0;
      if (H5Aread(attribute, H5T_NATIVE_ULLONG, &value) < 0) return std::nullopt;
      return static_cast<double>(value);
    }
    long long value = 0;
    if (H5Aread(attribute, H5T_NATIVE_LLONG, &value) < 0) return std::nullopt;
    return static_cast<double>(value);
  }
  double value = 0;
  if (H5Aread(attribute, H5T_NATIVE_DOUBLE, &value) < 0 || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<Value> read_text(hid_t attribute, hid_t type) {
  Hdf5Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
  if (!memory_type.valid() || H5Tset_cset(memory_type.get(), H5Tget_cset(type)) < 0) return std::nullopt;
  const htri_t variable = H5Tis_variable_str(type);
  if (variable < 0) return std::nullopt;
  std::string text;
  if (variable > 0) {
    if (H5Tset_size(memory_type.get(), H5T_VARIABLE) < 0) return std::nullopt;
    char* value = nullptr;
    if (H5Aread(attribute, memory_type.get(), &value) < 0) return std::nullopt;
    if (value != nullptr) text = value;
    H5free_memory(value);  // what HDF5 allocated for a scalar variable-length string
  } else {
    const std::size_t size = H5Tget_size(type);
    if (size == 0 || size > max_attribute_text_bytes) return std::nullopt;
    // One more byte, NUL-terminated in memory whatever the file's padding.
    if (H5Tset_size(memory_type.get(), size + 1) < 0 || H5Tset_strpad(memory_type.get(), H5T_STR_NULLTERM) < 0) {
      return std::nullopt;
    }
    std::vector<char> buffer(size + 1, '\0');
    if (H5Aread(attribute, memory_type.get(), buffer.data()) < 0) return std::nullopt;
    text.assign(buffer.data(), ::strnlen(buffer.data(), buffer.size()));
    if (H5Tget_strpad(type) == H5T_STR_SPACEPAD) {
      while (!text.empty() && text.back() == ' ') text.pop_back();
    }
  }
  if (text.size() > max_attribute_text_bytes) return std::nullopt;
  return text;
}

// An enum by its member's name: h5py's booleans (members FALSE and TRUE) as 0 and 1.
std::optional<Value> read_enum(hid_t attribute, hid_t type) {
  Hdf5Handle memory_type(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
  if (!memory_type.valid()) return std::nullopt;
  const std::size_t size = H5Tget_size(memory_type.get());
  if (size == 0 || size > 16) return std::nullopt;
  unsigned char value[16] = {};
  if (H5Aread(attribute, memory_type.get(), value) < 0) return std::nullopt;
  char name[max_attribute_text_bytes + 1] = {};
  if (H5Tenum_nameof(memory_type.get(), value, name, sizeof name) < 0) return std::nullopt;
  const std::string member(name);
  if (H5Tget_nmembers(type) == 2) {
    if (member == "FALSE") return 0.0;
    if (member == "TRUE") return 1.0;
  }
  return member;
}

std::optional<Value> read_value(hid_t object, const std::string& name) {
  Hdf5Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.valid() || !holds_one_element(attribute.get())) return std::nullopt;
  Hdf5Handle type(H5Aget_type(attribute.get()), H5Tclose);
  if (!type.valid()) return std::nullopt;
  const H5T_class_t type_class = H5Tget_class(type.get());
  switch (type_class) {
    case H5T_INTEGER:
    case H5T_FLOAT: return read_number(attribute.get(), type.get(), type_class);
    case H5T_STRING: return read_text(attribute.get(), type.get());
    case H5T_ENUM: return read_enum(attribute.get(), type.get());
    default: return std::nullopt;
  }
}

}  // namespace

ScalarAttributes read_scalar_attributes(hid_t object) {
  std::vector<std::string> names;  // collected first: no HDF5 calls of our own inside H5Aiterate2
  // Native order (no index table to build, as for links in hdf5_link_walk); the map orders them.
  hsize_t position = 0;
  if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, &position, collect_name, &names) < 0) names.clear();
  ScalarAttributes attributes;
  for (const std::string& name : names) {
    if (!is_usable_name(name)) continue;
    if (std::optional<Value> value = read_value(object, name)) attributes[name] = std::move(*value);
  }
  return attributes;
}

}  // namespace rankme
