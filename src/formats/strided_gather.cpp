#include "rankme/formats/strided_gather.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace rankme {

namespace {

// (element offset from element [0, ..., 0], in elements; index of its place in `out`, in elements)
using Placement = std::pair<std::uint64_t, std::uint64_t>;

// The placements of the flat C-order indices [begin, end) of `layout`, appended to `slab`, destination
// indices counted from `destination`.
void place_slab(const ArrayLayout& layout, std::uint64_t cols, std::uint64_t begin, std::uint64_t end,
                std::uint64_t destination, std::vector<Placement>& slab) {
  const std::size_t axes = layout.shape.size();
  // The multi-index of `begin`: row, then the inner axes (the last one fastest).
  std::vector<std::uint64_t> index(axes, 0);
  index[0] = begin / cols;
  std::uint64_t rest = begin % cols;
  for (std::size_t axis = axes; axis-- > 1;) {
    index[axis] = rest % layout.shape[axis];
    rest /= layout.shape[axis];
  }
  std::uint64_t offset = 0;
  for (std::size_t axis = 0; axis < axes; ++axis) offset += index[axis] * layout.strides[axis];
  for (std::uint64_t flat = begin; flat < end; ++flat) {
    slab.emplace_back(offset, destination + (flat - begin));
    // Odometer step, keeping the offset up to date (no overflow: check_inside bounded every element's offset).
    for (std::size_t axis = axes; axis-- > 0;) {
      if (++index[axis] < layout.shape[axis] || axis == 0) {
        offset += layout.strides[axis];
        break;
      }
      offset -= (layout.shape[axis] - 1) * layout.strides[axis];
      index[axis] = 0;
    }
  }
}

}  // namespace

std::uint64_t layout_row_elements(const ArrayLayout& layout) {
  std::uint64_t cols = 1;
  for (std::size_t axis = 1; axis < layout.shape.size(); ++axis) {
    if (__builtin_mul_overflow(cols, layout.shape[axis], &cols)) throw std::runtime_error("array row size overflows 64 bits");
  }
  return cols;
}

std::uint64_t checked_row_elements(const ArrayLayout& layout, std::uint64_t stream_bytes, const std::string& what) {
  std::uint64_t cols = 0, bytes = 0;
  bool overflow = false;
  try {
    cols = layout_row_elements(layout);
  } catch (const std::runtime_error&) {
    overflow = true;
  }
  overflow = overflow || __builtin_mul_overflow(cols, static_cast<std::uint64_t>(layout.type.bytes), &bytes);
  if (overflow || bytes > stream_bytes) {
    throw std::runtime_error(what + ": shape " + shape_text(layout.shape) + " of " + layout.type.name() +
                             " has rows of " + (overflow ? std::string("more than 2^64") : std::to_string(bytes)) +
                             " bytes, more than the " + std::to_string(stream_bytes) +
                             " bytes that hold it (a header that does not match the data)");
  }
  return cols;
}

void check_row_runs(const std::vector<RowRun>& runs, std::uint64_t rows, std::size_t row_bytes, std::size_t out_bytes,
                    const std::string& what) {
  std::uint64_t next = 0;
  std::uint64_t needed = 0;
  for (const RowRun& run : runs) {
    if (run.first < next || run.count > rows || run.first > rows - run.count) {
      throw std::runtime_error(what + ": rows asked for out of order or beyond the " + std::to_string(rows) + " rows");
    }
    next = run.first + run.count;
    needed += run.count;
  }
  if (row_bytes != 0 && needed > out_bytes / row_bytes) {
    throw std::runtime_error(what + ": the block buffer is too small for the rows asked for");
  }
}

void gather_rows(const ArrayLayout& layout, const std::vector<RowRun>& runs, unsigned char* out,
                 const StreamSpanReader& read, const GatherLimits& limits) {
  const auto element_bytes = static_cast<std::uint64_t>(layout.type.bytes);
  const std::uint64_t cols = layout_row_elements(layout);
  const std::uint64_t row_bytes = cols * element_bytes;
  if (layout.c_contiguous()) {
    std::uint64_t written = 0;
    for (const RowRun& run : runs) {
      const std::uint64_t bytes = run.count * row_bytes;
      if (bytes > 0) read(layout.offset + run.first * row_bytes, static_cast<std::size_t>(bytes), out + written);
      written += bytes;
    }
    return;
  }
  const std::uint64_t slab_elements = std::max<std::uint64_t>(limits.slab_elements, 1);
  const std::size_t span_cap = std::max<std::size_t>(limits.span_bytes, static_cast<std::size_t>(element_bytes));
  std::vector<Placement> slab;
  std::vector<unsigned char> scratch;
  // Reads the slab's elements in ascending offset order, span by span, and empties it.
  auto read_slab = [&] {
    std::sort(slab.begin(), slab.end());
    for (std::size_t first = 0; first < slab.size();) {
      // One span: the elements from `first` whose bytes lie close enough after each other.
      const std::uint64_t span_start = slab[first].first * element_bytes;
      std::uint64_t span_end = span_start + element_bytes;
      std::size_t last = first + 1;
      while (last < slab.size()) {
        const std::uint64_t start = slab[last].first * element_bytes;
        const std::uint64_t stop = std::max(span_end, start + element_bytes);
        if (start > span_end + limits.merge_gap_bytes || stop - span_start > span_cap) break;
        span_end = stop;
        ++last;
      }
      const auto span_bytes = static_cast<std::size_t>(span_end - span_start);
      if (scratch.size() < span_bytes) scratch.resize(span_bytes);
      read(layout.offset + span_start, span_bytes, scratch.data());
      for (std::size_t i = first; i < last; ++i) {
        std::memcpy(out + slab[i].second * element_bytes, scratch.data() + (slab[i].first * element_bytes - span_start),
                    static_cast<std::size_t>(element_bytes));
      }
      first = last;
    }
    slab.clear();
  };
  // Slabs run across run boundaries: a block of many short runs (--sample) is as few slabs as one long run,
  // which for a forward-only stream is as few passes.
  std::uint64_t destination = 0;  // in elements
  for (const RowRun& run : runs) {
    const std::uint64_t run_end = (run.first + run.count) * cols;
    for (std::uint64_t begin = run.first * cols; begin < run_end;) {
      const std::uint64_t end = std::min(run_end, begin + (slab_elements - slab.size()));
      place_slab(layout, cols, begin, end, destination, slab);
      destination += end - begin;
      begin = end;
      if (slab.size() >= slab_elements) read_slab();
    }
  }
  read_slab();
}

}  // namespace rankme
