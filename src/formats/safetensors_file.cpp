#include "rankme/formats/safetensors_file.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace rankme {

namespace {

// Deeper than any real header (which is two levels: tensors, then their fields); nlohmann's parser and
// destructor must not be handed a million nested brackets.
constexpr int nesting_limit = 64;

// The rankme type of a safetensors dtype, or nothing for one rankme does not read. safetensors stores
// every multi-byte value little-endian.
std::optional<StoredType> stored_type_of(const std::string& dtype) {
  using Kind = StoredType::Kind;
  if (dtype == "F64") return StoredType{Kind::floating, 8, false};
  if (dtype == "F32") return StoredType{Kind::floating, 4, false};
  if (dtype == "F16") return StoredType{Kind::floating, 2, false};
  if (dtype == "BF16") return StoredType::bfloat16(false);
  if (dtype == "I8") return StoredType{Kind::signed_int, 1, false};
  if (dtype == "I16") return StoredType{Kind::signed_int, 2, false};
  if (dtype == "I32") return StoredType{Kind::signed_int, 4, false};
  if (dtype == "I64") return StoredType{Kind::signed_int, 8, false};
  if (dtype == "U8") return StoredType{Kind::unsigned_int, 1, false};
  if (dtype == "U16") return StoredType{Kind::unsigned_int, 2, false};
  if (dtype == "U32") return StoredType{Kind::unsigned_int, 4, false};
  if (dtype == "U64") return StoredType{Kind::unsigned_int, 8, false};
  return std::nullopt;
}

// Bytes per element of the dtypes rankme does not read, so that their byte ranges are checked too (and
// overlaps with them found). Nothing for a dtype this list does not know: its size is not checked.
std::optional<std::uint64_t> unread_dtype_bytes(const std::string& dtype) {
  if (dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2" || dtype == "F8_E8M0") return 1;
  if (dtype == "C64") return 8;
  if (dtype == "C128") return 16;
  return std::nullopt;
}

// Refuses brackets nested deeper than nesting_limit, outside strings, before the JSON parser sees them.
void check_nesting(const std::string& header, const std::string& where) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > nesting_limit) {
        throw std::runtime_error(where + ": the header nests brackets deeper than " + std::to_string(nesting_limit) +
                                 " levels (a safetensors header has two): not a safetensors file, or a corrupt one");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// A JSON value for a message: compact, escaped (no raw newline from the file reaches the terminal) and cut
// short, since a hostile header may put megabytes where a number belongs.
std::string brief(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// A tensor name as JSON writes it: in double quotes, control characters escaped.
std::string quoted_name(const std::string& key) { return brief(nlohmann::json(key)); }

std::uint64_t checked_product(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t product;
  if (__builtin_mul_overflow(a, b, &product)) throw std::runtime_error(what + ": its size overflows 64 bits");
  return product;
}

std::uint64_t unsigned_field(const nlohmann::json& value, const std::string& what) {
  if (!value.is_number_unsigned()) {
    throw std::runtime_error(what + " is " + brief(value) + ", not a non-negative whole number");
  }
  return value.get<std::uint64_t>();
}

struct ByteRange {
  std::uint64_t begin, end;
  std::string tensor;
};

}  // namespace

std::vector<TensorEntry> list_safetensors_file(const ReadOnlyFile& file) {
  const std::string where = "'" + file.path() + "' (safetensors)";
  if (file.size() < 8) {
    throw std::runtime_error(where + ": the file has " + std::to_string(file.size()) +
                             " bytes, fewer than the 8 of the header length (truncated?)");
  }
  unsigned char length_bytes[8];
  file.read_exactly(0, length_bytes, sizeof length_bytes);
  std::uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | length_bytes[i];
  if (header_bytes > safetensors_header_limit) {
    throw std::runtime_error(where + ": the header length says " + std::to_string(header_bytes) +
                             " bytes, more than the " + std::to_string(safetensors_header_limit) +
                             " that safetensors allows (not a safetensors file, or a corrupt one)");
  }
  if (header_bytes > file.size() - 8) {
    throw std::runtime_error(where + ": the header length says " + std::to_string(header_bytes) + " bytes, but only " +
                             std::to_string(file.size() - 8) + " follow it (truncated?)");
  }
  std::string header(static_cast<std::size_t>(header_bytes), '\0');
  file.read_exactly(8, header.data(), header.size());
  check_nesting(header, where);
  nlohmann::json tensors;
  try {
    tensors = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& error) {
    // nlohmann quotes the offending token, which a hostile header can make megabytes long.
    std::string reason = error.what();
    if (reason.size() > 200) reason = reason.substr(0, 197) + "...";
    throw std::runtime_error(where + ": the header is not valid JSON (" + reason + ")");
  }
  if (!tensors.is_object()) {
    throw std::runtime_error(where + ": the header is a JSON " + std::string(tensors.type_name()) +
                             ", not an object of tensors");
  }

  const std::uint64_t data_start = 8 + header_bytes;
  const std::uint64_t data_bytes = file.size() - data_start;
  std::vector<TensorEntry> entries;
  std::vector<ByteRange> ranges;
  for (const auto& [key, tensor] : tensors.items()) {
    if (key == "__metadata__") continue;  // free-form strings about the file, not a tensor
    const std::string what = where + ": tensor " + quoted_name(key);
    if (!tensor.is_object()) {
      throw std::runtime_error(what + " is a JSON " + std::string(tensor.type_name()) + ", not an object");
    }
    for (const char* field : {"dtype", "shape", "data_offsets"}) {
      if (!tensor.contains(field)) throw std::runtime_error(what + " has no \"" + field + "\"");
    }
    const nlohmann::json& dtype_field = tensor["dtype"];
    const nlohmann::json& shape_field = tensor["shape"];
    const nlohmann::json& offsets_field = tensor["data_offsets"];
    if (!dtype_field.is_string()) throw std::runtime_error(what + ": \"dtype\" is " + brief(dtype_field) + ", not a string");
    if (!shape_field.is_array()) throw std::runtime_error(what + ": \"shape\" is " + brief(shape_field) + ", not a list");
    if (!offsets_field.is_array() || offsets_field.size() != 2) {
      throw std::runtime_error(what + ": \"data_offsets\" is " + brief(offsets_field) + ", not a pair [begin, end]");
    }

    TensorEntry entry;
    entry.name = "/" + key;
    entry.dtype = dtype_field.get<std::string>();
    if (entry.dtype.size() > 32) throw std::runtime_error(what + ": \"dtype\" " + brief(dtype_field) + " is not a dtype");
    for (const auto& extent : shape_field) entry.shape.push_back(unsigned_field(extent, what + ": a shape extent"));
    const std::uint64_t begin = unsigned_field(offsets_field[0], what + ": the data begin offset");
    const std::uint64_t end = unsigned_field(offsets_field[1], what + ": the data end offset");
    if (begin > end) {
      throw std::runtime_error(what + ": its data offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                               "] end before they begin");
    }
    if (end > data_bytes) {
      throw std::runtime_error(what + ": its data offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                               "] reach past the data buffer of " + std::to_string(data_bytes) + " bytes (truncated?)");
    }

    std::uint64_t elements = 1;
    for (std::uint64_t extent : entry.shape) elements = checked_product(elements, extent, what + ": shape " + shape_text(entry.shape));
    entry.type = stored_type_of(entry.dtype);
    std::optional<std::uint64_t> element_bytes =
        entry.type ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(entry.type->bytes)) : unread_dtype_bytes(entry.dtype);
    if (element_bytes) {
      const std::uint64_t expected =
          checked_product(elements, *element_bytes, what + ": shape " + (entry.shape.empty() ? "()" : shape_text(entry.shape)));
      if (end - begin != expected) {
        throw std::runtime_error(what + ": shape " + (entry.shape.empty() ? "()" : shape_text(entry.shape)) + " of " +
                                 entry.dtype + " needs " + std::to_string(expected) + " bytes, but its data offsets [" +
                                 std::to_string(begin) + ", " + std::to_string(end) + "] hold " +
                                 std::to_string(end - begin) + " (a header that does not match the data)");
      }
    }
    if (entry.type) {
      entry.dtype = entry.type->name();
      // A scalar is one element; the array layout needs at least one axis.
      std::vector<std::uint64_t> layout_shape = entry.shape.empty() ? std::vector<std::uint64_t>{1} : entry.shape;
      entry.layout = ArrayLayout::c_order(*entry.type, std::move(layout_shape), data_start + begin);
      entry.layout.check_inside(file.size(), what);
    }
    if (begin < end) ranges.push_back({begin, end, key});
    entries.push_back(std::move(entry));
  }

  // No two tensors may share bytes: a header pointing two names at one range is lying about at least one.
  std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end) {
      throw std::runtime_error(where + ": tensors " + quoted_name(ranges[i - 1].tensor) + " [" +
                               std::to_string(ranges[i - 1].begin) + ", " + std::to_string(ranges[i - 1].end) + ") and " +
                               quoted_name(ranges[i].tensor) + " [" +
                               std::to_string(ranges[i].begin) + ", " + std::to_string(ranges[i].end) +
                               ") overlap in the data buffer (a corrupt header)");
    }
  }
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  return entries;
}

}  // namespace rankme
