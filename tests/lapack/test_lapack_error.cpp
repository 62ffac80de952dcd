#include "rankme/lapack/lapack_error.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace rankme {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(LapackError, InfoZeroIsSuccess) { EXPECT_NO_THROW(check_info("dsyevd", 0)); }

TEST(LapackError, ANegativeInfoIsALogicErrorNamingTheRoutineAndTheArgument) {
  try {
    check_info("dgesdd", -5);
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is a bug in rankme, not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_TRUE(contains(error.what(), "dgesdd")) << error.what();
    EXPECT_TRUE(contains(error.what(), "argument 5")) << error.what();
  }
}

TEST(LapackError, APositiveInfoIsALapackFailureCarryingTheRoutineAndInfo) {
  try {
    check_info("dsyevd_2stage", 7);
    FAIL() << "no exception";
  } catch (const LapackFailure& failure) {
    EXPECT_EQ(failure.routine(), "dsyevd_2stage");
    EXPECT_EQ(failure.info(), 7);
    EXPECT_TRUE(contains(failure.what(), "dsyevd_2stage")) << failure.what();
    EXPECT_TRUE(contains(failure.what(), "info = 7")) << failure.what();
  }
  // Callers that do not know the type still see a runtime_error.
  EXPECT_THROW(check_info("pdsyev", 1), std::runtime_error);
}

}  // namespace
}  // namespace rankme
