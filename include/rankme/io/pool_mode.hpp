#pragma once
// How an array of more than two dimensions (samples x tokens x features, samples x views x features, or
// more axes) becomes the rows x columns matrix that is scored (--pool). The middle axes are pooled together:
// for a shape (d0, d1, ..., dk), "mean" averages the d1*...*d(k-1) vectors of each sample, "first" and
// "last" take the first or last of them (a CLS token), and "flatten" makes each of them a row of its own
// (d0*d1*...*d(k-1) rows). `none` leaves such arrays unscored.
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace rankme {

enum class PoolMode { none, mean, first, last, flatten };

// "none", "mean", "first", "last", "flatten".
const char* pool_mode_name(PoolMode mode);
// The inverse; nothing for any other text.
std::optional<PoolMode> pool_mode_from_name(const std::string& name);

// The scored matrix of an array of `shape` (at least 3 axes) under `mode` (not none): {rows, cols}.
// Throws std::overflow_error when its row count does not fit 64 bits.
std::pair<std::uint64_t, std::uint64_t> pooled_matrix_shape(const std::vector<std::uint64_t>& shape, PoolMode mode);

// "(1000, 197, 768)", as numpy prints a shape (formats/array_layout.hpp has the same as shape_text, one
// area up; this one serves io and the pipeline).
std::string array_shape_text(const std::vector<std::uint64_t>& shape);

}  // namespace rankme
