#include "rankme/parallel/process_grid.hpp"

#include <algorithm>
#include <cmath>

#include "rankme/parallel/scalapack_prototypes.hpp"

namespace rankme {

GridShape GridShape::for_matrix(std::uint64_t order, int ranks, int min_block) {
  for (int processes = std::max(ranks, 1); processes >= 1; --processes) {
    int rows = static_cast<int>(std::sqrt(static_cast<double>(processes)));
    while (processes % rows != 0) --rows;
    const int cols = processes / rows;
    const std::uint64_t per_process = order / static_cast<std::uint64_t>(std::max(rows, cols));
    if (per_process >= static_cast<std::uint64_t>(min_block) || processes == 1) {
      const auto block = static_cast<int>(std::clamp<std::uint64_t>(per_process, 1, 64));
      return GridShape{rows, cols, block};
    }
  }
  return GridShape{};
}

ProcessGrid::ProcessGrid(const Communicator& comm, GridShape shape) : shape_(shape) {
  // A BLACS system context made from this communicator (not MPI_COMM_WORLD), so that rank groups can
  // each have a grid of their own.
  system_handle_ = Csys2blacs_handle(comm.native());
  context_ = system_handle_;
  Cblacs_gridinit(&context_, "Row", shape_.rows, shape_.cols);
  if (context_ >= 0) {
    int rows = 0, cols = 0;
    Cblacs_gridinfo(context_, &rows, &cols, &my_row_, &my_col_);
  }
  if (my_row_ < 0 || my_col_ < 0) my_row_ = my_col_ = -1;
}

ProcessGrid::~ProcessGrid() {
  if (contains_me()) Cblacs_gridexit(context_);
  if (system_handle_ >= 0) Cfree_blacs_system_handle(system_handle_);
}

}  // namespace rankme
