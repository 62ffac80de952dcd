#include "kendall_exact.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace rankme::agree {

double kendall_exact_two_sided_p(std::uint64_t n, std::uint64_t concordant) {
  const std::uint64_t pairs = n * (n - 1) / 2;
  if (n == 0 || concordant > pairs) throw std::invalid_argument("kendall_exact_two_sided_p: bad n or count");
  // The distribution is symmetric: the lower tail at the nearer end, doubled.
  const std::uint64_t c = std::min(concordant, pairs - concordant);
  double p = 0;
  if (n <= 2) {
    p = 1;
  } else if (c == 0) {
    p = 2 / std::tgamma(static_cast<double>(n) + 1);  // 2/n!; 0 once n! overflows (n >= 171), as in scipy
  } else if (c == 1) {
    p = 2 / std::tgamma(static_cast<double>(n));      // 2 (1 + (n-1)) / n! = 2/(n-1)!
  } else if (4 * c == n * (n - 1)) {
    p = 1;  // c is the median: the two tails cover everything
  } else {
    // counts[k] = N_j(k) / (j!/2) for k <= c, built up from j = 2: N_2 = (1, 1).
    std::vector<double> counts(c + 1, 0.0);
    counts[0] = counts[1] = 1;
    for (std::uint64_t j = 3; j <= n; ++j) {
      // N_j(k) = S(k) - S(k - j), S the running sum of N_{j-1}: the sum first, then the subtraction from the
      // top down so that each S(k - j) is still the sum.
      for (std::uint64_t k = 1; k <= c; ++k) counts[k] += counts[k - 1];
      for (std::uint64_t k = c; k >= j && j <= c; --k) counts[k] -= counts[k - j];
      for (double& count : counts) count /= static_cast<double>(j);
    }
    for (double count : counts) p += count;  // sum_{k <= c} N_n(k) / (n!/2) = 2 P(C <= c)
  }
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace rankme::agree
