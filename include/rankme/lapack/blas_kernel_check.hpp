#pragma once
// A numerical check of the BLAS kernel this process runs: the routines rankme's results rest on (dsyrk and
// ssyrk as the Gram accumulation calls them, dgemm and sgemm in three transpositions) on odd sizes, each
// element compared with a plain loop in double. The kernel guard runs it in a probe process on a kernel it
// is about to choose, before trusting it with a user's numbers.
//
// The tolerance is the rounding error bound of a dot product of length k, |fl(c) - c| <= k u sum |a||b|,
// taken 2k + 2 times the type's epsilon (the +2 for the final rounding to float) and applied to every element
// against its own sum of |a||b|. A correct kernel stays far inside it whatever its summation order or FMA;
// a broken one (a wrong element, an edge of the matrix left out, a transposition mixed up, a NaN, a write
// outside a triangle) is off by O(1) of that sum. The sizes straddle OpenBLAS's small-matrix kernels, which
// take M N K <= 100^3, so that the blocked kernels that run on real data are checked too.

#include <cstddef>
#include <string>

namespace rankme {

struct KernelCheckResult {
  bool passed = false;
  double worst = 0;        // the largest error over its tolerance, over every element of every case (< 1 passes)
  std::string worst_case;  // which case it was, e.g. "dgemm TN 131x97x103"
  std::string failure;     // when not passed: what was wrong, in one sentence
};

// Runs every case on fixed pseudo-random inputs.
KernelCheckResult check_blas_kernel();

// One element's error over its tolerance: |result - reference| / ((2k + 2) epsilon * magnitude), where
// magnitude is the sum of |a||b| of its dot product; infinite when the result is not finite. Exposed for
// the tests of the comparison itself.
double error_over_tolerance(double result, double reference, double magnitude, std::size_t k, double epsilon);

}  // namespace rankme
