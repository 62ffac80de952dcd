#include "student_t.hpp"

#include <cmath>

#include "incomplete_beta.hpp"

namespace rankme::agree {

double student_t_two_sided_p(double t, double dof) {
  if (std::isnan(t) || std::isnan(dof) || !(dof > 0)) return std::nan("");
  if (std::isinf(t)) return 0;
  const double t2 = t * t;
  if (std::isinf(t2)) return 0;  // |t| beyond 1e154: the tail is far below the smallest double
  // x and 1 - x each from its own ratio: for a small t, 1 - x = t^2 / (dof + t^2) keeps its digits.
  return regularized_incomplete_beta(dof / 2, 0.5, dof / (dof + t2), t2 / (dof + t2));
}

}  // namespace rankme::agree
