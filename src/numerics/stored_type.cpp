#include "rankme/numerics/stored_type.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "rankme/numerics/float16.hpp"

namespace rankme {

std::string StoredType::name() const {
  std::string base;
  switch (kind) {
    case Kind::floating: base = brain_float ? "bfloat" : "float"; break;
    case Kind::signed_int: base = "int"; break;
    case Kind::unsigned_int: base = "uint"; break;
  }
  base += std::to_string(bytes * 8);
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

template <typename Out>
BlockStatistics decode_as(const StoredType& type, const void* raw_pointer, std::uint64_t count, Out* out) {
  const auto* raw = static_cast<const unsigned char*>(raw_pointer);
  const bool swap = type.big_endian != host_is_big_endian();
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
  return type.kind == StoredType::Kind::floating && type.bytes == 4 && type.big_endian == host_is_big_endian();
}

BlockStatistics float32_statistics(const float* values, std::uint64_t count) {
  return widen_native_float32<float>(values, count, nullptr);
}

bool fits_float_exactly(const StoredType& type) {
  // float32's 24-bit significand and 8-bit exponent hold float16, bfloat16 and 16-bit integers exactly.
  return type.kind == StoredType::Kind::floating ? type.bytes <= 4 : type.bytes <= 2;
}

BlockStatistics decode_to_float(const StoredType& type, const void* raw, std::uint64_t count, float* out) {
  if (!fits_float_exactly(type)) throw std::logic_error("decode_to_float: " + type.name() + " does not fit float32");
  return decode_as(type, raw, count, out);
}

}  // namespace rankme
