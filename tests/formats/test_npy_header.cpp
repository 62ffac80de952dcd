// The .npy header: versions 1.0, 2.0 and 3.0, the dict in any key order and spelling numpy and others
// write, every dtype rankme reads and a description of those it does not, and malformed or oversized
// headers refused with a message naming the file.
#include "rankme/formats/npy_header.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace rankme {
namespace {

// A header as numpy lays it out: magic, version, little-endian length, the dict padded with spaces to a
// multiple of 64 bytes (16 for... numpy pads every version to 64 since 1.x), ending in '\n'.
std::string npy_header_bytes(const std::string& dict, int major = 1, std::size_t align = 64) {
  const std::size_t preamble = major == 1 ? 10 : 12;
  std::string text = dict;
  while ((preamble + text.size() + 1) % align != 0) text += ' ';
  text += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  const std::size_t length = text.size();
  for (std::size_t i = 0; i < preamble - 8; ++i) bytes += static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + text;
}

NpyHeader parse(const std::string& dict, int major = 1) {
  const std::string bytes = npy_header_bytes(dict, major);
  EXPECT_EQ(npy_header_size(bytes.substr(0, npy_preamble_bytes), "t"), bytes.size());
  return parse_npy_header(bytes, "t");
}

std::string error_of(const std::string& bytes) {
  try {
    parse_npy_header(bytes, "'f.npy'");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(NpyHeader, ReadsNumpysOwnHeaderInEveryVersion) {
  for (int major : {1, 2, 3}) {
    const NpyHeader header = parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major);
    EXPECT_EQ(header.major_version, major);
    ASSERT_TRUE(header.type);
    EXPECT_EQ(*header.type, (StoredType{StoredType::Kind::floating, 4, false}));
    EXPECT_EQ(header.dtype, "float32");
    EXPECT_FALSE(header.fortran_order);
    EXPECT_EQ(header.shape, (std::vector<std::uint64_t>{3, 4}));
    EXPECT_EQ(header.data_offset % 64, 0u);
  }
}

TEST(NpyHeader, AcceptsAnyKeyOrderQuotesSpacingAndShape) {
  const NpyHeader a = parse("{\"shape\":(5,),\"fortran_order\":True,\"descr\":\">f8\"}");
  EXPECT_EQ(a.shape, (std::vector<std::uint64_t>{5}));
  EXPECT_TRUE(a.fortran_order);
  EXPECT_EQ(a.dtype, "float64be");
  EXPECT_TRUE(parse("{'descr':'<i8','fortran_order':False,'shape':()}").shape.empty());
  EXPECT_EQ(parse("{ 'descr' : '|u1' , 'fortran_order' : False , 'shape' : ( 2 , 3 , 4 , ) , }").shape,
            (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L)}").shape,  // Python 2 numpy
            (std::vector<std::uint64_t>{3, 4}));
  // numpy <= 1.x wrote 16-byte alignment for version 1: not required either way.
  const std::string sixteen = npy_header_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1), }", 1, 16);
  EXPECT_EQ(parse_npy_header(sixteen, "t").data_offset, sixteen.size());
}

TEST(NpyHeader, MapsEveryReadableDescr) {
  struct Case {
    const char* descr;
    StoredType type;
  };
  const Case cases[] = {
      {"<f2", {StoredType::Kind::floating, 2, false}},  {">f2", {StoredType::Kind::floating, 2, true}},
      {"<f4", {StoredType::Kind::floating, 4, false}},  {"=f4", {StoredType::Kind::floating, 4, false}},
      {"<f8", {StoredType::Kind::floating, 8, false}},  {">f8", {StoredType::Kind::floating, 8, true}},
      {"|i1", {StoredType::Kind::signed_int, 1, false}}, {"|u1", {StoredType::Kind::unsigned_int, 1, false}},
      {"<i2", {StoredType::Kind::signed_int, 2, false}}, {">i4", {StoredType::Kind::signed_int, 4, true}},
      {"<i8", {StoredType::Kind::signed_int, 8, false}}, {"<u2", {StoredType::Kind::unsigned_int, 2, false}},
      {">u4", {StoredType::Kind::unsigned_int, 4, true}}, {"<u8", {StoredType::Kind::unsigned_int, 8, false}},
  };
  for (const Case& c : cases) {
    const NpyHeader header = parse(std::string("{'descr': '") + c.descr + "', 'fortran_order': False, 'shape': (2, 2), }");
    ASSERT_TRUE(header.type) << c.descr;
    EXPECT_EQ(*header.type, c.type) << c.descr;
    EXPECT_EQ(header.dtype, c.type.name()) << c.descr;
  }
}

TEST(NpyHeader, DescribesDtypesItDoesNotReadInsteadOfThrowing) {
  struct Case {
    const char* descr;
    const char* dtype_contains;
  };
  const Case cases[] = {{"'|b1'", "bool"},         {"'<c8'", "complex64"},      {"'<c16'", "complex128"},
                        {"'|O'", "object"},        {"'|S10'", "bytes"},         {"'<U7'", "unicode"},
                        {"'<M8[ns]'", "datetime64"}, {"'<m8[s]'", "timedelta64"}, {"'|V16'", "void"},
                        {"'<f16'", "float128"},
                        {"[('x', '<f4'), ('y', '<i2')]", "structured dtype [('x', '<f4'), ('y', '<i2')]"}};
  for (const Case& c : cases) {
    const NpyHeader header = parse(std::string("{'descr': ") + c.descr + ", 'fortran_order': False, 'shape': (4,), }");
    EXPECT_FALSE(header.type) << c.descr;
    EXPECT_NE(header.dtype.find(c.dtype_contains), std::string::npos) << c.descr << " -> " << header.dtype;
  }
}

TEST(NpyHeader, RefusesMalformedHeadersNamingTheFile) {
  const char* dicts[] = {
      "{'descr': '<f4', 'fortran_order': False}",                            // no shape
      "{'descr': '<f4', 'shape': (3,)}",                                     // no fortran_order
      "{'fortran_order': False, 'shape': (3,)}",                             // no descr
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",                 // not a bool
      "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}",              // not a tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",            // negative
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 'a')}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",  // beyond 64 bits
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
      "{'descr': '<q4', 'fortran_order': False, 'shape': (3,)}",             // no such kind
      "{'descr': '', 'fortran_order': False, 'shape': (3,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)",              // not closed
      "{'descr': '<f4, 'fortran_order': False, 'shape': (3,)}",              // quote not closed
      "{'descr': '<f4' 'fortran_order': False, 'shape': (3,)}",              // no comma
      "['descr', '<f4']",                                                    // not a dict
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} junk",
      "{descr: '<f4'}",
      "__import__('os').system('true')",
  };
  for (const char* dict : dicts) {
    const std::string message = error_of(npy_header_bytes(dict));
    EXPECT_NE(message.find("'f.npy'"), std::string::npos) << dict << " -> " << message;
  }
  // Nesting deep enough to overflow a naive recursive parser's stack.
  const std::string deep = "{'descr': " + std::string(100000, '[') + std::string(100000, ']') +
                           ", 'fortran_order': False, 'shape': (3,)}";
  EXPECT_NE(error_of(npy_header_bytes(deep)).find("nested"), std::string::npos);
}

TEST(NpyHeader, RefusesBadMagicVersionsTruncationAndOversizedLengths) {
  const std::string good = npy_header_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_NE(error_of("PK\x03\x04 not npy").find("\\x93NUMPY"), std::string::npos);
  std::string version4 = good;
  version4[6] = 4;
  EXPECT_NE(error_of(version4).find("version 4.0"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 5)).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, 8)).find("truncated"), std::string::npos);
  // A version-2 length of 4 GiB - 1 is refused from the preamble alone, before anything of it is read.
  std::string huge = "\x93NUMPY\x02";
  huge += '\0';
  huge += "\xff\xff\xff\xff";
  try {
    npy_header_size(huge, "'f.npy'");
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("4294967307 bytes"), std::string::npos) << error.what();
  }
  std::string just_over = "\x93NUMPY\x02";
  just_over += '\0';
  const std::uint64_t length = npy_header_cap - 12 + 1;
  for (int i = 0; i < 4; ++i) just_over += static_cast<char>((length >> (8 * i)) & 0xff);
  EXPECT_THROW(npy_header_size(just_over, "t"), std::runtime_error);
}

}  // namespace
}  // namespace rankme
