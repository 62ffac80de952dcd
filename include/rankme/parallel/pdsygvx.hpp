#pragma once
// ScaLAPACK's generalised symmetric-definite eigensolver PDSYGVX, all eigenvalues only (IBTYPE = 1:
// A x = lambda B x, JOBZ = 'N', RANGE = 'A'), on block-cyclic matrices of one descriptor: LiDAR's
// between-class scatter against its within-class one on a process grid (numerics.md, "LiDAR").
//
// Both calls are collective over the grid of the descriptor's context, and the workspace is allocated
// between them (as for pdsyev.hpp), so that a failure on one process can be agreed on first.
#include <cstdint>
#include <vector>

#include "rankme/lapack/triangle.hpp"
#include "rankme/parallel/array_descriptor.hpp"

namespace rankme {

// PDSYGVX's workspaces for order-n matrices whose local pieces are `a` and `b` (both described by
// `descriptor`): the lengths to allocate for pdsygvx_eigenvalues.
struct PdsygvxWorkspace {
  std::uint64_t work = 0;
  std::uint64_t iwork = 0;
};

// The workspace query (LWORK = LIWORK = -1). Throws std::logic_error on an argument PDSYGVX rejects and
// std::length_error when n exceeds the libraries' int.
PdsygvxWorkspace pdsygvx_workspace(Triangle triangle, std::uint64_t n, double* a, double* b,
                                   const ArrayDescriptor& descriptor, double* w);

// All eigenvalues, ascending, into w[0..n) (on every grid process) of A x = lambda B x, B positive
// definite, of which only `triangle` is read; `a` and `b` are overwritten. Throws std::logic_error on an
// argument PDSYGVX rejects and LapackFailure when B is not positive definite or an eigenvalue fails to
// converge (INFO > 0), or when fewer than n eigenvalues came back.
void pdsygvx_eigenvalues(Triangle triangle, std::uint64_t n, double* a, double* b, const ArrayDescriptor& descriptor,
                         double* w, const PdsygvxWorkspace& lengths);

}  // namespace rankme
