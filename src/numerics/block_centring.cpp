#include "rankme/numerics/block_centring.hpp"

namespace rankme {

std::vector<double> centre_block_on_its_mean(double* block, std::uint64_t rows, std::uint64_t cols) {
  std::vector<double> mean(static_cast<std::size_t>(cols), 0.0);
  if (rows == 0) return mean;
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) mean[col] += block[row * cols + col];
  }
  for (double& value : mean) value /= static_cast<double>(rows);
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) block[row * cols + col] -= mean[col];
  }
  return mean;
}

}  // namespace rankme
