#include "rankme/io/hdf5_dataset.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_filter_catalogue.hpp"
#include "rankme/io/hdf5_plugin_path.hpp"

namespace rankme {

namespace {

struct IeeeLayout {
  std::size_t bytes, sign_position, exponent_position, exponent_size, mantissa_position, mantissa_size;
  std::size_t exponent_bias;
};
constexpr IeeeLayout ieee_layouts[] = {
    {2, 15, 10, 5, 0, 10, 15},
    {4, 31, 23, 8, 0, 23, 127},
    {8, 63, 52, 11, 0, 52, 1023},
};

std::optional<bool> byte_order_is_big_endian(hid_t type) {
  switch (H5Tget_order(type)) {
    case H5T_ORDER_LE: return false;
    case H5T_ORDER_BE: return true;
    default: return std::nullopt;  // VAX, mixed, none
  }
}

std::optional<StoredType> classify_float(hid_t type, std::string& description) {
  const std::size_t bytes = H5Tget_size(type);
  description = "float" + std::to_string(bytes * 8) + " (a layout rankme cannot read)";
  std::size_t sign_position = 0, exponent_position = 0, exponent_size = 0, mantissa_position = 0, mantissa_size = 0;
  if (H5Tget_fields(type, &sign_position, &exponent_position, &exponent_size, &mantissa_position, &mantissa_size) < 0) {
    return std::nullopt;
  }
  const auto big_endian = byte_order_is_big_endian(type);
  const std::size_t bias = H5Tget_ebias(type);
  const H5T_norm_t norm = H5Tget_norm(type);
  for (const IeeeLayout& ieee : ieee_layouts) {
    const bool matches = bytes == ieee.bytes && H5Tget_precision(type) == bytes * 8 && H5Tget_offset(type) == 0 &&
                         sign_position == ieee.sign_position && exponent_position == ieee.exponent_position &&
                         exponent_size == ieee.exponent_size && mantissa_position == ieee.mantissa_position &&
                         mantissa_size == ieee.mantissa_size && bias == ieee.exponent_bias &&
                         norm == H5T_NORM_IMPLIED && big_endian.has_value();
    if (matches) {
      StoredType stored{StoredType::Kind::floating, static_cast<int>(bytes), *big_endian};
      description = stored.name();
      return stored;
    }
  }
  if (!big_endian) {
    description = "float" + std::to_string(bytes * 8) + " (VAX or mixed byte order, which rankme cannot read)";
    return std::nullopt;
  }
  // bfloat16 (as h5py writes torch's bfloat16 through a custom type): the top half of a float32.
  if (bytes == 2 && sign_position == 15 && exponent_position == 7 && exponent_size == 8 && mantissa_position == 0 &&
      mantissa_size == 7 && bias == 127 && norm == H5T_NORM_IMPLIED) {
    const StoredType stored = StoredType::bfloat16(*big_endian);
    description = stored.name();
    return stored;
  }
  // Any other layout: decoded field by field when a double holds every value exactly, refused (saying
  // why) otherwise. HDF5 keeps sizes in size_t; anything beyond int is refused by float_fields_problem.
  const auto small = [](std::size_t value) { return static_cast<int>(std::min<std::size_t>(value, 1U << 20)); };
  if (norm != H5T_NORM_IMPLIED && norm != H5T_NORM_NONE && norm != H5T_NORM_MSBSET) return std::nullopt;
  FloatFields fields{small(sign_position),     small(exponent_position), small(exponent_size),
                     small(mantissa_position), small(mantissa_size),     static_cast<std::int64_t>(std::min<std::size_t>(bias, 1U << 30)),
                     norm == H5T_NORM_IMPLIED};
  const int element_bytes = small(bytes);
  if (auto problem = float_fields_problem(fields, element_bytes)) {
    description = "float" + std::to_string(bytes * 8) + " (" + std::to_string(exponent_size) + "-bit exponent, " +
                  std::to_string(mantissa_size) + "-bit mantissa: " + *problem + ")";
    return std::nullopt;
  }
  const StoredType stored = StoredType::custom_float(element_bytes, *big_endian, fields);
  description = stored.name();
  return stored;
}

std::optional<StoredType> classify_integer(hid_t type, std::string& description) {
  const std::size_t bytes = H5Tget_size(type);
  const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
  description = std::string(is_signed ? "int" : "uint") + std::to_string(bytes * 8);
  const auto big_endian = byte_order_is_big_endian(type);
  const bool whole_bytes = H5Tget_precision(type) == bytes * 8 && H5Tget_offset(type) == 0;
  if (!whole_bytes) description += " (" + std::to_string(H5Tget_precision(type)) + "-bit precision)";
  if (!big_endian || !whole_bytes || (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)) return std::nullopt;
  StoredType stored{is_signed ? StoredType::Kind::signed_int : StoredType::Kind::unsigned_int,
                    static_cast<int>(bytes), *big_endian};
  description = stored.name();
  return stored;
}

std::string join_dims(const std::vector<std::uint64_t>& dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? "x" : "") + std::to_string(dims[i]);
  return text;
}

}  // namespace

std::optional<StoredType> classify_type(hid_t type, std::string& description) {
  switch (H5Tget_class(type)) {
    case H5T_FLOAT: return classify_float(type, description);
    case H5T_INTEGER: return classify_integer(type, description);
    case H5T_STRING: description = "string"; return std::nullopt;
    case H5T_COMPOUND: description = "compound"; return std::nullopt;
    case H5T_ENUM: description = "enum"; return std::nullopt;
    case H5T_BITFIELD: description = "bitfield"; return std::nullopt;
    case H5T_OPAQUE: description = "opaque"; return std::nullopt;
    case H5T_REFERENCE: description = "reference"; return std::nullopt;
    case H5T_ARRAY: description = "array"; return std::nullopt;
    case H5T_VLEN: description = "variable-length"; return std::nullopt;
    case H5T_TIME: description = "time"; return std::nullopt;
    default: description = "unknown type class"; return std::nullopt;
  }
}

std::string DatasetDescription::shape() const {
  if (null_dataspace) return "null";
  if (dims.empty()) return "scalar";
  return join_dims(dims);
}

std::optional<std::string> DatasetDescription::unsupported_reason() const {
  // Always both the type and the shape: whichever is wrong, the user sees what the dataset is.
  const std::string what = type_description + " " + shape() + ": ";
  if (!type && type_description.rfind("float", 0) == 0) {
    // type_description already says why (the layout, and what a double cannot hold).
    return what + "a floating-point layout rankme cannot convert exactly (it reads every float layout whose values "
                  "a double holds exactly: IEEE float16/32/64, bfloat16, and others of up to 53 significant bits)";
  }
  if (!type) return what + "element type is not numeric (rankme reads IEEE float16/32/64 and 8- to 64-bit integers)";
  if (dims.size() != 2) return what + std::to_string(dims.size()) + "-D, not a 2-D rows x columns matrix";
  if (dims[0] == 0 || dims[1] == 0) return what + "no " + (dims[0] == 0 ? "rows" : "columns");
  return std::nullopt;
}

std::optional<std::string> DatasetDescription::incompleteness() const {
  if (!storage_allocated) {
    return std::string("incomplete: no data was ever written to it (its storage is unallocated, so it would read "
                       "back as fill values)");
  }
  if (storage_bytes < needed_bytes) {
    return "damaged: its storage holds " + std::to_string(storage_bytes) + " bytes where its shape needs " +
           std::to_string(needed_bytes) + " (a truncated or corrupted layout message)";
  }
  if (allocated_chunks < expected_chunks) {
    return "incomplete: only " + std::to_string(allocated_chunks) + " of its " + std::to_string(expected_chunks) +
           " chunks were written (the others would read back as fill values)";
  }
  return std::nullopt;
}

std::optional<std::string> DatasetDescription::missing_filter() const {
  if (unavailable_filters.empty()) return std::nullopt;
  const UnavailableFilter& filter = unavailable_filters.front();
  std::string paths;
  for (const std::string& path : filter_plugin_search_path()) paths += (paths.empty() ? "" : ":") + path;
  return "compressed with HDF5 filter " + std::to_string(filter.id) +
         (filter.name.empty() ? std::string() : " (" + filter.name + ")") +
         ", which this HDF5 cannot load (no plugin for it in " + (paths.empty() ? "the plugin path" : paths) +
         "): install " + filter_source(filter.id);
}

std::string link_destination(hid_t location, const std::string& name) {
  H5L_info_t info;
  if (H5Lget_info(location, name.c_str(), &info, H5P_DEFAULT) < 0) return "";
  if (info.type != H5L_TYPE_SOFT && info.type != H5L_TYPE_EXTERNAL) return "";
  std::string value(info.u.val_size + 1, '\0');
  if (H5Lget_val(location, name.c_str(), value.data(), value.size(), H5P_DEFAULT) < 0) return "";
  if (info.type == H5L_TYPE_SOFT) return "'" + std::string(value.c_str()) + "'";
  const char* target_file = nullptr;
  const char* target_path = nullptr;
  if (H5Lunpack_elink_val(value.data(), value.size(), nullptr, &target_file, &target_path) < 0) return "";
  return "'" + std::string(target_file) + ":" + target_path + "'";
}

namespace {
// Why `path` (whose links all exist) does not resolve, naming the link that fails when it is the last one.
std::string unresolvable_reason(hid_t file, const std::string& path) {
  std::string reason = hdf5_error_reason();
  const bool cycle = reason.find("too many links") != std::string::npos;
  if (cycle) reason = "too many links: a cycle of soft links?";
  H5L_info_t info;
  if (H5Lget_info(file, path.c_str(), &info, H5P_DEFAULT) >= 0) {
    if (info.type == H5L_TYPE_SOFT) {
      return std::string(cycle ? "soft link to " : "dangling soft link to ") + link_destination(file, path) +
             (cycle ? " cannot be resolved (" : " (") + reason + ")";
    }
    if (info.type == H5L_TYPE_EXTERNAL) {
      return "external link to " + link_destination(file, path) + " cannot be followed (" + reason + ")";
    }
  }
  return "cannot resolve the path (a dangling soft or external link on the way?): " + reason;
}
}  // namespace

Hdf5Handle open_dataset(hid_t file, const std::string& path) {
  // H5Oget_info_by_name distinguishes "missing" from "not a dataset" before H5Dopen says only "not found".
  const htri_t exists = path == "/" ? 1 : H5Lexists(file, path.c_str(), H5P_DEFAULT);
  if (exists <= 0) throw std::runtime_error("no such dataset");
  H5O_info_t info;
  if (H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) < 0) {
    throw std::runtime_error(unresolvable_reason(file, path));
  }
  if (info.type == H5O_TYPE_GROUP) throw std::runtime_error("a group, not a dataset");
  if (info.type != H5O_TYPE_DATASET) throw std::runtime_error("not a dataset");
  return Hdf5Handle(check_hdf5(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open the dataset"), H5Dclose);
}

DatasetDescription describe_dataset(hid_t dataset) {
  DatasetDescription description;
  Hdf5Handle space(check_hdf5(H5Dget_space(dataset), "H5Dget_space"), H5Sclose);
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  description.null_dataspace = space_class == H5S_NULL;
  if (space_class == H5S_SIMPLE) {
    const int rank = check_hdf5(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check_hdf5(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims");
    description.dims.assign(dims.begin(), dims.end());
  }
  Hdf5Handle type(check_hdf5(H5Dget_type(dataset), "H5Dget_type"), H5Tclose);
  description.type = classify_type(type.get(), description.type_description);

  Hdf5Handle creation(check_hdf5(H5Dget_create_plist(dataset), "H5Dget_create_plist"), H5Pclose);
  const H5D_layout_t layout = H5Pget_layout(creation.get());
  // Asking whether a filter is available loads its plugin: the system plugin directories must be on the
  // search path first (the file openers add them; a dataset opened otherwise, as in tests, gets them here).
  add_system_filter_plugin_directories();
  const int filter_count = H5Pget_nfilters(creation.get());
  for (int index = 0; index < filter_count; ++index) {
    unsigned flags = 0, filter_config = 0;
    std::size_t value_count = 0;
    char name[256] = {};
    const H5Z_filter_t id = H5Pget_filter2(creation.get(), static_cast<unsigned>(index), &flags, &value_count, nullptr,
                                           sizeof name, name, &filter_config);
    if (id < 0) continue;
    if (H5Zfilter_avail(id) > 0) continue;
    std::string filter_name = known_filter_name(static_cast<int>(id));
    if (filter_name.empty()) filter_name = std::string(name, strnlen(name, sizeof name));
    description.unavailable_filters.push_back({static_cast<int>(id), filter_name});
  }
  if (layout == H5D_CHUNKED) {
    const int chunk_rank = H5Pget_chunk(creation.get(), 0, nullptr);
    if (chunk_rank > 0) {
      std::vector<hsize_t> chunk(static_cast<std::size_t>(chunk_rank));
      H5Pget_chunk(creation.get(), chunk_rank, chunk.data());
      description.chunk_dims.assign(chunk.begin(), chunk.end());
    }
  }
  // Parallel HDF5 1.10 answers a read of unallocated storage with fill values on the ranks that select
  // data, without any MPI call, while ranks that select nothing enter the collective and wait forever:
  // knowing this up front is what keeps such a dataset from hanging the job (and from scoring as zeros).
  H5D_space_status_t space_status = H5D_SPACE_STATUS_ERROR;
  check_hdf5(H5Dget_space_status(dataset, &space_status), "H5Dget_space_status");
  description.storage_allocated = space_status != H5D_SPACE_STATUS_NOT_ALLOCATED;
  const bool has_elements = !description.dims.empty() &&
                            std::all_of(description.dims.begin(), description.dims.end(), [](auto d) { return d > 0; });
  if (!description.storage_allocated && !has_elements) description.storage_allocated = true;  // nothing to write
  if (description.chunk_dims.size() == description.dims.size() && has_elements) {
    description.expected_chunks = 1;
    for (std::size_t i = 0; i < description.dims.size(); ++i) {
      description.expected_chunks *= (description.dims[i] + description.chunk_dims[i] - 1) / description.chunk_dims[i];
    }
    hsize_t allocated = 0;
    // HDF5 1.10 rejects H5S_ALL here: it wants the dataspace itself (whose selection is "all").
    check_hdf5(H5Dget_num_chunks(dataset, space.get(), &allocated), "H5Dget_num_chunks");
    description.allocated_chunks = allocated;
  }
  // HDF5 1.10.8 trusts the size in a version 3 layout message: a compact dataset of 6x3 doubles whose
  // message says 16 bytes is read by copying 144 bytes out of a 16-byte buffer (a heap overflow inside
  // H5Dread, found by tests/fuzz), and a short contiguous block reads whatever follows it in the file.
  // H5Dget_storage_size reports that size; a dataset that needs more is not read at all.
  const bool one_block = layout == H5D_COMPACT || (layout == H5D_CONTIGUOUS && H5Pget_external_count(creation.get()) == 0);
  if (one_block && has_elements && description.storage_allocated) {
    std::uint64_t needed = H5Tget_size(type.get());
    for (const std::uint64_t d : description.dims) {
      if (__builtin_mul_overflow(needed, d, &needed)) needed = std::numeric_limits<std::uint64_t>::max();
    }
    description.needed_bytes = needed;
    description.storage_bytes = H5Dget_storage_size(dataset);
  }
  return description;
}

}  // namespace rankme
