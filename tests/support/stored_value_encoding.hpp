// How the fixture writers store values on disk: the stored types, and the conversion of a double to
// each of them (the bit pattern written, and the value a reader gets back). No HDF5 here, so that the
// reference side of a test can compute "as stored" values without writing a file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rankme::testing {

// How values are stored on disk.
struct StoredType {
  enum class Kind { floating, signed_int, unsigned_int };
  Kind kind;
  int bytes;                // floating: 2 (IEEE half as h5py writes it), 4, 8; integers: 1, 2, 4, 8
  bool big_endian = false;  // ignored for 1-byte integers, which are always written as *8LE

  // e.g. "float16le", "float64be", "int32be", "uint8" (1-byte integers carry no byte order).
  std::string name() const;
};

// f16/f32/f64 and i8..i64, u8..u64, each little and big endian (1-byte integers once): 20 types.
std::vector<StoredType> all_supported_stored_types();

// The value `value` becomes when stored as `type` (the per-element conversion write_matrix uses):
//  * integers: round to nearest, ties away from zero (std::round), then clamp to the type's range;
//    NaN throws std::invalid_argument. (int64/uint64 values beyond 2^53 cannot be returned exactly
//    as doubles; the returned value is then the nearest double.)
//  * float16: float16_bits_from_double (float16_encoding.hpp).
//  * float32: round-to-nearest-even as static_cast does; finite values beyond float's range become
//    +-FLT_MAX or +-inf exactly as IEEE rounding says (checked first, since that cast is UB in
//    C++).
//  * float64: stored as given.
// An unsupported type (e.g. a 3-byte integer) throws std::invalid_argument.
double stored_value(double value, const StoredType& type);

// One value as stored.
struct EncodedValue {
  std::uint64_t bits;  // the stored bit pattern, in the low `bytes` bytes (native order)
  double value;        // the stored value, back as a double
};

// The conversion behind stored_value, with the bit pattern; `where` prefixes error messages.
EncodedValue encode_value(double value, const StoredType& type, const std::string& where);
// Throws std::invalid_argument (prefixed by `where`) unless `type` is one of the supported types.
void validate_stored_type(const StoredType& type, const std::string& where);

}  // namespace rankme::testing
