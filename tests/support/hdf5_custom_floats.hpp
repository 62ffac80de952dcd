// Matrices stored as HDF5 floating-point types of a layout of one's choosing (bfloat16, a 24-bit float,
// big-endian ones), written and read back through HDF5's own conversions: the values a test compares
// against are HDF5's decoding of the stored bits, not rankme's. Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rankme::testing {

// Bit positions count from the least significant bit of the element; normalisation is IEEE's (implied
// leading bit).
struct CustomFloatLayout {
  std::size_t sign_position, exponent_position, exponent_bits, mantissa_position, mantissa_bits;
  std::size_t bytes, exponent_bias;
  bool big_endian = false;
};

inline constexpr CustomFloatLayout bfloat16_layout{15, 7, 8, 0, 7, 2, 127, false};
// sign, 7 exponent bits (bias 63), 16 mantissa bits: a float24.
inline constexpr CustomFloatLayout float24_layout{23, 16, 7, 0, 16, 3, 63, false};

// Writes a rows x cols matrix (row-major doubles, converted by HDF5 with its rounding) as `layout`,
// chunked in blocks of `chunk_rows` rows when that is not 0, and returns the values HDF5 reads back as
// double. Creates `file` if missing; throws if the dataset exists.
std::vector<double> write_custom_float_matrix(const std::string& file, const std::string& path,
                                              const std::vector<double>& row_major, std::uint64_t rows,
                                              std::uint64_t cols, const CustomFloatLayout& layout,
                                              std::uint64_t chunk_rows = 0);

}  // namespace rankme::testing
