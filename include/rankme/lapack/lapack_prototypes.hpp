#pragma once
// The extern "C" prototypes of the serial LAPACK routines rankme calls (OpenBLAS, through Debian's
// liblapack.so.3 alternative). Call them through the typed wrappers (syevd.hpp, syevr_2stage.hpp,
// geqrf.hpp, tpqrt2.hpp, geqrt3.hpp, larfb.hpp, gbbrd.hpp, bdsqr.hpp, gesdd.hpp), which narrow the sizes,
// query the workspace and check INFO. BLACS and ScaLAPACK need MPI and live in
// rankme/parallel/scalapack_prototypes.hpp.
//
// The Fortran routines were compiled by gfortran, which appends one hidden length (size_t) per CHARACTER
// argument. They are declared and passed here: leaving them out happens to work until the compiler turns
// a call inside LAPACK into a sibling call that forwards the missing lengths (the R/LAPACK breakage).
#include <cstddef>

extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
// The unblocked QR of a triangle on top of a pentagon (LAPACK 3.4+): the base case of rankme's blocked
// triangle_on_top_qr (numerics/triangle_on_top_qr.hpp).
void dtpqrt2_(const int* m, const int* n, const int* l, double* a, const int* lda, double* b, const int* ldb,
              double* t, const int* ldt, int* info);
// Recursive QR of a panel with the block reflector's T (LAPACK 3.4+), and the application of a block
// reflector: the band reduction of two_stage_singular_values (numerics/two_stage_singular_values.hpp).
void dgeqrt3_(const int* m, const int* n, double* a, const int* lda, double* t, const int* ldt, int* info);
void dlarfb_(const char* side, const char* trans, const char* direct, const char* storev, const int* m, const int* n,
             const int* k, const double* v, const int* ldv, const double* t, const int* ldt, double* c, const int* ldc,
             double* work, const int* ldwork, std::size_t side_length, std::size_t trans_length,
             std::size_t direct_length, std::size_t storev_length);
// A band matrix to bidiagonal form (Givens rotations), and the singular values of a bidiagonal matrix.
void dgbbrd_(const char* vect, const int* m, const int* n, const int* ncc, const int* kl, const int* ku, double* ab,
             const int* ldab, double* d, double* e, double* q, const int* ldq, double* pt, const int* ldpt, double* c,
             const int* ldc, double* work, int* info, std::size_t vect_length);
void dbdsqr_(const char* uplo, const int* n, const int* ncvt, const int* nru, const int* ncc, double* d, double* e,
             double* vt, const int* ldvt, double* u, const int* ldu, double* c, const int* ldc, double* work, int* info,
             std::size_t uplo_length);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             std::size_t jobz_length);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_length,
             std::size_t uplo_length);
// The two-stage tridiagonal reduction (dense -> band with BLAS 3, then band -> tridiagonal): LAPACK 3.7+
// implements JOBZ = 'N' only, which is all rankme needs.
void dsyevd_2stage_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                    double* work, const int* lwork, int* iwork, const int* liwork, int* info,
                    std::size_t jobz_length, std::size_t uplo_length);
void dsyevr_2stage_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
                    const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m,
                    double* w, double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork,
                    const int* liwork, int* info, std::size_t jobz_length, std::size_t range_length,
                    std::size_t uplo_length);
// Cholesky factorisation of a symmetric positive definite matrix (LiDAR's Sigma_w: pencil_reduction.hpp).
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_length);
// A symmetric-definite pencil reduced to standard form with B's Cholesky factor (sygst.hpp).
void dsygst_(const int* itype, const char* uplo, const int* n, double* a, const int* lda, const double* b,
             const int* ldb, int* info, std::size_t uplo_length);
}
