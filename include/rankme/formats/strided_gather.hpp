#pragma once
// Copying the rows of an array whose values lie anywhere in a byte stream (Fortran order, a torch view with
// arbitrary strides and a storage offset, even stride 0) into a block in logical C order, reading the stream
// in large ascending spans instead of one element at a time. Both tensor row sources use it: the file one
// reads a span by pread, the deflated one by inflating forward to it.
//
// An N-D array (d0, d1, ..., dk) is a d0 x (d1 * ... * dk) matrix: row i holds the elements [i, ...] in C
// order, so the elements of rows [first, first + count) are the flat C-order indices [first * cols,
// (first + count) * cols). They are taken a slab at a time (at most `slab_elements` of them, across the
// runs of one call): the slab's
// stream offsets are sorted, neighbours closer than a small gap are merged into one span (capped), each
// span is read once into a scratch buffer and its elements are copied to their places. Memory is the slab's
// (offset, place) pairs plus one span: independent of the array's size.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "rankme/formats/array_layout.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

// Reads bytes [offset, offset + bytes) of the stream to `into`.
using StreamSpanReader = std::function<void(std::uint64_t offset, std::size_t bytes, unsigned char* into)>;

struct GatherLimits {
  std::uint64_t slab_elements = std::uint64_t{1} << 18;
  std::size_t span_bytes = std::size_t{4} << 20;  // the largest single read (the scratch buffer)
  std::size_t merge_gap_bytes = 16 << 10;         // read through gaps up to this instead of starting a new read
};

// Elements per row of `layout` as a matrix: the product of every axis but the first (1 for one axis).
std::uint64_t layout_row_elements(const ArrayLayout& layout);

// Elements per row, after checking that one row's bytes are no more than the stream holds: only an empty
// array with a huge shape ((0, 10**17)) or a broadcast view (stride 0) has rows larger than its stream, and a
// reader allocates by the row (a block holds at least one), so such a layout is refused before that.
// Throws std::runtime_error("<what>: ...").
std::uint64_t checked_row_elements(const ArrayLayout& layout, std::uint64_t stream_bytes, const std::string& what);

// Copies the rows of `runs` to `out`, row after row in C order. A C-contiguous layout is one read per run,
// straight into `out`; any other is gathered as above, each slab's reads in ascending offset order (a
// forward-only stream restarts at most once per slab). The caller has checked the runs and `out`'s size.
void gather_rows(const ArrayLayout& layout, const std::vector<RowRun>& runs, unsigned char* out,
                 const StreamSpanReader& read, const GatherLimits& limits = {});

// Throws std::runtime_error("<what>: ...") unless `runs` are ascending, disjoint, inside [0, rows) and fit
// into `out_bytes` at `row_bytes` each: a caller's bug must not become a write past a buffer.
void check_row_runs(const std::vector<RowRun>& runs, std::uint64_t rows, std::size_t row_bytes, std::size_t out_bytes,
                    const std::string& what);

}  // namespace rankme
