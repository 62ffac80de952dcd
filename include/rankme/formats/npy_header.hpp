#pragma once
// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0): magic, version, header length, and
// the Python-literal dict {'descr': ..., 'fortran_order': ..., 'shape': (...)} that says what follows.
// The dict is parsed by a small parser of the literal subset numpy writes (never by evaluating anything),
// and the header's length is capped before it is read, so a hostile header costs at most that much.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/numerics/stored_type.hpp"

namespace rankme {

// numpy itself refuses headers above 10,000 bytes unless told otherwise; a megabyte leaves room for any
// structured dtype a writer might produce and still bounds what a lying length field can make us read.
inline constexpr std::uint64_t npy_header_cap = std::uint64_t{1} << 20;
// The magic, the version and the longest length field (v2/v3: 4 bytes): what npy_header_size needs.
inline constexpr std::size_t npy_preamble_bytes = 12;

struct NpyHeader {
  int major_version = 1;
  int minor_version = 0;
  std::string descr;              // as written: "<f4", "|u1", or the text of a structured descr
  std::optional<StoredType> type; // nothing: a dtype rankme does not read (dtype says which)
  std::string dtype;              // type->name(), or what the dtype is ("bool", "complex64", "object", ...)
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;  // empty for a 0-d array
  std::uint64_t data_offset = 0;     // bytes from the start of the .npy to its first value: the header's end
};

// Whether `bytes` start with the .npy magic ("\x93NUMPY").
bool has_npy_magic(std::string_view bytes);

// The size of the whole header (magic to the end of the dict: the data offset), from its first
// npy_preamble_bytes bytes (fewer only when the stream is that short, which is an error for versions 2 and
// 3). Throws std::runtime_error("<what>: ...") for a missing magic, an unknown version or a header longer
// than npy_header_cap.
std::uint64_t npy_header_size(std::string_view first_bytes, const std::string& what);

// Parses a whole header (`bytes` = the first npy_header_size() bytes of the stream). Throws
// std::runtime_error("<what>: ...") for a malformed header; a well-formed header of a dtype rankme does not
// read returns type = nothing, not an exception.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& what);

// What the .npy descr string names: the StoredType, or nothing and a description ("complex64"). Throws
// std::runtime_error for a descr that is no dtype at all.
std::optional<StoredType> npy_descr_type(const std::string& descr, std::string& dtype, const std::string& what);

}  // namespace rankme
