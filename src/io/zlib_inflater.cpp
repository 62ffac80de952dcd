#include "rankme/io/zlib_inflater.hpp"

#include <libdeflate.h>

#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

ZlibInflater::ZlibInflater() : decompressor_(libdeflate_alloc_decompressor()) {
  if (decompressor_ == nullptr) throw std::bad_alloc();
}

ZlibInflater::~ZlibInflater() {
  if (decompressor_ != nullptr) libdeflate_free_decompressor(decompressor_);
}

ZlibInflater::ZlibInflater(ZlibInflater&& other) noexcept : decompressor_(std::exchange(other.decompressor_, nullptr)) {}

ZlibInflater& ZlibInflater::operator=(ZlibInflater&& other) noexcept {
  if (this != &other) {
    if (decompressor_ != nullptr) libdeflate_free_decompressor(decompressor_);
    decompressor_ = std::exchange(other.decompressor_, nullptr);
  }
  return *this;
}

void ZlibInflater::inflate_exactly(const unsigned char* in, std::size_t in_bytes, unsigned char* out,
                                   std::size_t out_bytes) {
  std::size_t inflated = 0;
  // With the actual size asked for, a short stream is a success that says how short it was.
  const libdeflate_result result = libdeflate_zlib_decompress(decompressor_, in, in_bytes, out, out_bytes, &inflated);
  switch (result) {
    case LIBDEFLATE_SUCCESS:
      if (inflated != out_bytes) {
        throw std::runtime_error("deflate stream inflates to " + std::to_string(inflated) + " bytes, not " +
                                 std::to_string(out_bytes));
      }
      return;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      throw std::runtime_error("deflate stream inflates to more than the " + std::to_string(out_bytes) +
                               " bytes expected");
    default:
      throw std::runtime_error("deflate stream is corrupt");
  }
}

}  // namespace rankme
