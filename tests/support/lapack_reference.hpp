// Numerical references to compare the product against: matrices of known singular values, singular
// values by LAPACK's dgesdd, RankMe as the paper defines it. Independent of rankme's own code (and of
// MPI and HDF5); LAPACK is called through its Fortran entry points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rankme::testing {

// Z = U diag(s) V^T with U (rows x m) and V (cols x m) having orthonormal columns,
// m = s.size() <= min(rows, cols), returned row-major rows x cols. U then V are drawn from
// std::mt19937_64(seed) with std::normal_distribution<double> (column by column) and
// orthonormalised with LAPACK dgeqrf + dorgqr. Reproducible for a given seed with the same C++
// standard library (the normal distribution's algorithm is implementation-defined).
// The singular values of Z are s (in any order given, any non-negative values) padded with zeros.
std::vector<double> matrix_with_singular_values(std::uint64_t rows, std::uint64_t cols,
                                                const std::vector<double>& s, std::uint64_t seed);

// All min(rows, cols) singular values, descending, of a finite row-major matrix, by LAPACK dgesdd
// (JOBZ='N') in float64 with a workspace query. Empty for an empty matrix.
std::vector<double> reference_singular_values(const std::vector<double>& row_major,
                                              std::uint64_t rows, std::uint64_t cols);

// |value - reference| / |reference| (0 when they are equal, infinities and zero included; the
// denominator never drops below the smallest normal double).
double relative_difference(double value, double reference);

// RankMe as in the paper: p_k = s_k / sum(s) + eps; exp(-sum_k p_k log p_k); 0 when sum(s) == 0.
// Singular values must be finite and non-negative.
double reference_rankme(const std::vector<double>& singular_values, double eps = 1e-7);

// reference_rankme of the singular values (reference_singular_values) of a row-major matrix of `cols`
// columns.
double reference_rankme_of(const std::vector<double>& row_major, std::uint64_t cols);

// `count` draws of std::normal_distribution<double> from std::mt19937_64(seed), each times `scale`: the
// values of a random test matrix (reproducible with the same standard library, as above).
std::vector<double> random_values(std::size_t count, std::uint64_t seed, double scale = 1.0);

// Known spectra for matrix_with_singular_values: `count` values 10^(last_exponent k / (count - 1)), from 1 down
// to 10^last_exponent; and (k + 1)^-exponent, k = 0 .. count - 1.
std::vector<double> log_spaced_spectrum(std::size_t count, double last_exponent);
std::vector<double> power_law_spectrum(std::size_t count, double exponent);

}  // namespace rankme::testing
