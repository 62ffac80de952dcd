// The owned descriptor: closed once when its owner goes, handed on by a move, given up by release, and
// close() reports what close(2) says.
#include "rankme/os/file_descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <utility>

namespace rankme {
namespace {

// Whether `descriptor` names an open file of this process.
bool is_open_descriptor(int descriptor) { return ::fcntl(descriptor, F_GETFD) != -1; }

bool is_closed_descriptor(int descriptor) {
  errno = 0;
  return ::fcntl(descriptor, F_GETFD) == -1 && errno == EBADF;
}

int open_dev_null() {
  const int descriptor = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(descriptor, 0);
  return descriptor;
}

TEST(FileDescriptor, ClosesWhenDestroyed) {
  const int raw = open_dev_null();
  {
    const FileDescriptor owned(raw);
    EXPECT_EQ(owned.get(), raw);
    EXPECT_TRUE(owned.is_open());
    EXPECT_TRUE(is_open_descriptor(raw));
  }
  EXPECT_TRUE(is_closed_descriptor(raw));
}

TEST(FileDescriptor, OwnsNothingByDefaultOrForAFailedOpen) {
  const FileDescriptor none;
  EXPECT_EQ(none.get(), -1);
  EXPECT_FALSE(none);
  errno = 0;
  const FileDescriptor failed(::open("/no/such/directory/file", O_RDONLY));
  EXPECT_EQ(errno, ENOENT);  // untouched, for the caller's message
  EXPECT_FALSE(failed.is_open());
  EXPECT_EQ(failed.get(), -1);
}

TEST(FileDescriptor, AMoveTransfersOwnership) {
  const int raw = open_dev_null();
  FileDescriptor first(raw);
  FileDescriptor second(std::move(first));
  EXPECT_EQ(first.get(), -1);  // NOLINT(bugprone-use-after-move): a moved-from descriptor owns nothing
  EXPECT_EQ(second.get(), raw);
  first = FileDescriptor();  // destroying or resetting the moved-from one closes nothing
  EXPECT_TRUE(is_open_descriptor(raw));

  const int other = open_dev_null();
  FileDescriptor third(other);
  third = std::move(second);  // the descriptor it held is closed, the moved one is kept
  EXPECT_TRUE(is_closed_descriptor(other));
  EXPECT_EQ(third.get(), raw);
  EXPECT_TRUE(is_open_descriptor(raw));
  third = std::move(third);  // NOLINT: moving onto itself keeps it
  EXPECT_EQ(third.get(), raw);
  EXPECT_TRUE(is_open_descriptor(raw));
  third.reset();
  EXPECT_TRUE(is_closed_descriptor(raw));
  EXPECT_FALSE(third.is_open());
}

TEST(FileDescriptor, ReleaseGivesItUpWithoutClosing) {
  const int raw = open_dev_null();
  {
    FileDescriptor owned(raw);
    EXPECT_EQ(owned.release(), raw);
    EXPECT_FALSE(owned.is_open());
    EXPECT_EQ(owned.release(), -1);
  }
  EXPECT_TRUE(is_open_descriptor(raw));
  EXPECT_EQ(::close(raw), 0);
}

TEST(FileDescriptor, CloseReportsSuccessAndOwnsNothingAfter) {
  const int raw = open_dev_null();
  FileDescriptor owned(raw);
  EXPECT_EQ(owned.close(), 0);
  EXPECT_TRUE(is_closed_descriptor(raw));
  EXPECT_FALSE(owned.is_open());
  EXPECT_EQ(owned.close(), 0);  // nothing left to close
}

TEST(FileDescriptor, CloseReportsTheErrorOfCloseItself) {
  // A descriptor closed behind the owner's back: close(2) fails with EBADF, and close() says so.
  const int raw = open_dev_null();
  FileDescriptor owned(raw);
  ASSERT_EQ(::close(raw), 0);
  EXPECT_EQ(owned.close(), EBADF);
  EXPECT_FALSE(owned.is_open());
}

TEST(FileDescriptor, ResetKeepsErrno) {
  FileDescriptor owned(open_dev_null());
  ::close(owned.get());  // so that the close in reset() fails and would set errno
  errno = ENOSPC;
  owned.reset();
  EXPECT_EQ(errno, ENOSPC);
}

}  // namespace
}  // namespace rankme
