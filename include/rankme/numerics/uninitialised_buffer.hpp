#pragma once
// A heap array of a trivial type whose elements start uninitialised: for block buffers that are always
// written (by H5Dread or a decoder) before they are read, where std::vector's zeroing would be one more
// pass over a block (measured: 128 MiB of block buffers zeroed per dataset cost about 30 ms at K = 2,048).
#include <cstddef>
#include <memory>
#include <type_traits>

namespace rankme {

template <typename T>
class UninitialisedBuffer {
  static_assert(std::is_trivial_v<T>, "only trivial types may stay uninitialised");

 public:
  UninitialisedBuffer() = default;
  explicit UninitialisedBuffer(std::size_t size) : data_(size > 0 ? new T[size] : nullptr), size_(size) {}

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t size_ = 0;
};

}  // namespace rankme
