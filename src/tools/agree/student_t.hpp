#pragma once
// The two-sided tail of Student's t distribution: Spearman's p-value (scipy.stats.spearmanr).
namespace rankme::agree {

// P(|T| >= |t|) for T ~ Student t with `dof` degrees of freedom: I_{dof/(dof+t^2)}(dof/2, 1/2). 0 for an
// infinite t; NaN for a NaN t or dof <= 0 (what scipy gives for n = 2 points).
double student_t_two_sided_p(double t, double dof);

}  // namespace rankme::agree
