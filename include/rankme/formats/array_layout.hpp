#pragma once
// Where an array's values lie in a byte stream (a file, or the inflated bytes of a zip member): element
// type, shape, strides and the offset of element [0, ..., 0]. Every tensor format but HDF5 comes down to
// this (.npy in C or Fortran order, safetensors, a torch storage seen through a view), so one row source
// per kind of stream reads them all (file_array_source.hpp, deflated_array_source.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/numerics/stored_type.hpp"

namespace rankme {

struct ArrayLayout {
  StoredType type;
  std::vector<std::uint64_t> shape;    // at least one axis
  std::vector<std::uint64_t> strides;  // in elements, one per axis (formats that allow negative ones are refused)
  std::uint64_t offset = 0;            // bytes from the start of the stream to element [0, ..., 0]

  static ArrayLayout c_order(const StoredType& type, std::vector<std::uint64_t> shape, std::uint64_t offset);
  static ArrayLayout fortran_order(const StoredType& type, std::vector<std::uint64_t> shape, std::uint64_t offset);

  // Product of the shape; throws std::runtime_error when it overflows 64 bits.
  std::uint64_t element_count() const;
  // Whether the elements lie row after row with no gap (the fast path: one read per run of rows).
  bool c_contiguous() const;
  // One past the last byte any element occupies (offset + the largest element's byte offset + its bytes);
  // offset when the array is empty. Throws std::runtime_error when that overflows 64 bits.
  std::uint64_t end_byte() const;
  // Throws std::runtime_error("<what>: ...") unless every element lies inside a stream of `stream_bytes`
  // bytes and strides and shape have one entry per axis: a header that lies about shape or offsets is
  // refused before anything of its size is allocated or read.
  void check_inside(std::uint64_t stream_bytes, const std::string& what) const;
};

// "(3, 4)": the shape as numpy prints it ("(5,)" for one axis).
std::string shape_text(const std::vector<std::uint64_t>& shape);

}  // namespace rankme
