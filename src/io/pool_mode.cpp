#include "rankme/io/pool_mode.hpp"

#include <stdexcept>

namespace rankme {

const char* pool_mode_name(PoolMode mode) {
  switch (mode) {
    case PoolMode::none: return "none";
    case PoolMode::mean: return "mean";
    case PoolMode::first: return "first";
    case PoolMode::last: return "last";
    case PoolMode::flatten: return "flatten";
  }
  return "none";
}

std::optional<PoolMode> pool_mode_from_name(const std::string& name) {
  for (PoolMode mode : {PoolMode::none, PoolMode::mean, PoolMode::first, PoolMode::last, PoolMode::flatten}) {
    if (name == pool_mode_name(mode)) return mode;
  }
  return std::nullopt;
}

std::pair<std::uint64_t, std::uint64_t> pooled_matrix_shape(const std::vector<std::uint64_t>& shape, PoolMode mode) {
  if (shape.size() < 3 || mode == PoolMode::none) throw std::logic_error("pooling needs an array of 3 or more axes and a mode");
  if (mode != PoolMode::flatten) return {shape.front(), shape.back()};
  std::uint64_t rows = shape.front();
  for (std::size_t axis = 1; axis + 1 < shape.size(); ++axis) {
    if (__builtin_mul_overflow(rows, shape[axis], &rows)) {
      throw std::overflow_error("--pool flatten of " + array_shape_text(shape) + " gives more than 2^64 rows");
    }
  }
  return {rows, shape.back()};
}

std::string array_shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace rankme
