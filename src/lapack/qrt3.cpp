#include "rankme/lapack/qrt3.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

namespace {

using Qrt3Routine = void (*)(const int*, const int*, double*, const int*, double*, const int*, int*);

void factorise_with(Qrt3Routine routine, const char* name, std::uint64_t m, std::uint64_t n, double* a,
                    std::uint64_t lda, double* t, std::uint64_t ldt) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int lda_int = to_blas_int(lda, "leading dimension"), ldt_int = to_blas_int(ldt, "leading dimension of T");
  int info = 0;
  routine(&rows, &cols, a, &lda_int, t, &ldt_int, &info);
  check_info(name, info);
}

}  // namespace

void dgeqrt3(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* t, std::uint64_t ldt) {
  factorise_with(dgeqrt3_, "dgeqrt3", m, n, a, lda, t, ldt);
}

void dgelqt3(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* t, std::uint64_t ldt) {
  factorise_with(dgelqt3_, "dgelqt3", m, n, a, lda, t, ldt);
}

}  // namespace rankme
