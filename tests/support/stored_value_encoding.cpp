// Conversions to the stored types are done here, not by HDF5, so that the returned "as stored" values are
// known exactly and big-endian data are byte-swapped by code the tests can trust.
#include "support/stored_value_encoding.hpp"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "support/float16_encoding.hpp"

namespace rankme::testing {
namespace {

float to_float32(double value) {
  // Casting a finite double beyond float's range is undefined behaviour in C++, so IEEE's rule is
  // applied by hand: magnitudes from FLT_MAX + half an ulp (2^128 - 2^103) up round to infinity
  // (the tie goes to the even neighbour, 2^128), smaller ones to FLT_MAX.
  if (std::isfinite(value) && std::fabs(value) > static_cast<double>(FLT_MAX)) {
    const double overflow_threshold = std::ldexp(2.0 - std::ldexp(1.0, -24), 127);
    const float magnitude =
        std::fabs(value) >= overflow_threshold ? std::numeric_limits<float>::infinity() : FLT_MAX;
    return value < 0 ? -magnitude : magnitude;
  }
  return static_cast<float>(value);
}

EncodedValue encode_integer(double value, const StoredType& type, const std::string& where) {
  if (std::isnan(value)) {
    throw std::invalid_argument(where + ": NaN cannot be stored as " + type.name());
  }
  const int bits = 8 * type.bytes;
  const double rounded = std::round(value);  // ties away from zero
  if (type.kind == StoredType::Kind::signed_int) {
    const double limit = std::ldexp(1.0, bits - 1);  // 2^(bits-1), exact
    const std::int64_t max = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1);
    const std::int64_t min = -max - 1;
    std::int64_t stored;
    if (rounded >= limit) {
      stored = max;
    } else if (rounded < -limit) {
      stored = min;
    } else {
      stored = static_cast<std::int64_t>(rounded);
    }
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    // int64 -> uint64 is two's complement by definition (modulo 2^64); masking keeps `bits` bits.
    return {static_cast<std::uint64_t>(stored) & mask, static_cast<double>(stored)};
  }
  const double limit = std::ldexp(1.0, bits);  // 2^bits, exact
  const std::uint64_t max = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  std::uint64_t stored;
  if (rounded <= 0.0) {
    stored = 0;
  } else if (rounded >= limit) {
    stored = max;
  } else {
    stored = static_cast<std::uint64_t>(rounded);
  }
  return {stored, static_cast<double>(stored)};
}

}  // namespace

std::string StoredType::name() const {
  std::string base;
  switch (kind) {
    case Kind::floating:
      base = "float";
      break;
    case Kind::signed_int:
      base = "int";
      break;
    case Kind::unsigned_int:
      base = "uint";
      break;
  }
  base += std::to_string(8 * bytes);
  // A single byte has no byte order (and 1-byte integers are always written the same way).
  if (bytes > 1) base += big_endian ? "be" : "le";
  return base;
}

std::vector<StoredType> all_supported_stored_types() {
  std::vector<StoredType> types;
  for (const int bytes : {2, 4, 8}) {
    for (const bool be : {false, true}) types.push_back({StoredType::Kind::floating, bytes, be});
  }
  for (const auto kind : {StoredType::Kind::signed_int, StoredType::Kind::unsigned_int}) {
    types.push_back({kind, 1, false});
    for (const int bytes : {2, 4, 8}) {
      for (const bool be : {false, true}) types.push_back({kind, bytes, be});
    }
  }
  return types;
}

void validate_stored_type(const StoredType& type, const std::string& where) {
  const int b = type.bytes;
  const bool ok = type.kind == StoredType::Kind::floating ? (b == 2 || b == 4 || b == 8)
                                                          : (b == 1 || b == 2 || b == 4 || b == 8);
  if (!ok) {
    throw std::invalid_argument(where + ": unsupported stored type " + type.name() + " (" +
                                std::to_string(b) + " bytes)");
  }
}

EncodedValue encode_value(double value, const StoredType& type, const std::string& where) {
  if (type.kind != StoredType::Kind::floating) return encode_integer(value, type, where);
  switch (type.bytes) {
    case 2: {
      const std::uint16_t bits = float16_bits_from_double(value);
      return {bits, double_from_float16_bits(bits)};
    }
    case 4: {
      const float stored = to_float32(value);
      std::uint32_t bits;
      std::memcpy(&bits, &stored, sizeof bits);
      return {bits, static_cast<double>(stored)};
    }
    default: {
      std::uint64_t bits;
      std::memcpy(&bits, &value, sizeof bits);
      return {bits, value};
    }
  }
}

double stored_value(double value, const StoredType& type) {
  const std::string where = "rankme::testing::stored_value";
  validate_stored_type(type, where);
  return encode_value(value, type, where).value;
}

}  // namespace rankme::testing
