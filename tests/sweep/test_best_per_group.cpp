// --best-per's groups (best_per_group.hpp): the run of the three common layouts with no configuration,
// explicit keys, results without a key, groups with no score, ties and the order of groups.
#include "rankme/sweep/best_per_group.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/pipeline/path_params.hpp"

namespace rankme {
namespace {

// A result as discovery and scoring would give it: its params from its names.
DatasetResult checkpoint(const std::string& file, const std::string& dataset, std::optional<double> rankme,
                         ResultStatus status = ResultStatus::ok) {
  DatasetResult result;
  result.file = file;
  result.dataset = dataset;
  result.params = params_of_dataset_path(file, dataset);
  result.rankme = rankme;
  result.status = status;
  return result;
}

std::string text(const std::optional<ParamValue>& value) {
  if (!value) return "(none)";
  if (const auto* t = std::get_if<std::string>(&*value)) return *t;
  return std::to_string(std::get<double>(*value));
}

TEST(BestPerGroup, KeysAreCommaSeparatedNames) {
  EXPECT_EQ(parse_group_keys("run"), (std::vector<std::string>{"run"}));
  EXPECT_EQ(parse_group_keys("lr, wd"), (std::vector<std::string>{"lr", "wd"}));
  EXPECT_THROW(parse_group_keys(""), std::invalid_argument);
  EXPECT_THROW(parse_group_keys("lr,,wd"), std::invalid_argument);
  EXPECT_THROW(parse_group_keys("lr,"), std::invalid_argument);
  EXPECT_THROW(parse_group_keys("lr,lr"), std::invalid_argument);
}

TEST(BestPerGroup, OneFilePerRun) {
  const std::vector<DatasetResult> results = {
      checkpoint("run_a.h5", "/epoch_10/z", 4), checkpoint("run_a.h5", "/epoch_20/z", 8),
      checkpoint("run_a.h5", "/epoch_30/z", 6), checkpoint("run_b.h5", "/epoch_10/z", 9),
      checkpoint("run_b.h5", "/epoch_20/z", 3)};
  const BestPerGroup grouped = best_per_group(results, {"run"});
  ASSERT_EQ(grouped.groups.size(), 2u);
  EXPECT_EQ(text(grouped.groups[0].values[0]), "run_b.h5:/epoch_*/z");
  EXPECT_EQ(grouped.groups[0].best.dataset, "/epoch_10/z");
  EXPECT_EQ(grouped.groups[0].results, 2u);
  EXPECT_EQ(text(grouped.groups[1].values[0]), "run_a.h5:/epoch_*/z");
  EXPECT_EQ(grouped.groups[1].best.params.at("epoch"), ParamValue(20.0));
  EXPECT_EQ(grouped.groups[1].scored, 3u);
  EXPECT_EQ(grouped.missing, (std::vector<std::size_t>{0}));
}

TEST(BestPerGroup, OneGroupPerRun) {
  const std::vector<DatasetResult> results = {
      checkpoint("sweep.h5", "/run_a/epoch_1", 4), checkpoint("sweep.h5", "/run_a/epoch_2", 7),
      checkpoint("sweep.h5", "/run_b/ep1", 5), checkpoint("sweep.h5", "/run_b/ep2", 2),
      checkpoint("sweep.h5", "/run_c/step=100", 1)};
  const BestPerGroup grouped = best_per_group(results, {"run"});
  ASSERT_EQ(grouped.groups.size(), 3u);
  EXPECT_EQ(text(grouped.groups[0].values[0]), "sweep.h5:/run_a/epoch_*");
  EXPECT_EQ(grouped.groups[0].best.dataset, "/run_a/epoch_2");
  EXPECT_EQ(text(grouped.groups[1].values[0]), "sweep.h5:/run_b/ep*");
  EXPECT_EQ(grouped.groups[1].best.params.at("epoch"), ParamValue(1.0));
  EXPECT_EQ(text(grouped.groups[2].values[0]), "sweep.h5:/run_c/step=*");
}

TEST(BestPerGroup, PathParamsBesideTheEpoch) {
  const std::vector<DatasetResult> results = {
      checkpoint("sw/lr=0.1_wd=0/epoch_1.h5", "/z", 3), checkpoint("sw/lr=0.1_wd=0/epoch_2.h5", "/z", 7),
      checkpoint("sw/lr=0.01_wd=0/epoch_1.h5", "/z", 8), checkpoint("sw/lr=0.01_wd=0/epoch_2.h5", "/z", 6),
      checkpoint("flat/lr=0.1_wd=0_epoch_1.h5", "/z", 2), checkpoint("flat/lr=0.1_wd=0_epoch_2.h5", "/z", 1)};
  const BestPerGroup by_run = best_per_group(results, {"run"});
  ASSERT_EQ(by_run.groups.size(), 3u);
  EXPECT_EQ(text(by_run.groups[0].values[0]), "sw/lr=0.01_wd=0/epoch_*.h5:/z");
  EXPECT_EQ(text(by_run.groups[1].values[0]), "sw/lr=0.1_wd=0/epoch_*.h5:/z");
  EXPECT_EQ(text(by_run.groups[2].values[0]), "flat/lr=0.1_wd=0_epoch_*.h5:/z");
  EXPECT_EQ(by_run.groups[2].best.file, "flat/lr=0.1_wd=0_epoch_1.h5");
  // By explicit keys: both lr=0.1 runs are one group.
  const BestPerGroup by_lr = best_per_group(results, {"lr", "wd"});
  ASSERT_EQ(by_lr.groups.size(), 2u);
  EXPECT_EQ(by_lr.groups[0].values[0], std::optional<ParamValue>(0.01));
  EXPECT_EQ(by_lr.groups[0].values[1], std::optional<ParamValue>(0.0));
  EXPECT_EQ(by_lr.groups[1].values[0], std::optional<ParamValue>(0.1));
  EXPECT_EQ(by_lr.groups[1].results, 4u);
  EXPECT_EQ(by_lr.groups[1].best.file, "sw/lr=0.1_wd=0/epoch_2.h5");
}

TEST(BestPerGroup, ResultsWithoutAKeyAreGroupedUnderNone) {
  std::vector<DatasetResult> results = {checkpoint("lr=0.1.h5", "/z", 3), checkpoint("base.h5", "/z", 9),
                                        checkpoint("other.h5", "/z", 1)};
  const BestPerGroup grouped = best_per_group(results, {"lr"});
  ASSERT_EQ(grouped.groups.size(), 2u);
  EXPECT_FALSE(grouped.groups[0].values[0].has_value());
  EXPECT_EQ(grouped.groups[0].results, 2u);
  EXPECT_EQ(grouped.groups[0].best.file, "base.h5");
  EXPECT_EQ(grouped.missing, (std::vector<std::size_t>{2}));
}

TEST(BestPerGroup, GroupsWithoutAScoreStayAndComeLast) {
  const std::vector<DatasetResult> results = {
      checkpoint("errors.h5", "/epoch_1/z", std::nullopt, ResultStatus::error),
      checkpoint("diverged.h5", "/epoch_1/z", std::nullopt, ResultStatus::nonfinite),
      checkpoint("diverged.h5", "/epoch_2/z", std::nullopt, ResultStatus::error),
      checkpoint("mixed.h5", "/epoch_1/z", std::nullopt, ResultStatus::nonfinite),
      checkpoint("mixed.h5", "/epoch_2/z", 2.5),
      checkpoint("tied.h5", "/epoch_1/z", 3), checkpoint("tied.h5", "/epoch_2/z", 3)};
  const BestPerGroup grouped = best_per_group(results, {"run"});
  ASSERT_EQ(grouped.groups.size(), 4u);
  EXPECT_EQ(grouped.groups[0].best.file, "tied.h5");
  EXPECT_EQ(grouped.groups[0].best.dataset, "/epoch_1/z") << "the first of equal scores";
  EXPECT_EQ(grouped.groups[1].best.file, "mixed.h5");
  EXPECT_EQ(grouped.groups[1].scored, 1u);
  EXPECT_EQ(grouped.groups[1].results, 2u);
  EXPECT_EQ(grouped.groups[2].best.status, ResultStatus::nonfinite) << "a diverged run shows as diverged";
  EXPECT_EQ(grouped.groups[2].best.file, "diverged.h5");
  EXPECT_EQ(grouped.groups[3].best.status, ResultStatus::error);
  EXPECT_EQ(grouped.groups[3].scored, 0u);
}

TEST(BestPerGroup, ARunParamNamesTheRun) {
  DatasetResult a = checkpoint("x/epoch_1.h5", "/z", 1);
  DatasetResult b = checkpoint("y/epoch_2.h5", "/z", 2);
  a.params["run"] = std::string("baseline");
  b.params["run"] = std::string("baseline");
  const BestPerGroup grouped = best_per_group({a, b}, {"run"});
  ASSERT_EQ(grouped.groups.size(), 1u);
  EXPECT_EQ(text(grouped.groups[0].values[0]), "baseline");
  EXPECT_EQ(grouped.groups[0].best.file, "y/epoch_2.h5");
}

}  // namespace
}  // namespace rankme
