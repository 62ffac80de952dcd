#include "rankme/numerics/spectrum_metrics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// The metrics in their fixed order, each with its field: metric_names() and metric_value() read this.
using MetricField = std::optional<double> SpectrumMetrics::*;
const std::array<std::pair<const char*, MetricField>, 10> metric_table = {{
    {"rankme", &SpectrumMetrics::rankme},
    {"effective_rank", &SpectrumMetrics::effective_rank},
    {"stable_rank", &SpectrumMetrics::stable_rank},
    {"participation_ratio", &SpectrumMetrics::participation_ratio},
    {"nesum", &SpectrumMetrics::nesum},
    {"alpha_req", &SpectrumMetrics::alpha_req},
    {"alpha_req_r2", &SpectrumMetrics::alpha_req_r2},
    {"condition_number", &SpectrumMetrics::condition_number},
    {"numerical_rank", &SpectrumMetrics::numerical_rank},
    {"top_eigenvalue_share", &SpectrumMetrics::top_eigenvalue_share},
}};

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// The common rules: nullopt for non-finite input; std::invalid_argument for a negative value;
// otherwise the values sorted descending.
std::optional<std::vector<double>> checked_descending(const std::vector<double>& singular_values) {
  if (!all_finite(singular_values)) return std::nullopt;
  for (double s : singular_values) {
    if (s < 0) {
      throw std::invalid_argument("spectrum metrics: negative singular value " + std::to_string(s));
    }
  }
  std::vector<double> sorted = singular_values;
  if (!std::is_sorted(sorted.begin(), sorted.end(), std::greater<>())) {
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
  }
  return sorted;
}

// x_k = lambda_k / lambda_1 = (s_k / s_1)^2 of a checked descending spectrum with s_1 > 0.
std::vector<double> relative_eigenvalues(const std::vector<double>& descending) {
  std::vector<double> x;
  x.reserve(descending.size());
  const double s1 = descending.front();
  for (double s : descending) {
    const double r = s / s1;
    x.push_back(r * r);
  }
  return x;
}

bool all_zero(const std::vector<double>& descending) {
  return descending.empty() || descending.front() == 0;
}

void check_alpha_range(std::uint64_t first, std::uint64_t last) {
  if (first == 0 || first > last) {
    throw std::invalid_argument("alpha_req: the fit range " + std::to_string(first) + ".." +
                                std::to_string(last) +
                                " is not a 1-based range with first <= last");
  }
}

void check_rtol(double rtol) {
  if (!std::isfinite(rtol) || rtol < 0) {
    throw std::invalid_argument("numerical_rank: rtol must be finite and >= 0, got " +
                                std::to_string(rtol));
  }
}

std::string known_metrics_text() {
  std::string text;
  for (const auto& name : metric_names()) text += name + ", ";
  return text + "all";
}

}  // namespace

double gram_noise_floor(std::uint64_t cols) {
  const double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;
  return 4.0 * std::sqrt(static_cast<double>(std::max<std::uint64_t>(cols, 1))) * unit_roundoff;
}

std::vector<double> singular_values_from_gram_eigenvalues(std::vector<double> eigenvalues,
                                                          std::uint64_t rows, std::uint64_t cols) {
  std::sort(eigenvalues.begin(), eigenvalues.end(), std::greater<>());
  const auto kept = static_cast<std::size_t>(std::min<std::uint64_t>({rows, cols, eigenvalues.size()}));
  eigenvalues.resize(kept);
  if (kept == 0) return eigenvalues;
  const double floor = eigenvalues.front() > 0 ? gram_noise_floor(cols) * eigenvalues.front() : 0.0;
  for (double& value : eigenvalues) {
    // NaN stays NaN (std::sqrt), so non-finite data cannot turn into a plausible number here.
    value = (value > floor || std::isnan(value)) ? std::sqrt(value) : 0.0;
  }
  return eigenvalues;
}

double rankme_from_singular_values(const std::vector<double>& singular_values, double eps) {
  double total = 0;
  for (double s : singular_values) total += s;
  if (std::isnan(total) || std::isinf(total)) return std::numeric_limits<double>::quiet_NaN();
  if (total == 0) return 0.0;  // a collapsed (all-zero) embedding has no rank at all
  double entropy = 0;
  for (double s : singular_values) {
    const double p = s / total + eps;
    if (p > 0) entropy -= p * std::log(p);  // 0 log 0 = 0 (only reachable with eps = 0)
  }
  return std::exp(entropy);
}

double effective_rank(const std::vector<double>& singular_values) {
  const auto s = checked_descending(singular_values);
  if (!s) return nan_value;
  if (all_zero(*s)) return 0.0;
  const double s1 = s->front();
  double total = 0;  // sum of s_k / s_1: >= 1, no overflow whatever the scale
  for (double v : *s) total += v / s1;
  double entropy = 0;
  for (double v : *s) {
    const double p = (v / s1) / total;
    if (p > 0) entropy -= p * std::log(p);  // 0 log 0 = 0
  }
  return std::exp(entropy);
}

double stable_rank(const std::vector<double>& singular_values) {
  const auto s = checked_descending(singular_values);
  if (!s) return nan_value;
  if (all_zero(*s)) return 0.0;
  double total = 0;
  for (double x : relative_eigenvalues(*s)) total += x;
  return total;
}

double participation_ratio(const std::vector<double>& singular_values) {
  const auto s = checked_descending(singular_values);
  if (!s) return nan_value;
  if (all_zero(*s)) return 0.0;
  double sum = 0;
  double sum_of_squares = 0;
  for (double x : relative_eigenvalues(*s)) {
    sum += x;
    sum_of_squares += x * x;
  }
  return sum * sum / sum_of_squares;
}

double nesum(const std::vector<double>& singular_values) { return stable_rank(singular_values); }

PowerLawFit alpha_req(const std::vector<double>& singular_values, std::uint64_t first,
                      std::uint64_t last) {
  check_alpha_range(first, last);
  PowerLawFit fit{nan_value, nan_value, first, first - 1};
  const auto s = checked_descending(singular_values);
  if (!s) return fit;
  const auto positive = static_cast<std::uint64_t>(
      std::count_if(s->begin(), s->end(), [](double v) { return v > 0; }));  // a prefix: descending
  fit.last = std::min(last, positive);
  if (fit.last < first || fit.last - first + 1 < 2) return fit;

  const auto n = fit.last - first + 1;
  std::vector<double> x;
  std::vector<double> y;
  x.reserve(n);
  y.reserve(n);
  for (std::uint64_t k = first; k <= fit.last; ++k) {
    x.push_back(std::log(static_cast<double>(k)));
    y.push_back(2 * std::log((*s)[k - 1]));  // log(lambda_k) = 2 log(s_k): no overflow of s_k^2
  }
  const auto [y_min, y_max] = std::minmax_element(y.begin(), y.end());
  if (*y_min == *y_max) {  // flat: the line y = const fits exactly
    fit.alpha = 0.0;
    fit.r_squared = 1.0;
    return fit;
  }
  const double count = static_cast<double>(n);
  double x_mean = 0;
  double y_mean = 0;
  for (std::size_t i = 0; i < n; ++i) {
    x_mean += x[i];
    y_mean += y[i];
  }
  x_mean /= count;
  y_mean /= count;
  double sxx = 0;
  double sxy = 0;
  double syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x[i] - x_mean;
    const double dy = y[i] - y_mean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const double slope = sxy / sxx;
  double residual = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = (y[i] - y_mean) - slope * (x[i] - x_mean);
    residual += r * r;
  }
  fit.alpha = -slope;
  fit.r_squared = std::clamp(1.0 - residual / syy, 0.0, 1.0);
  return fit;
}

double condition_number(const std::vector<double>& singular_values) {
  const auto s = checked_descending(singular_values);
  if (!s || all_zero(*s)) return nan_value;
  if (s->back() == 0) return std::numeric_limits<double>::infinity();
  return s->front() / s->back();
}

double numerical_rank(const std::vector<double>& singular_values, double rtol) {
  check_rtol(rtol);
  const auto s = checked_descending(singular_values);
  if (!s) return nan_value;
  if (all_zero(*s)) return 0.0;
  const double s1 = s->front();
  // s_k > rtol * s_1, compared as s_k / s_1 > rtol so that no scale underflows
  return static_cast<double>(std::count_if(s->begin(), s->end(), [&](double v) { return v / s1 > rtol; }));
}

double default_rank_rtol_gram(std::uint64_t cols) { return std::sqrt(gram_noise_floor(cols)); }

double default_rank_rtol_tsqr(std::uint64_t rows, std::uint64_t cols) {
  return static_cast<double>(std::max(rows, cols)) * DBL_EPSILON;
}

double top_eigenvalue_share(const std::vector<double>& singular_values) {
  const auto s = checked_descending(singular_values);
  if (!s || all_zero(*s)) return nan_value;
  double total = 0;
  for (double x : relative_eigenvalues(*s)) total += x;
  return 1.0 / total;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& entry : metric_table) names.emplace_back(entry.first);
  return names;
}

MetricSelection parse_metric_list(const std::string& list) {
  const auto known = metric_names();
  MetricSelection selection;
  selection.metrics.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::size_t end = comma == std::string::npos ? list.size() : comma;
    std::string name = list.substr(start, end - start);
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    name.erase(name.begin(), std::find_if(name.begin(), name.end(), not_space));
    name.erase(std::find_if(name.rbegin(), name.rend(), not_space).base(), name.end());
    if (name.empty()) {
      throw std::invalid_argument("empty metric name in the list '" + list +
                                  "' (known: " + known_metrics_text() + ")");
    }
    if (name == "all") {
      selection.metrics.insert(known.begin(), known.end());
    } else if (std::find(known.begin(), known.end(), name) != known.end()) {
      selection.metrics.insert(name);
    } else {
      throw std::invalid_argument("unknown metric '" + name + "' (known: " + known_metrics_text() + ")");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return selection;
}

SpectrumMetrics compute_metrics(const std::vector<double>& singular_values,
                                const MetricSelection& selection) {
  const auto known = metric_names();
  for (const auto& name : selection.metrics) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw std::invalid_argument("unknown metric '" + name + "' (known: " + known_metrics_text() + ")");
    }
  }
  const bool wants_alpha = selection.wants("alpha_req") || selection.wants("alpha_req_r2");
  if (wants_alpha) check_alpha_range(selection.alpha_first, selection.alpha_last);
  double rtol = 0;
  if (selection.wants("numerical_rank")) {
    if (selection.rank_rtol) {
      rtol = *selection.rank_rtol;
    } else if (selection.cols > 0) {
      rtol = default_rank_rtol_gram(selection.cols);
    } else {
      throw std::invalid_argument("numerical_rank: set rank_rtol or cols (for the Gram default)");
    }
    check_rtol(rtol);
  }

  SpectrumMetrics result;
  if (!all_finite(singular_values)) {  // every selected metric NaN: the caller reports nonfinite
    for (const auto& [name, field] : metric_table) {
      if (selection.wants(name) && (selection.centered || std::string(name) != "nesum")) {
        result.*field = nan_value;
      }
    }
    return result;
  }
  const auto& s = singular_values;
  if (selection.wants("rankme")) result.rankme = rankme_from_singular_values(s, selection.eps);
  if (selection.wants("effective_rank")) result.effective_rank = effective_rank(s);
  if (selection.wants("stable_rank")) result.stable_rank = stable_rank(s);
  if (selection.wants("participation_ratio")) result.participation_ratio = participation_ratio(s);
  if (selection.wants("nesum") && selection.centered) result.nesum = nesum(s);
  if (wants_alpha) {
    const PowerLawFit fit = alpha_req(s, selection.alpha_first, selection.alpha_last);
    if (selection.wants("alpha_req")) result.alpha_req = fit.alpha;
    if (selection.wants("alpha_req_r2")) result.alpha_req_r2 = fit.r_squared;
  }
  if (selection.wants("condition_number")) result.condition_number = condition_number(s);
  if (selection.wants("numerical_rank")) result.numerical_rank = numerical_rank(s, rtol);
  if (selection.wants("top_eigenvalue_share")) result.top_eigenvalue_share = top_eigenvalue_share(s);
  return result;
}

std::optional<double> metric_value(const SpectrumMetrics& metrics, const std::string& name) {
  for (const auto& [known, field] : metric_table) {
    if (name == known) return metrics.*field;
  }
  throw std::invalid_argument("unknown metric '" + name + "' (known: " + known_metrics_text() + ")");
}

}  // namespace rankme
