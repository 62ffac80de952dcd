// SIGTERM and SIGINT become a request to stop: the process carries on, and stop_requested() says so.
#include "rankme/os/stop_request.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace rankme {
namespace {

class StopRequest : public ::testing::Test {
 protected:
  void SetUp() override { set_stop_requested(false); }
  void TearDown() override { set_stop_requested(false); }
};

TEST_F(StopRequest, NoneUntilASignalOrTheTestSetsIt) {
  EXPECT_FALSE(stop_requested());
  set_stop_requested(true);
  EXPECT_TRUE(stop_requested());
  set_stop_requested(false);
  EXPECT_FALSE(stop_requested());
}

TEST_F(StopRequest, SigtermAndSigintSetTheFlagAndTheProcessLivesOn) {
  install_stop_request_handlers();
  install_stop_request_handlers();  // idempotent
  for (const int signal : {SIGTERM, SIGINT}) {
    set_stop_requested(false);
    ASSERT_EQ(std::raise(signal), 0);  // the handler runs before raise returns
    EXPECT_TRUE(stop_requested()) << "signal " << signal;
  }
}

TEST_F(StopRequest, OtherSignalsAreNotAStopRequest) {
  install_stop_request_handlers();
  std::signal(SIGUSR1, SIG_IGN);
  ASSERT_EQ(std::raise(SIGUSR1), 0);
  EXPECT_FALSE(stop_requested());
}

}  // namespace
}  // namespace rankme
