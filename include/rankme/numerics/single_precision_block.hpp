#pragma once
// A row block in float32 for the mixed-precision Gram route (ssyrk): which power of two keeps its squares
// and their sums inside float32's range, and the narrowing of a double block to float32 with it.
#include <cstdint>

namespace rankme {

// 0 while the block's largest |value| lies within 2^+-50 (ordinary data: the block is used as it is), else
// the exponent e such that values * 2^-e are at most 1 in magnitude. Within 2^+-50, squares stay in
// [2^-100, 2^100] and sums of 2^27 rows of them below 2^127: nothing overflows, nothing of relevance
// underflows (a value 2^-150 below the block's largest adds below float32's rounding of the sums anyway).
int float_block_exponent(double max_abs);

// out[i] = float(in[i] * 2^-exponent), for data wider than float32 (float64, 32- and 64-bit integers): the
// rounding to float32 is the price of --precision mixed, and --precision auto measures it.
void narrow_to_float(const double* in, std::uint64_t count, int exponent, float* out);

// values[i] *= 2^-exponent, in place (float32 data outside the ordinary range; exact but for underflow).
void scale_float_block(float* values, std::uint64_t count, int exponent);

}  // namespace rankme
