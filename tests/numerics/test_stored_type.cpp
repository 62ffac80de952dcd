#include "rankme/numerics/stored_type.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "rankme/numerics/float16.hpp"


namespace rankme {
namespace {

// Lays `value` out in memory as `bytes` bytes in the requested byte order.
template <typename T>
std::vector<unsigned char> raw_bytes(const std::vector<T>& values, bool big_endian) {
  std::vector<unsigned char> raw(values.size() * sizeof(T));
  std::memcpy(raw.data(), values.data(), raw.size());
  if (big_endian) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::reverse(raw.begin() + static_cast<std::ptrdiff_t>(i * sizeof(T)),
                   raw.begin() + static_cast<std::ptrdiff_t>((i + 1) * sizeof(T)));
    }
  }
  return raw;
}

template <typename T>
void expect_widened(StoredType::Kind kind, const std::vector<T>& values) {
  for (bool big_endian : {false, true}) {
    const StoredType type{kind, static_cast<int>(sizeof(T)), big_endian};
    const auto raw = raw_bytes(values, big_endian);
    std::vector<double> out(values.size());
    const BlockStatistics stats = widen_to_double(type, raw.data(), values.size(), out.data());
    double max_abs = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(out[i], static_cast<double>(values[i])) << type.name() << " element " << i;
      max_abs = std::max(max_abs, std::fabs(static_cast<double>(values[i])));
    }
    EXPECT_EQ(stats.max_abs, max_abs) << type.name();
    EXPECT_TRUE(stats.all_finite) << type.name();
  }
}

TEST(WidenToDouble, IntegersOfEveryWidthAndByteOrderIncludingTheirLimits) {
  using K = StoredType::Kind;
  expect_widened<std::int8_t>(K::signed_int, {-128, -1, 0, 1, 127});
  expect_widened<std::uint8_t>(K::unsigned_int, {0, 1, 200, 255});
  expect_widened<std::int16_t>(K::signed_int, {-32768, -300, 0, 300, 32767});
  expect_widened<std::uint16_t>(K::unsigned_int, {0, 258, 65535});
  expect_widened<std::int32_t>(K::signed_int, {std::numeric_limits<std::int32_t>::min(), -70000, 0, 70000,
                                               std::numeric_limits<std::int32_t>::max()});
  expect_widened<std::uint32_t>(K::unsigned_int, {0u, 70000u, std::numeric_limits<std::uint32_t>::max()});
  expect_widened<std::int64_t>(K::signed_int, {std::numeric_limits<std::int64_t>::min(), -(std::int64_t{1} << 40), 0,
                                               std::int64_t{1} << 52});
  expect_widened<std::uint64_t>(K::unsigned_int, {0ull, 1ull << 53, std::numeric_limits<std::uint64_t>::max()});
}

TEST(WidenToDouble, Float32AndFloat64InBothByteOrders) {
  using K = StoredType::Kind;
  expect_widened<float>(K::floating, {-1.5f, 0.0f, -0.0f, 3.25e38f, 1e-45f, 1.17549435e-38f});
  expect_widened<double>(K::floating, {-1.5, 0.0, 1e308, 4.9e-324, -2.2250738585072014e-308});
}

TEST(DecodeToFloat, GivesTheWidenedValuesForEveryTypeFloat32HoldsExactly) {
  using K = StoredType::Kind;
  const std::vector<std::int16_t> shorts = {-32768, -3, 0, 7, 32767};
  const std::vector<float> floats = {-1.5f, 0.0f, 3.25e38f, 1e-45f, std::numeric_limits<float>::quiet_NaN()};
  const std::vector<std::uint8_t> bytes = {0, 1, 255};
  for (bool big_endian : {false, true}) {
    const auto check = [&](const StoredType& type, const std::vector<unsigned char>& raw, std::size_t count) {
      ASSERT_TRUE(fits_float_exactly(type)) << type.name();
      std::vector<double> wide(count);
      std::vector<float> narrow(count);
      const BlockStatistics wide_stats = widen_to_double(type, raw.data(), count, wide.data());
      const BlockStatistics narrow_stats = decode_to_float(type, raw.data(), count, narrow.data());
      for (std::size_t i = 0; i < count; ++i) {
        if (std::isnan(wide[i])) {
          EXPECT_TRUE(std::isnan(narrow[i]));
        } else {
          EXPECT_EQ(static_cast<double>(narrow[i]), wide[i]) << type.name() << " element " << i;
        }
      }
      EXPECT_EQ(narrow_stats.max_abs, wide_stats.max_abs);
      EXPECT_EQ(narrow_stats.all_finite, wide_stats.all_finite);
    };
    check(StoredType{K::signed_int, 2, big_endian}, raw_bytes(shorts, big_endian), shorts.size());
    check(StoredType{K::floating, 4, big_endian}, raw_bytes(floats, big_endian), floats.size());
    check(StoredType{K::unsigned_int, 1, big_endian}, raw_bytes(bytes, big_endian), bytes.size());
    const std::vector<std::uint16_t> halves = {0x3c00, 0xc000, 0x7bff, 0x0001};  // 1, -2, 65504, 2^-24
    check(StoredType{K::floating, 2, big_endian}, raw_bytes(halves, big_endian), halves.size());
  }
  for (const StoredType wider : {StoredType{K::floating, 8, false}, StoredType{K::signed_int, 4, false},
                                 StoredType{K::unsigned_int, 8, true}}) {
    EXPECT_FALSE(fits_float_exactly(wider)) << wider.name();
    float out = 0;
    const std::uint64_t raw = 0;
    EXPECT_THROW(decode_to_float(wider, &raw, 1, &out), std::logic_error);
  }
}

TEST(WidenToDouble, NonFiniteValuesAreFlaggedAndLeftOutOfTheMaximum) {
  const std::vector<float> values = {1.0f, std::numeric_limits<float>::quiet_NaN(), -7.0f,
                                     std::numeric_limits<float>::infinity()};
  const auto raw = raw_bytes(values, false);
  std::vector<double> out(values.size());
  const BlockStatistics stats =
      widen_to_double(StoredType{StoredType::Kind::floating, 4, false}, raw.data(), values.size(), out.data());
  EXPECT_FALSE(stats.all_finite);
  EXPECT_EQ(stats.max_abs, 7.0);
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_TRUE(std::isinf(out[3]));
}

TEST(WidenToDouble, Float16InBothByteOrders) {
  const std::vector<std::uint16_t> bits = {0x3c00, 0x7bff, 0x0001};
  for (bool big_endian : {false, true}) {
    const auto raw = raw_bytes(bits, big_endian);
    std::vector<double> out(bits.size());
    const BlockStatistics stats =
        widen_to_double(StoredType{StoredType::Kind::floating, 2, big_endian}, raw.data(), bits.size(), out.data());
    EXPECT_EQ(out[0], 1.0);
    EXPECT_EQ(out[1], 65504.0);
    EXPECT_EQ(out[2], std::ldexp(1.0, -24));
    EXPECT_EQ(stats.max_abs, 65504.0);
  }
}

// bfloat16 is the top half of a float32: every pattern widens to the float32 with those 16 bits on top,
// NaN and infinity included, in either byte order, and to float32 exactly (--precision mixed).
TEST(WidenToDouble, Bfloat16IsTheUpperHalfOfAFloat32) {
  const std::vector<std::uint16_t> bits = {0x3f80, 0xc040, 0x7f7f, 0x0001, 0x8000, 0x3e9a};
  const std::vector<double> expected = {1.0, -3.0, 3.3895313892515355e38, std::ldexp(1.0, -133), -0.0, 0.30078125};
  for (bool big_endian : {false, true}) {
    const auto raw = raw_bytes(bits, big_endian);
    std::vector<double> out(bits.size());
    const BlockStatistics stats = widen_to_double(StoredType::bfloat16(big_endian), raw.data(), bits.size(), out.data());
    for (std::size_t i = 0; i < bits.size(); ++i) EXPECT_EQ(out[i], expected[i]) << "element " << i;
    EXPECT_TRUE(std::signbit(out[4]));
    EXPECT_EQ(stats.max_abs, 3.3895313892515355e38);
    EXPECT_TRUE(stats.all_finite);
    std::vector<float> narrow(bits.size());
    decode_to_float(StoredType::bfloat16(big_endian), raw.data(), bits.size(), narrow.data());
    for (std::size_t i = 0; i < bits.size(); ++i) EXPECT_EQ(static_cast<double>(narrow[i]), expected[i]);
  }
  const std::vector<std::uint16_t> nonfinite = {0x7f80, 0x3f80};
  std::vector<double> out(2);
  EXPECT_FALSE(widen_to_double(StoredType::bfloat16(), nonfinite.data(), 2, out.data()).all_finite);
  EXPECT_TRUE(std::isinf(out[0]));
  EXPECT_TRUE(fits_float_exactly(StoredType::bfloat16()));
  EXPECT_FALSE(StoredType::bfloat16() == (StoredType{StoredType::Kind::floating, 2, false}));
}

// The generic decoder, given the fields of IEEE binary16/32/64, must agree bit for bit with the hardware's
// (and float16_to_double's) reading of the same patterns: subnormals, infinities, NaN and -0 included.
template <typename Bits, typename Reference>
void expect_generic_matches(int bytes, const FloatFields& fields, const std::vector<Bits>& patterns, Reference reference) {
  for (bool big_endian : {false, true}) {
    const StoredType generic = StoredType::custom_float(bytes, big_endian, fields);
    const auto raw = raw_bytes(patterns, big_endian);
    std::vector<double> out(patterns.size());
    widen_to_double(generic, raw.data(), patterns.size(), out.data());
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      const double expected = reference(patterns[i]);
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(out[i])) << generic.name() << " pattern " << std::hex << +patterns[i];
      } else {
        EXPECT_EQ(out[i], expected) << generic.name() << " pattern " << std::hex << +patterns[i];
        EXPECT_EQ(std::signbit(out[i]), std::signbit(expected)) << generic.name();
      }
    }
  }
}

TEST(CustomFloat, WithIeeeFieldsItDecodesLikeTheHardware) {
  std::vector<std::uint32_t> singles = {0, 0x80000000u, 1, 0x007fffffu, 0x00800000u, 0x3f800000u, 0xc0490fdbu,
                                        0x7f7fffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u};
  std::vector<std::uint64_t> doubles = {0, 1, 0x000fffffffffffffull, 0x3ff0000000000000ull, 0xbfd5555555555555ull,
                                        0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff8000000000000ull};
  std::vector<std::uint16_t> halves = {0, 0x8000, 1, 0x03ff, 0x0400, 0x3c00, 0xc248, 0x7bff, 0x7c00, 0xfc00, 0x7e00};
  std::uint32_t state = 12345;  // and a few thousand patterns from a fixed linear congruential sequence
  for (int i = 0; i < 4000; ++i) {
    state = state * 1664525u + 1013904223u;
    singles.push_back(state);
    halves.push_back(static_cast<std::uint16_t>(state >> 16));
    doubles.push_back((std::uint64_t{state} << 32) ^ (state * 2654435761u));
  }
  expect_generic_matches(4, FloatFields{31, 23, 8, 0, 23, 127, true}, singles, [](std::uint32_t bits) {
    float value;
    std::memcpy(&value, &bits, 4);
    return static_cast<double>(value);
  });
  expect_generic_matches(8, FloatFields{63, 52, 11, 0, 52, 1023, true}, doubles, [](std::uint64_t bits) {
    double value;
    std::memcpy(&value, &bits, 8);
    return value;
  });
  expect_generic_matches(2, FloatFields{15, 10, 5, 0, 10, 15, true}, halves,
                         [](std::uint16_t bits) { return float16_to_double(bits); });
}

// A 24-bit float (sign, 7 exponent bits with bias 63, 16 mantissa bits), values worked out by hand.
TEST(CustomFloat, A24BitFloatDecodesExactlyInBothByteOrders) {
  const FloatFields fields{23, 16, 7, 0, 16, 63, true};
  const std::vector<std::uint32_t> patterns = {0x3F0000, 0xC08000, 0x000001, 0x7EFFFF, 0x3E4000, 0x800000};
  const std::vector<double> expected = {1.0, -3.0, std::ldexp(1.0, -78), (2 - std::ldexp(1.0, -16)) * std::ldexp(1.0, 63),
                                        0.625, -0.0};
  for (bool big_endian : {false, true}) {
    const StoredType type = StoredType::custom_float(3, big_endian, fields);
    EXPECT_EQ(type.name(), big_endian ? "float24_e7m16be" : "float24_e7m16");
    std::vector<unsigned char> raw;
    for (std::uint32_t bits : patterns) {
      for (int b = 0; b < 3; ++b) raw.push_back(static_cast<unsigned char>(bits >> (8 * (big_endian ? 2 - b : b))));
    }
    std::vector<double> out(patterns.size());
    const BlockStatistics stats = widen_to_double(type, raw.data(), patterns.size(), out.data());
    for (std::size_t i = 0; i < patterns.size(); ++i) EXPECT_EQ(out[i], expected[i]) << "element " << i;
    EXPECT_TRUE(std::signbit(out[5]));
    EXPECT_EQ(stats.max_abs, expected[3]);
    EXPECT_TRUE(stats.all_finite);
    // 17 significant bits and exponents from -78 to 63: float32 holds them all (--precision mixed).
    ASSERT_TRUE(fits_float_exactly(type));
    std::vector<float> narrow(patterns.size());
    decode_to_float(type, raw.data(), patterns.size(), narrow.data());
    for (std::size_t i = 0; i < patterns.size(); ++i) EXPECT_EQ(static_cast<double>(narrow[i]), expected[i]);

    const std::vector<unsigned char> infinity = big_endian ? std::vector<unsigned char>{0x7F, 0, 0}
                                                           : std::vector<unsigned char>{0, 0, 0x7F};
    double value = 0;
    EXPECT_FALSE(widen_to_double(type, infinity.data(), 1, &value).all_finite);
    EXPECT_TRUE(std::isinf(value));
  }
}

// The same values with the fields in another order (sign in bit 0, exponent in bits 1-7, mantissa above),
// a bias of its own, and a stored leading bit: the positions and the normalisation are honoured.
TEST(CustomFloat, FieldOrderBiasAndAStoredLeadingBitAreHonoured) {
  const FloatFields shuffled{0, 1, 7, 8, 16, 60, true};
  const auto shuffle = [](std::uint32_t sign, std::uint32_t exponent, std::uint32_t mantissa) {
    return sign | (exponent << 1) | (mantissa << 8);
  };
  const std::vector<std::uint32_t> patterns = {shuffle(0, 60, 0), shuffle(1, 61, 0x8000), shuffle(0, 0, 1)};
  const std::vector<double> expected = {1.0, -3.0, std::ldexp(1.0, -75)};
  const StoredType type = StoredType::custom_float(3, false, shuffled);
  EXPECT_EQ(type.name(), "float24_e7m16_bias60_s0e1m8");
  std::vector<unsigned char> raw;
  for (std::uint32_t bits : patterns) {
    for (int b = 0; b < 3; ++b) raw.push_back(static_cast<unsigned char>(bits >> (8 * b)));
  }
  std::vector<double> out(patterns.size());
  widen_to_double(type, raw.data(), patterns.size(), out.data());
  EXPECT_EQ(out, expected);

  // A float32-sized format whose 23-bit mantissa stores the leading 1 (bit 22): 1.0 is exponent 127 with
  // the mantissa's top bit set; the same exponent with mantissa 0x600000 is 1.5.
  const StoredType explicit_bit = StoredType::custom_float(4, false, FloatFields{31, 23, 8, 0, 23, 127, false});
  EXPECT_EQ(explicit_bit.name(), "float32_e8m23_explicit");
  const std::vector<std::uint32_t> words = {(127u << 23) | 0x400000u, (127u << 23) | 0x600000u, 0x80000000u | (128u << 23) | 0x400000u};
  std::vector<double> explicit_out(words.size());
  widen_to_double(explicit_bit, words.data(), words.size(), explicit_out.data());
  EXPECT_EQ(explicit_out, (std::vector<double>{1.0, 1.5, -2.0}));
  EXPECT_FALSE(is_native_float32(explicit_bit));  // 4 bytes, but not IEEE: never taken as float32 as is
}

TEST(CustomFloat, FormatsADoubleCannotHoldAreRefusedSayingWhy) {
  const auto problem = [](const FloatFields& fields, int bytes) { return float_fields_problem(fields, bytes).value_or(""); };
  // x87's 80-bit extended precision: 64-bit significand.
  EXPECT_NE(problem(FloatFields{79, 64, 15, 0, 64, 16383, false}, 10).find("64-bit significand is wider than double's 53"),
            std::string::npos);
  // float32's fields padded to 10 bytes: exact in a double, but wider than the decoder's 64-bit words.
  EXPECT_NE(problem(FloatFields{31, 23, 8, 0, 23, 127, true}, 10).find("at most 64 bits"), std::string::npos);
  EXPECT_NE(problem(FloatFields{63, 55, 8, 0, 55, 127, true}, 8).find("56-bit significand is wider than double's 53"),
            std::string::npos);
  // 11 exponent bits with a bias of 0: values up to 2^2047.
  EXPECT_NE(problem(FloatFields{63, 52, 11, 0, 52, 0, true}, 8).find("beyond double's range"), std::string::npos);
  // A bias so large that its smallest values are below double's subnormals.
  EXPECT_NE(problem(FloatFields{31, 23, 8, 0, 23, 1100, true}, 4).find("below double's smallest subnormal"),
            std::string::npos);
  EXPECT_NE(problem(FloatFields{31, 20, 8, 0, 23, 127, true}, 4).find("overlap"), std::string::npos);
  EXPECT_NE(problem(FloatFields{31, 23, 8, 0, 23, 127, true}, 2).find("do not fit"), std::string::npos);
  EXPECT_THROW(StoredType::custom_float(8, false, FloatFields{63, 52, 11, 0, 52, 0, true}), std::invalid_argument);
  EXPECT_FALSE(float_fields_problem(FloatFields{63, 52, 11, 0, 52, 1023, true}, 8).has_value());
  // float64's fields decode exactly to double, but not to float32.
  EXPECT_FALSE(fits_float_exactly(StoredType::custom_float(8, false, FloatFields{63, 52, 11, 0, 52, 1023, true})));
}

TEST(StoredTypeName, FollowsNumpyWithABigEndianSuffix) {
  EXPECT_EQ(StoredType::bfloat16().name(), "bfloat16");
  EXPECT_EQ((StoredType{StoredType::Kind::floating, 2, false}.name()), "float16");
  EXPECT_EQ((StoredType{StoredType::Kind::floating, 8, true}.name()), "float64be");
  EXPECT_EQ((StoredType{StoredType::Kind::signed_int, 1, true}.name()), "int8");
  EXPECT_EQ((StoredType{StoredType::Kind::unsigned_int, 4, true}.name()), "uint32be");
}

}  // namespace
}  // namespace rankme
