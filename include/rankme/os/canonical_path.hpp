#pragma once
// One spelling for every way of naming a file: "a.h5", "./a.h5", "$PWD/a.h5", "sub/../a.h5" and a path
// through a symbolic link all become the same absolute path.
#include <optional>
#include <string>

namespace rankme {

// The absolute path of the file at `path` with every symbolic link, "." and ".." resolved (realpath(3),
// relative paths from the current directory), or nothing when it cannot be reached (missing, a dangling
// link, a directory that may not be searched).
std::optional<std::string> canonical_path(const std::string& path);

}  // namespace rankme
