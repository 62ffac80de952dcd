#include "rankme/parallel/pdsygvx.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/parallel/scalapack_prototypes.hpp"

namespace rankme {

namespace {

const int a_x_equals_lambda_b_x = 1;  // IBTYPE
const char eigenvalues_only = 'N', all_of_them = 'A';
// The whole matrix: global row and column 1 (IA, JA, IB, JB, and IZ, JZ for the unused Z).
const blas_int first = 1;
// Not referenced with RANGE = 'A' (VL, VU, IL, IU) or JOBZ = 'N' (ORFAC).
const double unused_bound = 0, unused_orfac = 0;
const int unused_index = 0;
// ABSTOL <= 0: PDSYGVX uses EPS * norm(T), each eigenvalue to an absolute error of about eps times the
// largest: what dsygvd's bisection-free divide and conquer gives too.
const double default_tolerance = 0;

// WORK and IWORK elements for the workspace query (see pdsygvx_workspace).
constexpr std::size_t query_room = 64;

// The grid's processes, for IFAIL / ICLUSTR / GAP sizes.
int grid_processes(const ArrayDescriptor& descriptor) {
  int rows = 0, cols = 0, my_row = 0, my_col = 0;
  Cblacs_gridinfo(descriptor[1], &rows, &cols, &my_row, &my_col);  // DESC(CTXT_) is element 2
  return std::max(rows * cols, 1);
}

struct Call {
  blas_int order;
  char uplo;
  std::vector<int> ifail;
  std::vector<int> iclustr;
  std::vector<double> gap;
  int found = 0, vectors = 0, info = 0;
};

void call(Call& c, double* a, double* b, const ArrayDescriptor& d, double* w, double* work, const int* lwork,
          int* iwork, const int* liwork) {
  pdsygvx_(&a_x_equals_lambda_b_x, &eigenvalues_only, &all_of_them, &c.uplo, &c.order, a, &first, &first, d.data(), b,
           &first, &first, d.data(), &unused_bound, &unused_bound, &unused_index, &unused_index, &default_tolerance,
           &c.found, &c.vectors, w, &unused_orfac, a, &first, &first, d.data(), work, lwork, iwork, liwork,
           c.ifail.data(), c.iclustr.data(), c.gap.data(), &c.info, 1, 1, 1);
}

Call prepared(Triangle triangle, std::uint64_t n, const ArrayDescriptor& descriptor) {
  Call c;
  c.order = to_blas_int(n, "matrix order");
  c.uplo = uplo_of(triangle);
  const int processes = grid_processes(descriptor);
  c.ifail.assign(std::max<std::size_t>(static_cast<std::size_t>(n), 1), 0);
  c.iclustr.assign(2 * static_cast<std::size_t>(processes), 0);
  c.gap.assign(static_cast<std::size_t>(processes), 0.0);
  return c;
}

}  // namespace

PdsygvxWorkspace pdsygvx_workspace(Triangle triangle, std::uint64_t n, double* a, double* b,
                                   const ArrayDescriptor& descriptor, double* w) {
  Call c = prepared(triangle, n, descriptor);
  // Not one element each: before it answers the query, PDSYGVX checks that every process passed the same
  // arguments, broadcasting ABSTOL, VL and VU through WORK(1:3) and the integer ones through IWORK (AddressSanitizer
  // caught the broadcast writing past a single double). Room for all of them, with a margin.
  std::vector<double> work_query(query_room, 0.0);
  std::vector<int> iwork_query(query_room, 0);
  const int query = -1;
  call(c, a, b, descriptor, w, work_query.data(), &query, iwork_query.data(), &query);
  check_info("pdsygvx", c.info);
  PdsygvxWorkspace lengths;
  // One more than asked for, as for PDSYEV (pdsyev.cpp): a margin that costs nothing. Never less than the
  // query's room, which the argument check uses in the real call too.
  lengths.work = std::max<std::uint64_t>(
      static_cast<std::uint64_t>(workspace_length(work_query[0], "pdsygvx workspace length")) + 1, query_room);
  lengths.iwork = std::max<std::uint64_t>(static_cast<std::uint64_t>(std::max(iwork_query[0], 1)), query_room);
  return lengths;
}

void pdsygvx_eigenvalues(Triangle triangle, std::uint64_t n, double* a, double* b, const ArrayDescriptor& descriptor,
                         double* w, const PdsygvxWorkspace& lengths) {
  Call c = prepared(triangle, n, descriptor);
  const blas_int lwork = to_blas_int(lengths.work, "pdsygvx workspace length");
  const blas_int liwork = to_blas_int(lengths.iwork, "pdsygvx integer workspace length");
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  call(c, a, b, descriptor, w, work.data(), &lwork, iwork.data(), &liwork);
  check_info("pdsygvx", c.info);
  if (static_cast<std::uint64_t>(c.found) != n) {
    throw std::runtime_error("pdsygvx returned " + std::to_string(c.found) + " of " + std::to_string(n) + " eigenvalues");
  }
}

}  // namespace rankme
