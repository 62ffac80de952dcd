#include "rankme/os/canonical_path.hpp"

#include <filesystem>
#include <system_error>

namespace rankme {

std::optional<std::string> canonical_path(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::canonical(path, error);
  if (error) return std::nullopt;
  return canonical.string();
}

}  // namespace rankme
