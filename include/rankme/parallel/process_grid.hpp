#pragma once
// A BLACS process grid over an MPI communicator, released by its destructor.
#include <cstdint>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

struct GridShape {
  int rows = 1;
  int cols = 1;
  int block = 1;  // square block-cyclic block size

  // The most nearly square grid of at most `ranks` processes whose blocks still hold at least
  // `min_block` columns of an order-`order` matrix, and its block size (at most 64, and never more than
  // order / max(rows, cols): ScaLAPACK's eigensolvers fail or hang with blocks large relative to that).
  static GridShape for_matrix(std::uint64_t order, int ranks, int min_block = 8);
};

class ProcessGrid {
 public:
  // Collective over `comm`: every rank calls it; ranks beyond rows x cols are outside the grid.
  ProcessGrid(const Communicator& comm, GridShape shape);
  ~ProcessGrid();
  ProcessGrid(const ProcessGrid&) = delete;
  ProcessGrid& operator=(const ProcessGrid&) = delete;

  bool contains_me() const { return my_row_ >= 0; }
  int context() const { return context_; }
  const GridShape& shape() const { return shape_; }
  int my_row() const { return my_row_; }
  int my_col() const { return my_col_; }

 private:
  GridShape shape_;
  int system_handle_ = -1;
  int context_ = -1;
  int my_row_ = -1;
  int my_col_ = -1;
};

}  // namespace rankme
