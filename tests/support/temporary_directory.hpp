// A temporary directory for one test, removed with everything in it when the test is done.
#pragma once

#include <filesystem>
#include <string>

namespace rankme::testing {

// A unique, freshly created temporary directory that removes itself recursively when destroyed.
// Move-only. In an MPI test create it on one rank and broadcast path().
class TemporaryDirectory {
 public:
  // Creates <system temp dir>/<prefix>XXXXXX.
  explicit TemporaryDirectory(const std::string& prefix = "rankme-test-");
  ~TemporaryDirectory();
  TemporaryDirectory(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory& operator=(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name as a string, for the many APIs that take file names as strings.
  std::string file(const std::string& name) const;

 private:
  std::filesystem::path path_;  // empty once moved from
};

}  // namespace rankme::testing
