#include "rankme/numerics/stored_type.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>


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

TEST(StoredTypeName, FollowsNumpyWithABigEndianSuffix) {
  EXPECT_EQ(StoredType::bfloat16().name(), "bfloat16");
  EXPECT_EQ((StoredType{StoredType::Kind::floating, 2, false}.name()), "float16");
  EXPECT_EQ((StoredType{StoredType::Kind::floating, 8, true}.name()), "float64be");
  EXPECT_EQ((StoredType{StoredType::Kind::signed_int, 1, true}.name()), "int8");
  EXPECT_EQ((StoredType{StoredType::Kind::unsigned_int, 4, true}.name()), "uint32be");
}

}  // namespace
}  // namespace rankme
