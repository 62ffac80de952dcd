#include "rankme/pipeline/input_spec.hpp"

#include <filesystem>

#include "rankme/pipeline/hdf5_path_pattern.hpp"

namespace rankme {

namespace {
bool is_existing_file(const std::string& path) {
  std::error_code error;
  return !path.empty() && std::filesystem::exists(path, error) && !std::filesystem::is_directory(path, error);
}

InputSpec split_at(const std::string& argument, std::size_t colon) {
  std::string dataset = argument.substr(colon + 1);
  if (dataset.empty() || dataset.front() != '/') dataset.insert(dataset.begin(), '/');
  const bool pattern = has_unescaped_wildcards(dataset);
  return InputSpec{argument.substr(0, colon), dataset, pattern};
}
}  // namespace

InputSpec parse_input_spec(const std::string& argument) {
  if (is_existing_file(argument)) return InputSpec{argument, std::nullopt};
  // First a ':' followed by '/' (the documented FILE:/DATASET form), so that with files 'a' and 'a:b.h5'
  // both present, 'a:b.h5:/emb' is dataset '/emb' of 'a:b.h5'; then any ':' (a dataset without its '/').
  for (std::size_t colon = argument.find(":/"); colon != std::string::npos; colon = argument.find(":/", colon + 1)) {
    if (is_existing_file(argument.substr(0, colon))) return split_at(argument, colon);
  }
  for (std::size_t colon = argument.find(':'); colon != std::string::npos; colon = argument.find(':', colon + 1)) {
    if (is_existing_file(argument.substr(0, colon))) return split_at(argument, colon);
  }
  const std::size_t separator = argument.find(":/");
  if (separator != std::string::npos && separator > 0) return split_at(argument, separator);
  return InputSpec{argument, std::nullopt};
}

}  // namespace rankme
