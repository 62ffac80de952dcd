// pool_targets: what becomes of arrays of 3 or more axes after discovery, with and without --pool.
#include "rankme/pipeline/target_pooling.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rankme {
namespace {

DatasetTarget listed(const std::string& file, const std::string& dataset, std::vector<std::uint64_t> shape,
                     bool named_explicitly = false) {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.shape = std::move(shape);
  target.dtype = "float32";
  target.type = StoredType{StoredType::Kind::floating, 4, false};
  if (target.shape.size() == 2) {
    target.rows = target.shape[0];
    target.cols = target.shape[1];
  }
  target.named_explicitly = named_explicitly;
  return target;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(TargetPooling, EachModeGivesThePooledMatrixShape) {
  for (const auto& [mode, rows] : {std::make_pair(PoolMode::mean, 1000u), std::make_pair(PoolMode::first, 1000u),
                                   std::make_pair(PoolMode::last, 1000u), std::make_pair(PoolMode::flatten, 1000u * 197u)}) {
    Discovery discovery;
    discovery.targets = {listed("a.h5", "/tokens", {1000, 197, 768}), listed("a.h5", "/matrix", {10, 4})};
    pool_targets(discovery, mode);
    ASSERT_EQ(discovery.targets.size(), 2u);
    EXPECT_EQ(discovery.targets[0].rows, rows);
    EXPECT_EQ(discovery.targets[0].cols, 768u);
    EXPECT_EQ(discovery.targets[0].pool, mode);
    EXPECT_TRUE(discovery.targets[0].scorable());
    // A matrix is not pooled, whatever --pool says.
    EXPECT_EQ(discovery.targets[1].pool, PoolMode::none);
    EXPECT_EQ(discovery.targets[1].rows, 10u);
    EXPECT_TRUE(discovery.notes.empty());
  }
  Discovery four_d;
  four_d.targets = {listed("a.h5", "/views", {50, 2, 3, 8})};
  pool_targets(four_d, PoolMode::flatten);
  EXPECT_EQ(four_d.targets[0].rows, 300u);
  EXPECT_EQ(four_d.targets[0].cols, 8u);
}

TEST(TargetPooling, WithoutPoolAScanSkipsWithOneNoteAndANamedArrayIsAnError) {
  Discovery discovery;
  discovery.targets = {listed("a.h5", "/tokens", {1000, 197, 768}), listed("a.h5", "/matrix", {10, 4}),
                       listed("b.h5", "/tokens", {5, 2, 3}, true)};
  pool_targets(discovery, PoolMode::none);
  ASSERT_EQ(discovery.notes.size(), 1u);
  EXPECT_EQ(discovery.notes[0], "skipped dataset '/tokens' in 'a.h5': 3-D (1000, 197, 768): use --pool mean|first|last|flatten");
  ASSERT_EQ(discovery.targets.size(), 2u);
  EXPECT_EQ(discovery.targets[0].dataset, "/matrix");
  EXPECT_FALSE(discovery.targets[1].scorable());
  EXPECT_TRUE(contains(discovery.targets[1].error, "--pool")) << discovery.targets[1].error;
  EXPECT_TRUE(contains(discovery.targets[1].error, "3-D (5, 2, 3)")) << discovery.targets[1].error;
  EXPECT_TRUE(contains(discovery.targets[1].error, "'b.h5'")) << discovery.targets[1].error;
}

TEST(TargetPooling, AFileWithOnlyArraysToPoolIsAnErrorWithoutPool) {
  Discovery discovery;
  discovery.targets = {listed("vit.h5", "/cls", {8, 3, 4}), listed("vit.h5", "/patches", {8, 9, 4})};
  pool_targets(discovery, PoolMode::none);
  EXPECT_EQ(discovery.notes.size(), 2u);
  ASSERT_EQ(discovery.targets.size(), 1u);
  EXPECT_EQ(discovery.targets[0].file, "vit.h5");
  EXPECT_FALSE(discovery.targets[0].scorable());
  EXPECT_TRUE(contains(discovery.targets[0].error, "--pool")) << discovery.targets[0].error;
}

TEST(TargetPooling, ErrorTargetsAndOverflowingShapes) {
  Discovery discovery;
  DatasetTarget failed = listed("c.h5", "/broken", {4, 4, 4});
  failed.error = "dataset '/broken' in 'c.h5': incomplete";
  discovery.targets = {failed, listed("d.h5", "/huge", {1ull << 40, 1ull << 30, 2})};
  pool_targets(discovery, PoolMode::flatten);
  ASSERT_EQ(discovery.targets.size(), 2u);
  EXPECT_EQ(discovery.targets[0].error, failed.error);
  EXPECT_TRUE(contains(discovery.targets[1].error, "2^64")) << discovery.targets[1].error;
}

}  // namespace
}  // namespace rankme
