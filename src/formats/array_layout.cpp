#include "rankme/formats/array_layout.hpp"

#include <stdexcept>

namespace rankme {

namespace {

std::uint64_t checked_product(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product;
  if (__builtin_mul_overflow(a, b, &product)) throw std::runtime_error("array size overflows 64 bits");
  return product;
}

std::uint64_t checked_sum(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) throw std::runtime_error("array extent overflows 64 bits");
  return sum;
}

}  // namespace

ArrayLayout ArrayLayout::c_order(const StoredType& type, std::vector<std::uint64_t> shape, std::uint64_t offset) {
  ArrayLayout layout{type, std::move(shape), {}, offset};
  layout.strides.assign(layout.shape.size(), 1);
  for (std::size_t axis = layout.shape.size(); axis-- > 1;) {
    layout.strides[axis - 1] = checked_product(layout.strides[axis], layout.shape[axis]);
  }
  return layout;
}

ArrayLayout ArrayLayout::fortran_order(const StoredType& type, std::vector<std::uint64_t> shape, std::uint64_t offset) {
  ArrayLayout layout{type, std::move(shape), {}, offset};
  layout.strides.assign(layout.shape.size(), 1);
  for (std::size_t axis = 1; axis < layout.shape.size(); ++axis) {
    layout.strides[axis] = checked_product(layout.strides[axis - 1], layout.shape[axis - 1]);
  }
  return layout;
}

std::uint64_t ArrayLayout::element_count() const {
  std::uint64_t count = 1;
  for (std::uint64_t extent : shape) count = checked_product(count, extent);
  return count;
}

bool ArrayLayout::c_contiguous() const {
  std::uint64_t expected = 1;
  for (std::size_t axis = shape.size(); axis-- > 0;) {
    // An axis of extent 1 is never stepped along, so its stride does not matter (numpy and torch agree).
    if (shape[axis] != 1 && strides[axis] != expected) return false;
    expected = checked_product(expected, shape[axis]);
  }
  return true;
}

std::uint64_t ArrayLayout::end_byte() const {
  if (element_count() == 0) return offset;
  std::uint64_t last = 0;  // in elements
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    last = checked_sum(last, checked_product(shape[axis] - 1, strides[axis]));
  }
  const auto bytes = static_cast<std::uint64_t>(type.bytes);
  return checked_sum(offset, checked_product(checked_sum(last, 1), bytes));
}

void ArrayLayout::check_inside(std::uint64_t stream_bytes, const std::string& what) const {
  if (shape.empty() || strides.size() != shape.size()) {
    throw std::runtime_error(what + ": an array needs one stride per axis and at least one axis");
  }
  std::uint64_t end;
  try {
    end = end_byte();
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(what + ": shape " + shape_text(shape) + ": " + error.what());
  }
  if (end > stream_bytes) {
    throw std::runtime_error(what + ": shape " + shape_text(shape) + " of " + type.name() + " at byte " +
                             std::to_string(offset) + " needs " + std::to_string(end) + " bytes, but there are " +
                             std::to_string(stream_bytes) + " (truncated, or a header that does not match the data)");
  }
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "(";
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    if (axis > 0) text += ", ";
    text += std::to_string(shape[axis]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace rankme
