#pragma once
// ScaLAPACK's block-cyclic distribution of a matrix over a BLACS grid: how much of it a process holds
// (NUMROC) and the array descriptor that tells ScaLAPACK about it (DESCINIT), with 64-bit sizes narrowed
// in one checked place.
#include <array>
#include <cstdint>
#include <vector>

#include "rankme/lapack/blas_int.hpp"

namespace rankme {

// DESCINIT's nine integers (DLEN_ = 9), passed to ScaLAPACK as DESCA.
using ArrayDescriptor = std::array<blas_int, 9>;

// How many of the `n` rows (or columns) of a matrix cut into blocks of `block` and dealt round robin over
// `processes` grid rows (or columns), the first block to coordinate 0, the process at `coordinate` holds.
// Throws std::length_error when n exceeds the libraries' int.
blas_int numroc(std::uint64_t n, blas_int block, blas_int coordinate, blas_int processes);

// The descriptor of an m x n matrix in mb x nb blocks on the BLACS grid `context`, first block on grid
// process (0, 0), stored locally with leading dimension `local_leading`. Throws std::length_error when a
// size exceeds the libraries' int and std::logic_error when DESCINIT rejects an argument.
ArrayDescriptor descinit(std::uint64_t m, std::uint64_t n, blas_int mb, blas_int nb, blas_int context,
                         std::uint64_t local_leading);

// The global index of local row (or column) `local` of the process at `coordinate` (ScaLAPACK's INDXL2G,
// first block on coordinate 0).
std::uint64_t global_index(std::uint64_t local, blas_int block, blas_int coordinate, blas_int processes);

// This process's block-cyclic piece (column-major, leading dimension `leading`, local_rows x local_cols)
// of the lower triangle of a replicated order x order column-major matrix; zeros above the diagonal, which
// a solver called with UPLO = 'L' never reads (the replicated upper triangle may hold anything, NaN
// included, so it is not even copied).
std::vector<double> lower_triangle_piece(const std::vector<double>& replicated, std::uint64_t order, blas_int block,
                                         blas_int my_row, blas_int my_col, blas_int grid_rows, blas_int grid_cols,
                                         blas_int local_rows, blas_int local_cols, blas_int leading);

}  // namespace rankme
