#pragma once
// Which triangle of a symmetric matrix a LAPACK or ScaLAPACK routine reads (its UPLO argument).
namespace rankme {

enum class Triangle { lower, upper };

inline char uplo_of(Triangle triangle) { return triangle == Triangle::lower ? 'L' : 'U'; }

}  // namespace rankme
