#include "support/plain_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace rankme::testing {

namespace {

// fopen with C11's "x": fails instead of truncating an existing file.
std::FILE* create_new_file(const std::string& file, const std::string& where) {
  std::FILE* stream = std::fopen(file.c_str(), "wbx");
  if (stream == nullptr) {
    const int error = errno;
    throw std::runtime_error(where + ": cannot create '" + file +
                             "' (it must not exist yet): " + std::strerror(error));
  }
  return stream;
}

void write_and_close(std::FILE* stream, const char* data, std::size_t size, const std::string& file,
                     const std::string& where) {
  const bool written = size == 0 || std::fwrite(data, 1, size, stream) == size;
  const bool closed = std::fclose(stream) == 0;
  if (!written || !closed) throw std::runtime_error(where + ": writing '" + file + "' failed");
}

}  // namespace

void write_not_hdf5(const std::string& file) {
  const std::string where = "rankme::testing::write_not_hdf5";
  static const char text[] =
      "This is a plain text file, not HDF5.\n"
      "rankme's tests use it to check that non-HDF5 input is rejected cleanly.\n";
  write_and_close(create_new_file(file, where), text, sizeof text - 1, file, where);
}

void copy_truncated(const std::string& from, const std::string& to, double keep_fraction) {
  const std::string where = "rankme::testing::copy_truncated('" + from + "' -> '" + to + "')";
  if (!(keep_fraction >= 0.0 && keep_fraction <= 1.0)) {
    throw std::invalid_argument(where + ": keep_fraction must be in [0, 1]");
  }
  std::ifstream input(from, std::ios::binary);
  if (!input) throw std::runtime_error(where + ": cannot open '" + from + "' for reading");
  const std::vector<char> content((std::istreambuf_iterator<char>(input)),
                                  std::istreambuf_iterator<char>());
  if (input.bad()) throw std::runtime_error(where + ": reading '" + from + "' failed");
  const auto keep = std::min(
      content.size(),
      static_cast<std::size_t>(std::floor(static_cast<double>(content.size()) * keep_fraction)));
  write_and_close(create_new_file(to, where), content.data(), keep, to, where);
}

}  // namespace rankme::testing
