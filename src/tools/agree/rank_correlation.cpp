#include "rank_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

#include "kendall_exact.hpp"
#include "student_t.hpp"

namespace rankme::agree {

namespace {

void check_pairs(const std::vector<double>& x, const std::vector<double>& y, const char* what) {
  if (x.size() != y.size()) throw std::invalid_argument(std::string(what) + ": x and y differ in length");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      throw std::invalid_argument(std::string(what) + ": a value is not finite");
    }
  }
}

bool constant(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

// Pearson's correlation, centred first; clipped to [-1, 1]. Equal inputs give exactly 1: sqrt(s*s) == s.
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x, dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

// Sums over the groups of equal values, with t each group's size: t(t-1)/2 (the tied pairs),
// t(t-1)(t-2) and t(t-1)(2t+5) (the variance's corrections), as scipy's count_rank_tie.
struct TieSums {
  std::int64_t pairs = 0;
  double cubic = 0;
  double variance = 0;
};

TieSums tie_sums(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  TieSums sums;
  for (std::size_t begin = 0; begin < values.size();) {
    std::size_t end = begin + 1;
    while (end < values.size() && values[end] == values[begin]) ++end;
    const auto t = static_cast<std::int64_t>(end - begin);
    if (t > 1) {
      const double td = static_cast<double>(t);
      sums.pairs += t * (t - 1) / 2;
      sums.cubic += td * (td - 1) * (td - 2);
      sums.variance += td * (td - 1) * (2 * td + 5);
    }
    begin = end;
  }
  return sums;
}

}  // namespace

const char* kendall_method_name(KendallMethod method) {
  switch (method) {
    case KendallMethod::exact: return "exact";
    case KendallMethod::asymptotic: return "asymptotic";
    case KendallMethod::undefined: return "undefined";
  }
  return "?";
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && values[order[end]] == values[order[begin]]) ++end;
    // Positions begin..end-1 hold ranks begin+1..end: their average.
    const double rank = (static_cast<double>(begin + 1) + static_cast<double>(end)) / 2;
    for (std::size_t i = begin; i < end; ++i) ranks[order[i]] = rank;
    begin = end;
  }
  return ranks;
}

SpearmanTest spearman_test(const std::vector<double>& x, const std::vector<double>& y) {
  check_pairs(x, y, "spearman_test");
  const double nan = std::nan("");
  if (x.size() < 2 || constant(x) || constant(y)) return {nan, nan};
  const double rho = pearson(average_ranks(x), average_ranks(y));
  const double dof = static_cast<double>(x.size()) - 2;
  // scipy: t = rs * sqrt((dof / ((rs+1)(1-rs))).clip(0)); rho = +-1 gives an infinite t, p = 0.
  const double t = rho * std::sqrt(std::max(dof / ((rho + 1) * (1 - rho)), 0.0));
  return {rho, student_t_two_sided_p(t, dof)};
}

KendallTest kendall_tau_b_test(const std::vector<double>& x, const std::vector<double>& y) {
  check_pairs(x, y, "kendall_tau_b_test");
  const double nan = std::nan("");
  const auto n = static_cast<std::int64_t>(x.size());
  const std::int64_t pairs = n * (n - 1) / 2;
  const TieSums x_ties = tie_sums(x), y_ties = tie_sums(y);
  if (n < 2 || x_ties.pairs == pairs || y_ties.pairs == pairs) return {nan, nan, KendallMethod::undefined};

  std::int64_t concordant = 0, discordant = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = i + 1; j < n; ++j) {
      const double dx = x[j] - x[i], dy = y[j] - y[i];
      if ((dx > 0 && dy > 0) || (dx < 0 && dy < 0)) ++concordant;
      else if ((dx > 0 && dy < 0) || (dx < 0 && dy > 0)) ++discordant;
    }
  }
  const std::int64_t difference = concordant - discordant;
  double tau = static_cast<double>(difference) / std::sqrt(static_cast<double>(pairs - x_ties.pairs)) /
               std::sqrt(static_cast<double>(pairs - y_ties.pairs));
  tau = std::clamp(tau, -1.0, 1.0);

  const bool ties = x_ties.pairs != 0 || y_ties.pairs != 0;
  if (!ties && (n <= 33 || std::min(discordant, pairs - discordant) <= 1)) {
    return {tau, kendall_exact_two_sided_p(static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(concordant)),
            KendallMethod::exact};
  }
  const double nd = static_cast<double>(n);
  const double m = nd * (nd - 1);
  const double variance = (m * (2 * nd + 5) - x_ties.variance - y_ties.variance) / 18 +
                          (2 * static_cast<double>(x_ties.pairs) * static_cast<double>(y_ties.pairs)) / m +
                          x_ties.cubic * y_ties.cubic / (9 * m * (nd - 2));
  const double z = static_cast<double>(difference) / std::sqrt(variance);
  return {tau, std::erfc(std::fabs(z) / std::sqrt(2.0)), KendallMethod::asymptotic};
}

}  // namespace rankme::agree
