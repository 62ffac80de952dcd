#pragma once
// The element types rankme reads from disk, and their widening to double. No HDF5 here: the HDF5 layer
// (hdf5_dataset.hpp) maps a dataset's type onto a StoredType or rejects it.
#include <cstdint>
#include <optional>
#include <string>

#include "rankme/numerics/gram_accumulator.hpp"

namespace rankme {

// The bit fields of a floating-point format other than IEEE binary16/32/64 and bfloat16, as HDF5 describes
// any it stores (a 24-bit float, an 8-bit one, a bias of one's choosing): positions count from the least
// significant bit of the element. Special values follow IEEE (and HDF5's own conversions): an all-ones
// exponent is infinity (zero fraction) or NaN, a zero exponent a subnormal.
struct FloatFields {
  int sign_position = 0;
  int exponent_position = 0;
  int exponent_bits = 0;
  int mantissa_position = 0;
  int mantissa_bits = 0;
  std::int64_t exponent_bias = 0;
  bool implied_leading_bit = true;  // false: the mantissa stores its leading 1 (HDF5's H5T_NORM_NONE/MSBSET)

  bool operator==(const FloatFields& other) const {
    return sign_position == other.sign_position && exponent_position == other.exponent_position &&
           exponent_bits == other.exponent_bits && mantissa_position == other.mantissa_position &&
           mantissa_bits == other.mantissa_bits && exponent_bias == other.exponent_bias &&
           implied_leading_bit == other.implied_leading_bit;
  }
  bool operator!=(const FloatFields& other) const { return !(*this == other); }
};

// Why a double cannot hold every value of an element of `bytes` bytes with these fields exactly (or why
// the fields make no sense), in words for an error message; nothing when it can.
std::optional<std::string> float_fields_problem(const FloatFields& fields, int bytes);

struct StoredType {
  enum class Kind { floating, signed_int, unsigned_int };
  Kind kind = Kind::floating;
  int bytes = 4;            // floating: 2, 4, 8 (IEEE 754); integers: 1, 2, 4, 8
  bool big_endian = false;
  // floating, 2 bytes only: bfloat16 (sign, 8 exponent bits, 7 mantissa bits: the top half of a float32),
  // as torch, safetensors and JAX store it, instead of IEEE binary16.
  bool brain_float = false;
  // floating only: a format of 1 to 8 bytes described field by field, decoded bit by bit (only formats
  // whose every value a double holds exactly: float_fields_problem says none). Unset for IEEE and bfloat16.
  std::optional<FloatFields> fields = std::nullopt;

  static StoredType bfloat16(bool big_endian = false) { return {Kind::floating, 2, big_endian, true, std::nullopt}; }
  // Throws std::invalid_argument with float_fields_problem's words when a double cannot hold its values.
  static StoredType custom_float(int bytes, bool big_endian, const FloatFields& fields);

  // numpy's name, with a "be" suffix for big-endian storage: float16, float32be, int8, uint64be, bfloat16, ...
  // A custom float says its exponent and mantissa widths, and what differs from the IEEE arrangement:
  // float24_e7m16, float16_e5m10_bias14be, float32_e8m23_s0e1m9, float64_e11m53_explicit.
  std::string name() const;
  bool operator==(const StoredType& other) const {
    return kind == other.kind && bytes == other.bytes && big_endian == other.big_endian &&
           brain_float == other.brain_float && fields == other.fields;
  }
};

// Widens `count` values stored as `type` (raw bytes, in the file's byte order) to double, and reports the
// largest finite |value| and whether any value was NaN or infinite. Reading the stored bytes unconverted
// and widening here keeps parallel HDF5 on its collective path (a type conversion inside H5Dread makes it
// fall back to independent I/O).
BlockStatistics widen_to_double(const StoredType& type, const void* raw, std::uint64_t count, double* out);

// Whether every value of `type` is exactly a float32 (float16, float32, and integers of 8 or 16 bits): such
// data can go to float32 block products (--precision mixed) without a detour through double.
bool fits_float_exactly(const StoredType& type);

// Whether the stored bytes already are float32 values in this machine's byte order: then the block
// products can take them as they were read (--precision mixed), after float32_statistics.
bool is_native_float32(const StoredType& type);

// What widen_to_double would report for these values, without copying them.
BlockStatistics float32_statistics(const float* values, std::uint64_t count);

// The float32 twin of widen_to_double, for types that fit_float_exactly (throws std::logic_error for others).
BlockStatistics decode_to_float(const StoredType& type, const void* raw, std::uint64_t count, float* out);

}  // namespace rankme
