#pragma once
// The extern "C" prototypes rankme calls from BLACS and ScaLAPACK (they need MPI, hence this area; the
// serial LAPACK ones are in rankme/lapack/lapack_prototypes.hpp). Debian's libscalapack-openmpi exports both
// the C BLACS interface and the Fortran routines. Call ScaLAPACK through the typed wrappers
// (array_descriptor.hpp, pdsyev.hpp) and BLACS through ProcessGrid (process_grid.hpp).
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
// The generalised symmetric-definite eigensolver (LiDAR, pdsygvx.hpp).
void pdsygvx_(const int* ibtype, const char* jobz, const char* range, const char* uplo, const int* n, double* a,
              const int* ia, const int* ja, const int* desca, double* b, const int* ib, const int* jb,
              const int* descb, const double* vl, const double* vu, const int* il, const int* iu,
              const double* abstol, int* m, int* nz, double* w, const double* orfac, double* z, const int* iz,
              const int* jz, const int* descz, double* work, const int* lwork, int* iwork, const int* liwork,
              int* ifail, int* iclustr, double* gap, int* info, std::size_t jobz_length, std::size_t range_length,
              std::size_t uplo_length);
}
