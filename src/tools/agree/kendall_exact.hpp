#pragma once
// The exact null distribution of Kendall's tau without ties: what scipy.stats.kendalltau uses (method
// 'auto') for n <= 33, or whenever all but at most one pair agree (or disagree).
#include <cstdint>

namespace rankme::agree {

// The two-sided p-value of `concordant` concordant pairs among n values without ties: 2 P(C <= min(c,
// N - c)), N = n(n-1)/2, over the n! equally likely orders, clipped to [0, 1]. C is the number of
// inversions of a random permutation, whose counts follow N_n(k) = sum_{i<n} N_{n-1}(k - i) (Kendall,
// "Rank Correlation Methods", 1970); the counts are kept divided by n!/2 as they grow, so nothing
// overflows. Mirrors scipy's _kendall_p_exact, including its closed forms for c = 0 and 1.
double kendall_exact_two_sided_p(std::uint64_t n, std::uint64_t concordant);

}  // namespace rankme::agree
