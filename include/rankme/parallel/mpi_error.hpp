#pragma once
// A failed MPI call as an exception that names the call and carries MPI's own description of the error.
#include <stdexcept>
#include <string>

namespace rankme {

class MpiError : public std::runtime_error {
 public:
  MpiError(const std::string& call, int code);
  int code() const { return code_; }

 private:
  int code_;
};

// Throws MpiError naming `call` unless `code` is MPI_SUCCESS.
//
// Under MPI's default handler (MPI_ERRORS_ARE_FATAL, which rankme keeps on its communicators) a failing call
// never returns: MPI ends every rank of the job, which is what a failure half-way through a point-to-point
// exchange needs (a partner left waiting in its receive would otherwise hang). On a communicator set to
// MPI_ERRORS_RETURN the code comes back, and this check turns it into an exception instead of ignoring it.
void check_mpi(int code, const char* call);

}  // namespace rankme
