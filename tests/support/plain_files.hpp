// Plain (non-HDF5) files for tests of bad input: a text file, and a truncated copy of a real file.
// Neither overwrites: each throws std::runtime_error if its destination exists.
#pragma once

#include <string>

namespace rankme::testing {

// A small text file that is not HDF5. Throws if `file` exists.
void write_not_hdf5(const std::string& file);
// Copies the first floor(size * keep_fraction) bytes of `from` to `to` (keep_fraction in [0, 1]).
// Throws if `to` exists.
void copy_truncated(const std::string& from, const std::string& to, double keep_fraction);

}  // namespace rankme::testing
