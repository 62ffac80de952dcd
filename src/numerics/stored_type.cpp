#include "rankme/numerics/stored_type.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "rankme/numerics/float16.hpp"

namespace rankme {

namespace {

// The exponents of a format's smallest and largest finite values' last bits: every value is
// significand * 2^k with significand < 2^significand_bits and lowest_step <= k <= highest_step.
struct ExponentRange {
  std::int64_t lowest_step, highest_step;
  int significand_bits;
};

ExponentRange exponent_range(const FloatFields& fields) {
  const int fraction_bits = fields.implied_leading_bit ? fields.mantissa_bits : fields.mantissa_bits - 1;
  const std::int64_t largest_exponent = (std::int64_t{1} << fields.exponent_bits) - 2;  // all ones: inf/NaN
  return {1 - fields.exponent_bias - fraction_bits, largest_exponent - fields.exponent_bias - fraction_bits,
          fields.mantissa_bits + (fields.implied_leading_bit ? 1 : 0)};
}

// Whether significand * 2^k, for every significand and k of `range`, is exactly a binary floating-point
// number with `precision` significand bits whose finite values reach below 2^(max_exponent + 1) and whose
// smallest subnormal is 2^min_step.
bool fits(const ExponentRange& range, int precision, std::int64_t min_step, std::int64_t max_exponent) {
  return range.significand_bits <= precision && range.lowest_step >= min_step &&
         range.highest_step + range.significand_bits - 1 <= max_exponent;
}

bool is_standard_arrangement(const FloatFields& fields, int bytes) {
  return fields.implied_leading_bit && fields.mantissa_position == 0 && fields.exponent_position == fields.mantissa_bits &&
         fields.sign_position == fields.exponent_position + fields.exponent_bits && fields.sign_position == bytes * 8 - 1;
}

}  // namespace

std::optional<std::string> float_fields_problem(const FloatFields& fields, int bytes) {
  if (bytes < 1) return "elements of no bytes";
  const int bits = bytes * 8;
  const auto inside = [bits](int position, int width) { return position >= 0 && width >= 0 && position + width <= bits; };
  if (!inside(fields.sign_position, 1) || !inside(fields.exponent_position, fields.exponent_bits) ||
      !inside(fields.mantissa_position, fields.mantissa_bits) || fields.exponent_bits < 1 ||
      fields.mantissa_bits < (fields.implied_leading_bit ? 0 : 1)) {
    return "its sign, exponent and mantissa fields do not fit in " + std::to_string(bits) + " bits";
  }
  const auto overlap = [](int a, int a_bits, int b, int b_bits) { return a < b + b_bits && b < a + a_bits; };
  if (overlap(fields.sign_position, 1, fields.exponent_position, fields.exponent_bits) ||
      overlap(fields.sign_position, 1, fields.mantissa_position, fields.mantissa_bits) ||
      overlap(fields.exponent_position, fields.exponent_bits, fields.mantissa_position, fields.mantissa_bits)) {
    return "its sign, exponent and mantissa fields overlap";
  }
  if (fields.exponent_bits > 16) {
    return "its " + std::to_string(fields.exponent_bits) + "-bit exponent reaches far beyond double's 11 bits";
  }
  const ExponentRange range = exponent_range(fields);
  if (range.significand_bits > 53) {
    return "its " + std::to_string(range.significand_bits) +
           "-bit significand is wider than double's 53 bits, so double cannot hold its values exactly";
  }
  if (range.highest_step + range.significand_bits - 1 > 1023) {
    return "its largest values (up to 2^" + std::to_string(range.highest_step + range.significand_bits) +
           ") are beyond double's range (below 2^1024)";
  }
  if (range.lowest_step < -1074) {
    return "its smallest values (2^" + std::to_string(range.lowest_step) +
           ") are below double's smallest subnormal (2^-1074), so double cannot hold them exactly";
  }
  // Fits a double, but wider than the 64-bit words the decoder assembles (padding bits around the fields).
  if (bytes > 8) return std::to_string(bits) + "-bit elements: rankme decodes custom floats of at most 64 bits";
  return std::nullopt;
}

StoredType StoredType::custom_float(int bytes, bool big_endian, const FloatFields& fields) {
  if (auto problem = float_fields_problem(fields, bytes)) throw std::invalid_argument("custom float: " + *problem);
  return {Kind::floating, bytes, big_endian, false, fields};
}

std::string StoredType::name() const {
  std::string base;
  switch (kind) {
    case Kind::floating: base = brain_float ? "bfloat" : "float"; break;
    case Kind::signed_int: base = "int"; break;
    case Kind::unsigned_int: base = "uint"; break;
  }
  base += std::to_string(bytes * 8);
  if (kind == Kind::floating && fields) {
    base += "_e" + std::to_string(fields->exponent_bits) + "m" + std::to_string(fields->mantissa_bits);
    if (fields->exponent_bits >= 1 && fields->exponent_bits < 63 && fields->exponent_bias != (std::int64_t{1} << (fields->exponent_bits - 1)) - 1) {
      base += "_bias" + std::to_string(fields->exponent_bias);
    }
    if (!is_standard_arrangement(*fields, bytes) && fields->implied_leading_bit) {
      base += "_s" + std::to_string(fields->sign_position) + "e" + std::to_string(fields->exponent_position) + "m" +
              std::to_string(fields->mantissa_position);
    }
    if (!fields->implied_leading_bit) base += "_explicit";
  }
  if (big_endian && bytes > 1) base += "be";
  return base;
}

namespace {

template <typename Unsigned>
Unsigned byte_swapped(Unsigned value) {
  if constexpr (sizeof(Unsigned) == 1) {
    return value;
  } else if constexpr (sizeof(Unsigned) == 2) {
    return static_cast<Unsigned>(__builtin_bswap16(value));
  } else if constexpr (sizeof(Unsigned) == 4) {
    return static_cast<Unsigned>(__builtin_bswap32(value));
  } else {
    return static_cast<Unsigned>(__builtin_bswap64(value));
  }
}

bool host_is_big_endian() {
  const std::uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 0;
}

// Bits holds the stored bit pattern; Decode turns the (host-order) bits into a double. Out is double or
// float (only for types that float holds exactly, so the narrowing below never rounds).
template <typename Bits, bool MayBeNonFinite, typename Decode, typename Out>
BlockStatistics widen(const unsigned char* raw, std::uint64_t count, Out* out, bool swap, Decode decode) {
  BlockStatistics stats;
  double max_abs = 0;
  bool all_finite = true;
  for (std::uint64_t i = 0; i < count; ++i) {
    Bits bits;
    std::memcpy(&bits, raw + i * sizeof(Bits), sizeof(Bits));
    if (swap) bits = byte_swapped(bits);
    const double value = decode(bits);
    out[i] = static_cast<Out>(value);
    const double magnitude = std::fabs(value);
    if constexpr (MayBeNonFinite) {
      // NaN fails every comparison, infinity fails this one: both mark the block non-finite.
      if (magnitude <= std::numeric_limits<double>::max()) {
        max_abs = magnitude > max_abs ? magnitude : max_abs;
      } else {
        all_finite = false;
      }
    } else {
      max_abs = magnitude > max_abs ? magnitude : max_abs;
    }
  }
  stats.max_abs = max_abs;
  stats.all_finite = all_finite;
  return stats;
}

template <typename Value>
auto reinterpret_as() {
  using Bits = std::conditional_t<sizeof(Value) == 4, std::uint32_t, std::uint64_t>;
  return [](Bits bits) {
    Value value;
    std::memcpy(&value, &bits, sizeof(Value));
    return static_cast<double>(value);
  };
}

// bfloat16 is the upper half of a float32: the same sign and exponent, the mantissa cut to 7 bits.
double bfloat16_to_double(std::uint16_t bits) {
  const std::uint32_t widened = static_cast<std::uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &widened, sizeof value);
  return value;
}

template <typename Integer, typename Out>
BlockStatistics widen_integer(const unsigned char* raw, std::uint64_t count, Out* out, bool swap) {
  using Bits = std::make_unsigned_t<Integer>;
  return widen<Bits, false>(raw, count, out, swap, [](Bits bits) {
    Integer value;
    std::memcpy(&value, &bits, sizeof(Integer));
    return static_cast<double>(value);
  });
}

// Native float32, the common case (what PyTorch and numpy dump), with the same statistics as widen(). It
// works on the bit patterns: |value| is the pattern without its sign bit, finite exactly when below
// infinity's, and for non-negative floats the patterns order like the values, so the maximum is an integer
// maximum: a loop the compiler vectorises (a floating-point max with NaN rules does not). A null `out`
// only scans.
template <typename Out>
BlockStatistics widen_native_float32(const float* in, std::uint64_t count, Out* out) {
  constexpr std::uint32_t magnitude_bits = 0x7fffffffU, infinity_bits = 0x7f800000U;
  std::uint32_t max_bits = 0;
  std::uint32_t nonfinite = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, in + i, sizeof bits);
    const std::uint32_t magnitude = bits & magnitude_bits;
    const bool finite = magnitude < infinity_bits;
    nonfinite |= finite ? 0U : 1U;
    const std::uint32_t candidate = finite ? magnitude : 0U;
    max_bits = candidate > max_bits ? candidate : max_bits;
    if (out != nullptr) out[i] = static_cast<Out>(in[i]);
  }
  float max_abs;
  std::memcpy(&max_abs, &max_bits, sizeof max_abs);
  BlockStatistics stats;
  stats.max_abs = max_abs;
  stats.all_finite = nonfinite == 0;
  return stats;
}

// Any format FloatFields describes (float_fields_problem said a double holds its values exactly), bit by
// bit: slower than the fixed formats, and only for the rare files that use one.
template <typename Out>
BlockStatistics widen_custom_float(const StoredType& type, const unsigned char* raw, std::uint64_t count, Out* out) {
  const FloatFields& fields = *type.fields;
  const auto bytes = static_cast<std::size_t>(type.bytes);
  const std::uint64_t exponent_ones = (std::uint64_t{1} << fields.exponent_bits) - 1;
  const std::uint64_t mantissa_mask = (std::uint64_t{1} << fields.mantissa_bits) - 1;
  // The fraction: the mantissa without a stored leading bit.
  const int fraction_bits = fields.implied_leading_bit ? fields.mantissa_bits : fields.mantissa_bits - 1;
  const std::uint64_t fraction_mask = (std::uint64_t{1} << fraction_bits) - 1;
  double max_abs = 0;
  bool all_finite = true;
  for (std::uint64_t i = 0; i < count; ++i) {
    const unsigned char* element = raw + i * bytes;
    std::uint64_t bits = 0;  // most significant byte first
    for (std::size_t b = 0; b < bytes; ++b) bits = (bits << 8) | element[type.big_endian ? b : bytes - 1 - b];
    const bool negative = ((bits >> fields.sign_position) & 1U) != 0;
    const std::uint64_t exponent = (bits >> fields.exponent_position) & exponent_ones;
    const std::uint64_t mantissa = (bits >> fields.mantissa_position) & mantissa_mask;
    double magnitude;
    if (exponent == exponent_ones) {
      magnitude = (mantissa & fraction_mask) == 0 ? std::numeric_limits<double>::infinity()
                                                  : std::numeric_limits<double>::quiet_NaN();
      all_finite = false;
    } else {
      const std::uint64_t significand =
          fields.implied_leading_bit && exponent != 0 ? mantissa | (std::uint64_t{1} << fields.mantissa_bits) : mantissa;
      const std::int64_t scale = static_cast<std::int64_t>(exponent == 0 ? 1 : exponent) - fields.exponent_bias - fraction_bits;
      magnitude = std::ldexp(static_cast<double>(significand), static_cast<int>(scale));  // exact: checked ranges
      max_abs = magnitude > max_abs ? magnitude : max_abs;
    }
    out[i] = static_cast<Out>(negative ? -magnitude : magnitude);
  }
  BlockStatistics stats;
  stats.max_abs = max_abs;
  stats.all_finite = all_finite;
  return stats;
}

template <typename Out>
BlockStatistics decode_as(const StoredType& type, const void* raw_pointer, std::uint64_t count, Out* out) {
  const auto* raw = static_cast<const unsigned char*>(raw_pointer);
  const bool swap = type.big_endian != host_is_big_endian();
  if (type.kind == StoredType::Kind::floating && type.fields) return widen_custom_float(type, raw, count, out);
  if (type.kind == StoredType::Kind::floating && type.bytes == 4 && !swap &&
      reinterpret_cast<std::uintptr_t>(raw) % alignof(float) == 0) {
    return widen_native_float32(reinterpret_cast<const float*>(raw), count, out);
  }
  switch (type.kind) {
    case StoredType::Kind::floating:
      switch (type.bytes) {
        case 2:
          if (type.brain_float) return widen<std::uint16_t, true>(raw, count, out, swap, bfloat16_to_double);
          return widen<std::uint16_t, true>(raw, count, out, swap, float16_to_double);
        case 4: return widen<std::uint32_t, true>(raw, count, out, swap, reinterpret_as<float>());
        case 8: return widen<std::uint64_t, true>(raw, count, out, swap, reinterpret_as<double>());
      }
      break;
    case StoredType::Kind::signed_int:
      switch (type.bytes) {
        case 1: return widen_integer<std::int8_t>(raw, count, out, swap);
        case 2: return widen_integer<std::int16_t>(raw, count, out, swap);
        case 4: return widen_integer<std::int32_t>(raw, count, out, swap);
        case 8: return widen_integer<std::int64_t>(raw, count, out, swap);
      }
      break;
    case StoredType::Kind::unsigned_int:
      switch (type.bytes) {
        case 1: return widen_integer<std::uint8_t>(raw, count, out, swap);
        case 2: return widen_integer<std::uint16_t>(raw, count, out, swap);
        case 4: return widen_integer<std::uint32_t>(raw, count, out, swap);
        case 8: return widen_integer<std::uint64_t>(raw, count, out, swap);
      }
      break;
  }
  throw std::logic_error("widen_to_double: unsupported stored type " + type.name());
}

}  // namespace

BlockStatistics widen_to_double(const StoredType& type, const void* raw, std::uint64_t count, double* out) {
  return decode_as(type, raw, count, out);
}

bool is_native_float32(const StoredType& type) {
  return type.kind == StoredType::Kind::floating && type.bytes == 4 && !type.fields &&
         type.big_endian == host_is_big_endian();
}

BlockStatistics float32_statistics(const float* values, std::uint64_t count) {
  return widen_native_float32<float>(values, count, nullptr);
}

bool fits_float_exactly(const StoredType& type) {
  // float32's 24-bit significand and 8-bit exponent hold float16, bfloat16 and 16-bit integers exactly.
  if (type.kind == StoredType::Kind::floating && type.fields) {
    const FloatFields& fields = *type.fields;
    return fields.exponent_bits <= 16 && fits(exponent_range(fields), 24, -149, 127);
  }
  return type.kind == StoredType::Kind::floating ? type.bytes <= 4 : type.bytes <= 2;
}

BlockStatistics decode_to_float(const StoredType& type, const void* raw, std::uint64_t count, float* out) {
  if (!fits_float_exactly(type)) throw std::logic_error("decode_to_float: " + type.name() + " does not fit float32");
  return decode_as(type, raw, count, out);
}

}  // namespace rankme
