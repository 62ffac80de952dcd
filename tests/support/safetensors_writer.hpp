// A safetensors writer for tests, independent of rankme's reader: well-formed files as Hugging Face's
// library writes them, and hostile ones (offsets that lie, overlaps, huge shapes, broken JSON, a header
// length beyond the file) built from the same parts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rankme::testing {

struct SafetensorsTensor {
  std::string name;
  std::string dtype;                   // "F32", "BF16", "I64", ... (written as given, known or not)
  std::vector<std::uint64_t> shape;
  std::string bytes;                   // the values as stored (little-endian), appended to the data buffer
  // Hostile files: data_offsets to declare instead of where `bytes` really went.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> declared_offsets;
};

// The header JSON for `tensors` laid out one after another in the order given (their data_offsets, unless
// declared_offsets says otherwise), with "__metadata__" when `metadata` is not empty, padded with spaces
// to a multiple of 8 bytes as the reference writer does.
std::string safetensors_header(const std::vector<SafetensorsTensor>& tensors,
                               const std::map<std::string, std::string>& metadata = {});

// The data buffer: every tensor's bytes, in order.
std::string safetensors_data(const std::vector<SafetensorsTensor>& tensors);

// A well-formed file (or one made hostile through declared_offsets / shapes that do not match the bytes).
void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// The raw parts: the 8-byte little-endian `declared_header_bytes`, then `header`, then `data`. For headers
// that are not JSON, lengths that lie, and truncated files.
void write_safetensors_parts(const std::string& path, std::uint64_t declared_header_bytes, const std::string& header,
                             const std::string& data);

// Little-endian bytes of values of an arithmetic type (float, double, std::int16_t, ...).
template <typename Value>
std::string little_endian_bytes(const std::vector<Value>& values) {
  std::string bytes;
  for (const Value& value : values) {
    unsigned char raw[sizeof(Value)];
    __builtin_memcpy(raw, &value, sizeof(Value));
    // The test machines are little-endian; a big-endian one would swap here.
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little_endian_bytes assumes a little-endian host");
    bytes.append(reinterpret_cast<const char*>(raw), sizeof(Value));
  }
  return bytes;
}

}  // namespace rankme::testing
