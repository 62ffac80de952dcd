#pragma once
// The element types rankme reads from disk, and their widening to double. No HDF5 here: the HDF5 layer
// (hdf5_dataset.hpp) maps a dataset's type onto a StoredType or rejects it.
#include <cstdint>
#include <string>

#include "rankme/numerics/gram_accumulator.hpp"

namespace rankme {

struct StoredType {
  enum class Kind { floating, signed_int, unsigned_int };
  Kind kind = Kind::floating;
  int bytes = 4;            // floating: 2, 4, 8 (IEEE 754); integers: 1, 2, 4, 8
  bool big_endian = false;
  // floating, 2 bytes only: bfloat16 (sign, 8 exponent bits, 7 mantissa bits: the top half of a float32),
  // as torch, safetensors and JAX store it, instead of IEEE binary16.
  bool brain_float = false;

  static StoredType bfloat16(bool big_endian = false) { return {Kind::floating, 2, big_endian, true}; }

  // numpy's name, with a "be" suffix for big-endian storage: float16, float32be, int8, uint64be, bfloat16, ...
  std::string name() const;
  bool operator==(const StoredType& other) const {
    return kind == other.kind && bytes == other.bytes && big_endian == other.big_endian &&
           brain_float == other.brain_float;
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
