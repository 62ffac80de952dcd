// LiDAR as the paper and issue 14 define it, computed independently of rankme's code for the tests to
// compare against: long double two-pass sums (object means first, then the centred products), a long
// double Cholesky of Sigma_w and the reduced matrix L^-1 Sigma_b L^-T, whose eigenvalues come from LAPACK's
// dsyev (the QR algorithm: not the divide and conquer rankme runs after its own reduction, nor ScaLAPACK).
#pragma once

#include <cstdint>
#include <vector>

namespace rankme::testing {

// `row_major`: rows x cols values; `ids`: each row's object (any integers). Sigma_w's weights are the
// pooled within-object scatter over sum_i (q_i - 1), Sigma_b is unweighted over objects, as numerics.md says.
double reference_lidar(const std::vector<double>& row_major, std::uint64_t cols, const std::vector<std::int64_t>& ids,
                       double delta = 1e-4);

// Its eigenvalues (ascending), before the entropy.
std::vector<double> reference_lidar_eigenvalues(const std::vector<double>& row_major, std::uint64_t cols,
                                                const std::vector<std::int64_t>& ids, double delta = 1e-4);

}  // namespace rankme::testing
