#pragma once
// Every extern "C" prototype rankme calls from BLACS, ScaLAPACK and LAPACK, in one place. Debian's
// libscalapack-openmpi exports both the C BLACS interface and the Fortran routines.
//
// The Fortran routines were compiled by gfortran, which appends one hidden length (size_t) per CHARACTER
// argument. They are declared and passed here: leaving them out happens to work until the compiler turns
// a call inside LAPACK into a sibling call that forwards the missing lengths (the R/LAPACK breakage).
#include <mpi.h>

#include <cstddef>

extern "C" {
// C BLACS interface.
void Cblacs_get(int context, int what, int* value);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);

// ScaLAPACK tools and the symmetric eigensolver.
int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* irsrc,
               const int* icsrc, const int* context, const int* lld, int* info);
void pdsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia, const int* ja,
             const int* desca, double* w, double* z, const int* iz, const int* jz, const int* descz,
             double* work, const int* lwork, int* info, std::size_t jobz_length, std::size_t uplo_length);

// LAPACK (OpenBLAS).
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
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
}
