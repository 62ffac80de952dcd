#pragma once
// Spearman's rho and Kendall's tau-b with their two-sided p-values, as scipy.stats.spearmanr and
// scipy.stats.kendalltau compute them by default (checked against scipy in tests/tools/agree).
#include <vector>

namespace rankme::agree {

// Ranks 1..n with ties given the average of the ranks they span (scipy.stats.rankdata's 'average').
std::vector<double> average_ranks(const std::vector<double>& values);

// Spearman's rho: Pearson's correlation of the average ranks. Its p-value takes
// t = rho sqrt((n-2) / ((1+rho)(1-rho))) as Student t with n-2 degrees of freedom (scipy's default; with
// ties it is an approximation, as in scipy). rho and p are NaN, as in scipy, for fewer than 2 points or a
// constant input (no ranking); p is NaN for n = 2.
struct SpearmanTest {
  double rho;
  double p_value;
};

// Kendall's tau-b = (C - D) / sqrt((N - X)(N - Y)), N = n(n-1)/2 pairs, X and Y the pairs tied in x and
// in y: ties count as neither concordant nor discordant, and the denominator makes it reach +-1 with ties.
// Its p-value, as scipy's method='auto': the exact null distribution when there are no ties and n <= 33
// or min(D, N - D) <= 1; otherwise the normal approximation of C - D with the tie-corrected variance
// (Kendall 1970: [n(n-1)(2n+5) - sum t(t-1)(2t+5) - sum u(u-1)(2u+5)] / 18
// + sum t(t-1) sum u(u-1) / (2 n(n-1)) + sum t(t-1)(t-2) sum u(u-1)(u-2) / (9 n(n-1)(n-2)), t and u the
// sizes of the groups of ties in x and in y). tau and p are NaN when n < 2 or either input is constant.
enum class KendallMethod { exact, asymptotic, undefined };
const char* kendall_method_name(KendallMethod method);

struct KendallTest {
  double tau;
  double p_value;
  KendallMethod method;
};

// x and y of the same length, all finite (std::invalid_argument otherwise: NaN has no rank).
SpearmanTest spearman_test(const std::vector<double>& x, const std::vector<double>& y);
// O(n^2) pair counts: a sweep compares at most a few thousand runs.
KendallTest kendall_tau_b_test(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace rankme::agree
