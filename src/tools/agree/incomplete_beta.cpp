#include "incomplete_beta.hpp"

#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace rankme::agree {

namespace {

// The continued fraction of I_x(a, b) (Numerical Recipes' betacf), by the modified Lentz method: converges
// quickly for x < (a + 1) / (a + b + 2), in O(sqrt(max(a, b))) terms.
double beta_continued_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;  // stands in for a zero denominator (Lentz)
  constexpr double tolerance = DBL_EPSILON;
  constexpr int max_terms = 100000;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= max_terms; ++m) {
    const double m2 = 2.0 * m;
    // Even step.
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) <= tolerance) return h;
  }
  throw std::runtime_error("the incomplete beta function's continued fraction did not converge (a = " +
                           std::to_string(a) + ", b = " + std::to_string(b) + ", x = " + std::to_string(x) + ")");
}

// x^a y^b / (a B(a, b)) times the fraction, for the side where the fraction converges.
double incomplete_beta_by_fraction(double a, double b, double x, double y) {
  const double log_beta = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double log_front = a * std::log(x) + b * std::log(y) - log_beta;
  return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x, double y) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(x) || std::isnan(y)) return std::nan("");
  if (!(a > 0) || !(b > 0) || std::isinf(a) || std::isinf(b)) {
    throw std::invalid_argument("regularized_incomplete_beta: a and b must be positive and finite");
  }
  if (x < 0 || x > 1 || y < 0 || y > 1) {
    throw std::invalid_argument("regularized_incomplete_beta: x must lie in [0, 1]");
  }
  if (x == 0) return 0;
  if (y == 0) return 1;
  if (x < (a + 1) / (a + b + 2)) return incomplete_beta_by_fraction(a, b, x, y);
  return 1 - incomplete_beta_by_fraction(b, a, y, x);
}

double regularized_incomplete_beta(double a, double b, double x) { return regularized_incomplete_beta(a, b, x, 1 - x); }

}  // namespace rankme::agree
