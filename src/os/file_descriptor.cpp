#include "rankme/os/file_descriptor.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace rankme {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    descriptor_ = other.release();
  }
  return *this;
}

int FileDescriptor::release() noexcept { return std::exchange(descriptor_, -1); }

void FileDescriptor::reset() noexcept {
  const int saved_errno = errno;  // a destructor running on an error path must not change what it reports
  (void)close();
  errno = saved_errno;
}

int FileDescriptor::close() noexcept {
  const int descriptor = release();
  if (descriptor < 0) return 0;
  // Never retried, not even on EINTR: Linux (and most systems) release the descriptor before close(2) can
  // be interrupted, so a second close would close whatever descriptor another thread has been given the
  // number for since. EINTR is not a failure of the data either (it interrupts the wait for a flush that
  // goes on; callers that need their data on disk fsync first, as the results files do), so it counts as
  // closed.
  if (::close(descriptor) != 0 && errno != EINTR) return errno;
  return 0;
}

}  // namespace rankme
