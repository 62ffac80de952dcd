#include "rankme/lapack/blas_int.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace rankme {
namespace {

TEST(BlasInt, SizesUpToIntMaxNarrowUnchanged) {
  EXPECT_EQ(to_blas_int(0, "n"), 0);
  EXPECT_EQ(to_blas_int(12345, "n"), 12345);
  EXPECT_EQ(to_blas_int(INT_MAX, "n"), INT_MAX);
}

TEST(BlasInt, ASizeAboveIntMaxThrowsLengthErrorNamingTheArgument) {
  try {
    to_blas_int(std::uint64_t{INT_MAX} + 1, "leading dimension");
    FAIL() << "no exception";
  } catch (const std::length_error& error) {
    EXPECT_NE(std::string(error.what()).find("leading dimension = 2147483648"), std::string::npos) << error.what();
  }
  EXPECT_THROW(to_blas_int(std::numeric_limits<std::uint64_t>::max(), "n"), std::length_error);
}

TEST(BlasInt, WorkspaceLengthRoundsAQueryResultUpAndIsAtLeastOne) {
  EXPECT_EQ(workspace_length(0.0, "lwork"), 1);
  EXPECT_EQ(workspace_length(-3.0, "lwork"), 1);
  EXPECT_EQ(workspace_length(1.0, "lwork"), 1);
  EXPECT_EQ(workspace_length(4096.0, "lwork"), 4096);
  EXPECT_EQ(workspace_length(4096.25, "lwork"), 4097);
  EXPECT_EQ(workspace_length(2147483647.0, "lwork"), INT_MAX);
}

TEST(BlasInt, AWorkspaceLengthBeyondIntMaxOrNotANumberThrowsLengthError) {
  try {
    workspace_length(3e9, "pdsyev workspace length");
    FAIL() << "no exception";
  } catch (const std::length_error& error) {
    EXPECT_NE(std::string(error.what()).find("pdsyev workspace length"), std::string::npos) << error.what();
  }
  EXPECT_THROW(workspace_length(2147483648.0, "lwork"), std::length_error);
  EXPECT_THROW(workspace_length(1e300, "lwork"), std::length_error);
  EXPECT_THROW(workspace_length(std::numeric_limits<double>::infinity(), "lwork"), std::length_error);
  EXPECT_THROW(workspace_length(std::nan(""), "lwork"), std::length_error);
}

}  // namespace
}  // namespace rankme
