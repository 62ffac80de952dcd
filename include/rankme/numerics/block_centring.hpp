#pragma once
// Centring one row block on its own column means: the first step of both centred accumulators (the Gram
// matrix's and the TSQR factor's), before their Chan-Golub-LeVeque merge of (count, mean, matrix).
#include <cstdint>
#include <vector>

namespace rankme {

// Subtracts from `rows` rows of `cols` values (row-major, in place) their column means, and returns the
// means.
std::vector<double> centre_block_on_its_mean(double* block, std::uint64_t rows, std::uint64_t cols);

}  // namespace rankme
