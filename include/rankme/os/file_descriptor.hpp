#pragma once
// An owned POSIX file descriptor: closed exactly once, by whoever holds it last. Move-only, so that a
// descriptor cannot be closed twice (the second close could hit a descriptor another thread has just been
// given the same number for) and cannot leak on an early return or an exception.
namespace rankme {

class FileDescriptor {
 public:
  FileDescriptor() noexcept = default;
  // Takes ownership of `descriptor` (negative: owns nothing, as ::open returns on failure). Leaves errno
  // as it was, so that `FileDescriptor file(::open(...)); if (!file) ... errno ...` works.
  explicit FileDescriptor(int descriptor) noexcept : descriptor_(descriptor < 0 ? -1 : descriptor) {}

  // Closes it, ignoring errors: a destructor cannot report them, and callers who care call close().
  ~FileDescriptor() { reset(); }

  FileDescriptor(FileDescriptor&& other) noexcept : descriptor_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  // The descriptor (-1 when none), still owned.
  int get() const noexcept { return descriptor_; }
  bool is_open() const noexcept { return descriptor_ >= 0; }
  explicit operator bool() const noexcept { return is_open(); }

  // Gives the descriptor up without closing it: the caller owns it now. -1 when there is none.
  int release() noexcept;

  // Closes it now, ignoring errors (what the destructor does); owns nothing after.
  void reset() noexcept;

  // Closes it now and says how that went: 0, or the errno of a failed close(2) (EIO, ENOSPC, EDQUOT: on
  // NFS and other network file systems, data written earlier can fail only here). Owns nothing after,
  // whatever the outcome: the descriptor is released by close(2) even when it fails. 0 when none is owned.
  [[nodiscard]] int close() noexcept;

 private:
  int descriptor_ = -1;
};

}  // namespace rankme
