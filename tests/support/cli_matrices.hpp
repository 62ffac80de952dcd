// The matrices the binary tests score: well-conditioned matrices and spectra of known shape, written with
// the fixture writer and paired with their independent reference RankMe (LAPACK dgesdd of exactly the
// values stored on disk).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <string>
#include <vector>

#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"

namespace rankme::testing {

inline const StoredType float16{StoredType::Kind::floating, 2};
inline const StoredType float32{StoredType::Kind::floating, 4};
inline const StoredType float64{StoredType::Kind::floating, 8};
inline const StoredType int16_big_endian{StoredType::Kind::signed_int, 2, true};
inline const StoredType uint8{StoredType::Kind::unsigned_int, 1};

// The independent reference: RankMe of the float64 SVD of exactly the stored values.
double reference_of(const std::vector<double>& stored, std::uint64_t rows, std::uint64_t cols, double eps = 1e-7);

// `count` values from `first` to `last`, evenly spaced.
std::vector<double> linear_spectrum(std::size_t count, double first, double last);
// 1, ratio, ratio^2, ... (`count` values).
std::vector<double> geometric_spectrum(std::size_t count, double ratio);
// Each value times `factor` plus `offset`.
std::vector<double> scaled(std::vector<double> values, double factor, double offset = 0);

// A well-conditioned float64 matrix (singular values 3 .. 0.5), the default test subject.
std::vector<double> plain_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed);

struct ScoredMatrix {
  std::string dataset;
  std::uint64_t rows = 0, cols = 0;
  std::string dtype;   // what the dtype field must contain
  double tolerance;    // relative, against the reference
  double expected;     // reference RankMe
};

// Writes a matrix and returns it with its reference RankMe.
ScoredMatrix add_matrix(const std::string& file, const std::string& dataset, const std::vector<double>& values,
                        std::uint64_t rows, std::uint64_t cols, const StoredType& type, const std::string& dtype,
                        double tolerance, const Layout& layout = {});

}  // namespace rankme::testing

#define EXPECT_RELATIVE_NEAR(value, reference, tolerance)                                                      \
  EXPECT_LE(::rankme::testing::relative_difference((value), (reference)), (tolerance))                         \
      << "value " << std::setprecision(17) << (value) << " vs reference " << (reference) << " (relative "        \
      << ::rankme::testing::relative_difference((value), (reference)) << ")"
