// The --precision auto criterion (precision_criterion.hpp): the estimate of the whole Gram matrix's
// float32 error from one probe, and the predicted RankMe error of a spectrum under such an error.
#include "rankme/numerics/precision_criterion.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "rankme/numerics/gram_route_error.hpp"

namespace rankme {
namespace {

TEST(PrecisionNames, RoundTripAndRejectUnknownNames) {
  for (const Precision p : {Precision::double_precision, Precision::mixed, Precision::automatic}) {
    EXPECT_EQ(precision_from_name(precision_name(p)), p);
  }
  EXPECT_EQ(precision_name(Precision::automatic), "auto");
  EXPECT_THROW(precision_from_name("single"), std::invalid_argument);
}

TEST(Float32GramError, ScalesTheSampledColumnsToAllEntriesAndAddsBlocksInQuadrature) {
  // 128 of 512 columns: x4 (Frobenius over 16 times the entries); 16 blocks of 1024 rows: x sqrt(16).
  EXPECT_DOUBLE_EQ(estimated_float32_gram_error({1024, 128, 1.0}, 512, 16 * 1024), 16.0);
  // Every column sampled, fewer rows than one block: the probe's own error.
  EXPECT_DOUBLE_EQ(estimated_float32_gram_error({1024, 64, 2.5}, 64, 700), 2.5);
  // Nothing measured, or exact float32 products.
  EXPECT_EQ(estimated_float32_gram_error({0, 0, 0.0}, 512, 4096), 0.0);
  EXPECT_EQ(estimated_float32_gram_error({1024, 128, 0.0}, 512, 4096), 0.0);
}

TEST(PredictedRankmeError, IsZeroWithoutErrorOrWithoutSpectrum) {
  EXPECT_EQ(predicted_rankme_error({3, 2, 1}, 1e-7, 0.0, 3), 0.0);
  EXPECT_EQ(predicted_rankme_error({0, 0, 0}, 1e-7, 1.0, 3), 0.0);  // an all-zero matrix
  EXPECT_EQ(predicted_rankme_error({}, 1e-7, 1.0, 3), 0.0);
}

TEST(PredictedRankmeError, MatchesTheFirstOrderChangeOfOneSingularValue) {
  // Only s_2 can move noticeably when delta is tiny against s_1^2 and s_2^2 ... no: every s_k moves by
  // about delta / (2 s_k). Check against a finite difference of H on a two-value spectrum.
  const std::vector<double> s = {2.0, 1.0};
  const double gram_error = 1e-6, cols = 2;
  const double delta = std::sqrt(2.0) * gram_error / cols;
  const auto entropy = [](double a, double b) {
    const double sum = a + b, p = a / sum + 1e-7, q = b / sum + 1e-7;
    return -(p * std::log(p) + q * std::log(q));
  };
  const double move_1 = std::sqrt(4.0 + delta) - 2.0, move_2 = std::sqrt(1.0 + delta) - 1.0;
  const double d1 = (entropy(2.0 + 1e-6, 1.0) - entropy(2.0 - 1e-6, 1.0)) / 2e-6;
  const double d2 = (entropy(2.0, 1.0 + 1e-6) - entropy(2.0, 1.0 - 1e-6)) / 2e-6;
  const double expected = std::sqrt(d1 * move_1 * d1 * move_1 + d2 * move_2 * d2 * move_2);
  EXPECT_NEAR(predicted_rankme_error(s, 1e-7, gram_error, 2), expected, 1e-6 * expected);
}

TEST(PredictedRankmeError, SmallSingularValuesUnderTheNoiseFailTheToleranceFlatOnesPass) {
  const std::size_t k = 256;
  const double lambda_1 = 1e4, gram_error = 1e-7 * lambda_1;  // a float32-sized error
  std::vector<double> flat(k), drowned(k);
  for (std::size_t i = 0; i < k; ++i) {
    flat[i] = std::sqrt(lambda_1) * (1.0 - 0.5 * static_cast<double>(i) / k);
    drowned[i] = std::sqrt(lambda_1) * std::pow(1e-6, static_cast<double>(i) / (k - 1));
  }
  EXPECT_LE(predicted_rankme_error(flat, 1e-7, gram_error, k), default_method_tolerance * mixed_precision_share_of_tolerance);
  EXPECT_GT(predicted_rankme_error(drowned, 1e-7, gram_error, k), default_method_tolerance * mixed_precision_share_of_tolerance);
  // More error, more predicted error.
  EXPECT_GT(predicted_rankme_error(flat, 1e-7, 10 * gram_error, k), predicted_rankme_error(flat, 1e-7, gram_error, k));
}

}  // namespace
}  // namespace rankme
