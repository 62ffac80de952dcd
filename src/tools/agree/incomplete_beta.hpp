#pragma once
// The regularised incomplete beta function I_x(a, b), which the Student t distribution's tail (and so
// Spearman's p-value) comes down to. rankme-agree only: not part of the rankme library.
namespace rankme::agree {

// I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0 and 0 <= x <= 1, with y = 1 - x passed separately so that
// a caller who knows 1 - x more precisely than the subtraction would give it (t^2 / (dof + t^2)) keeps
// that precision. Evaluated by the continued fraction of Numerical Recipes (section 6.4) with the modified
// Lentz method, on the side of the symmetry I_x(a, b) = 1 - I_y(b, a) where it converges fast, so the
// smaller of I and 1 - I is accurate to a few ulps relative (the larger to a few ulps absolute). NaN in,
// NaN out; a, b <= 0 or x outside [0, 1] throw std::invalid_argument; a fraction that does not converge
// (not seen for any a, b up to 1e6) throws std::runtime_error rather than return a rough value.
double regularized_incomplete_beta(double a, double b, double x, double y);
double regularized_incomplete_beta(double a, double b, double x);

}  // namespace rankme::agree
