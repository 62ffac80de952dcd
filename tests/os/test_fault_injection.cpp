// The fault points: nothing without a hook; with one, each point calls it with its stage, the dataset
// being scored (or the one it names) and the block, and whatever the hook throws reaches the caller.
#include "rankme/os/fault_injection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rankme {
namespace {

struct Call {
  FaultStage stage;
  std::string dataset;
  std::uint64_t block;
};

std::vector<Call> calls;

void recording_hook(FaultStage stage, const std::string& dataset, std::uint64_t block) {
  calls.push_back({stage, dataset, block});
}

void throwing_hook(FaultStage stage, const std::string&, std::uint64_t) {
  if (stage == FaultStage::gram) throw std::runtime_error("injected");
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override { calls.clear(); }
  void TearDown() override {
    install_fault_hook(nullptr);
    calls.clear();
  }
};

TEST_F(FaultInjection, StagesHaveTheNamesRankmeWithFaultsMatches) {
  EXPECT_STREQ(name_of(FaultStage::open), "open");
  EXPECT_STREQ(name_of(FaultStage::read), "read");
  EXPECT_STREQ(name_of(FaultStage::gram), "gram");
  EXPECT_STREQ(name_of(FaultStage::reduce), "reduce");
  EXPECT_STREQ(name_of(FaultStage::eigensolve), "eigensolve");
  EXPECT_STREQ(name_of(FaultStage::write), "write");
  EXPECT_STREQ(name_of(FaultStage::blas_check), "blas_check");
}

TEST_F(FaultInjection, WithoutAHookThePointsDoNothing) {
  install_fault_hook(nullptr);
  set_fault_dataset("/ignored");
  fault_point(FaultStage::read, 3);
  fault_point_for_dataset(FaultStage::write, "/x");
  EXPECT_TRUE(calls.empty());
}

TEST_F(FaultInjection, PointsCallTheHookWithStageDatasetAndBlock) {
  install_fault_hook(recording_hook);
  set_fault_dataset("/lr=0.01/emb");
  fault_point(FaultStage::open);
  fault_point(FaultStage::read, 7);
  fault_point_for_dataset(FaultStage::write, "/other/emb");  // names its own dataset
  fault_point(FaultStage::eigensolve);                       // still the current one
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].stage, FaultStage::open);
  EXPECT_EQ(calls[0].dataset, "/lr=0.01/emb");
  EXPECT_EQ(calls[0].block, 0u);
  EXPECT_EQ(calls[1].stage, FaultStage::read);
  EXPECT_EQ(calls[1].block, 7u);
  EXPECT_EQ(calls[2].stage, FaultStage::write);
  EXPECT_EQ(calls[2].dataset, "/other/emb");
  EXPECT_EQ(calls[2].block, 0u);
  EXPECT_EQ(calls[3].stage, FaultStage::eigensolve);
  EXPECT_EQ(calls[3].dataset, "/lr=0.01/emb");
}

TEST_F(FaultInjection, WhatTheHookThrowsReachesTheCaller) {
  install_fault_hook(throwing_hook);
  EXPECT_NO_THROW(fault_point(FaultStage::read, 1));
  EXPECT_THROW(fault_point(FaultStage::gram, 1), std::runtime_error);
  install_fault_hook(nullptr);
  EXPECT_NO_THROW(fault_point(FaultStage::gram, 1)) << "removing the hook removes the fault";
}

}  // namespace
}  // namespace rankme
