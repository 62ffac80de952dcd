#include "rankme/parallel/mpi_error.hpp"

#include <mpi.h>

namespace rankme {

namespace {
std::string describe(const std::string& call, int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  std::string message = call + " failed";
  if (length > 0) message += ": " + std::string(text, static_cast<std::size_t>(length));
  return message + " (MPI error " + std::to_string(code) + ")";
}
}  // namespace

MpiError::MpiError(const std::string& call, int code) : std::runtime_error(describe(call, code)), code_(code) {}

void check_mpi(int code, const char* call) {
  if (code != MPI_SUCCESS) throw MpiError(call, code);
}

}  // namespace rankme
