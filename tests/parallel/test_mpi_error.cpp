// check_mpi(): a code other than MPI_SUCCESS becomes an MpiError naming the call, with MPI's own
// description of the error and its code.
#include "rankme/parallel/mpi_error.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <string>

namespace rankme {
namespace {

TEST(MpiError, SuccessPassesSilently) { EXPECT_NO_THROW(check_mpi(MPI_SUCCESS, "MPI_Send")); }

TEST(MpiError, AFailureNamesTheCallAndMpisDescription) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  ASSERT_EQ(MPI_Error_string(MPI_ERR_RANK, text, &length), MPI_SUCCESS);
  ASSERT_GT(length, 0);
  try {
    check_mpi(MPI_ERR_RANK, "MPI_Send");
    FAIL() << "no exception";
  } catch (const MpiError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("MPI_Send failed: ", 0), 0u) << message;
    EXPECT_NE(message.find(std::string(text, static_cast<std::size_t>(length))), std::string::npos) << message;
    EXPECT_EQ(error.code(), MPI_ERR_RANK);
  }
}

}  // namespace
}  // namespace rankme
