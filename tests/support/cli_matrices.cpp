#include "support/cli_matrices.hpp"

#include <algorithm>
#include <cmath>

namespace rankme::testing {

double reference_of(const std::vector<double>& stored, std::uint64_t rows, std::uint64_t cols, double eps) {
  return reference_rankme(reference_singular_values(stored, rows, cols), eps);
}

std::vector<double> linear_spectrum(std::size_t count, double first, double last) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) {
    s[k] = count == 1 ? first : first + (last - first) * static_cast<double>(k) / static_cast<double>(count - 1);
  }
  return s;
}

std::vector<double> geometric_spectrum(std::size_t count, double ratio) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) s[k] = std::pow(ratio, static_cast<double>(k));
  return s;
}

std::vector<double> scaled(std::vector<double> values, double factor, double offset) {
  for (double& v : values) v = v * factor + offset;
  return values;
}

std::vector<double> plain_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  return matrix_with_singular_values(rows, cols, linear_spectrum(std::min(rows, cols), 3.0, 0.5), seed);
}

ScoredMatrix add_matrix(const std::string& file, const std::string& dataset, const std::vector<double>& values,
                        std::uint64_t rows, std::uint64_t cols, const StoredType& type, const std::string& dtype,
                        double tolerance, const Layout& layout) {
  const std::vector<double> stored = write_matrix(file, dataset, values, rows, cols, type, layout);
  return ScoredMatrix{dataset, rows, cols, dtype, tolerance, reference_of(stored, rows, cols)};
}

}  // namespace rankme::testing
