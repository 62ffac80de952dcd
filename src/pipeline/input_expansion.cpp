#include "rankme/pipeline/input_expansion.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "rankme/formats/file_format.hpp"

namespace rankme {

namespace {

InputSpec failed_input(const std::string& argument, const std::string& error) {
  InputSpec failed;
  failed.file = argument;
  failed.error = error;
  return failed;
}

// Every tensor file (HDF5, .npy, .npz, safetensors, torch) below `directory`; an unreadable directory on the way becomes an error entry naming it,
// and the rest is still listed.
void collect_tensor_files(const std::filesystem::path& directory, std::vector<InputSpec>& found) {
  std::error_code error;
  std::filesystem::directory_iterator entry(directory, error), end;
  for (; !error && entry != end; entry.increment(error)) {
    std::error_code ignored;  // an entry that vanished meanwhile is simply not listed
    if (entry->is_directory(ignored) && !entry->is_symlink(ignored)) {
      collect_tensor_files(entry->path(), found);
    } else if (entry->is_regular_file(ignored) && has_tensor_file_extension(entry->path().filename().string())) {
      InputSpec file;
      file.file = entry->path().string();
      found.push_back(file);
    }
  }
  if (error) found.push_back(failed_input(directory.string(), "cannot read directory '" + directory.string() + "': " + error.message()));
}

std::vector<InputSpec> expand_directory(const std::string& directory) {
  std::vector<InputSpec> found;
  collect_tensor_files(directory, found);
  std::stable_sort(found.begin(), found.end(), [](const InputSpec& a, const InputSpec& b) { return a.file < b.file; });
  if (found.empty()) {
    found.push_back(failed_input(directory, "directory '" + directory + "' holds no file to score (*.h5, *.hdf5, *.npy, *.npz, *.safetensors, *.pt, *.pth)"));
  }
  return found;
}

bool is_directory(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error);
}

}  // namespace

std::vector<InputSpec> expand_arguments(const std::vector<std::string>& arguments) {
  std::vector<InputSpec> inputs;
  for (const std::string& argument : arguments) {
    if (is_directory(argument)) {
      const std::vector<InputSpec> files = expand_directory(argument);
      inputs.insert(inputs.end(), files.begin(), files.end());
      continue;
    }
    InputSpec input = parse_input_spec(argument);
    if (input.dataset && is_directory(input.file)) {
      // Per file, a pattern that matches nothing is an error: over a directory that would be noise.
      input = failed_input(input.file, "'" + input.file + "' is a directory: a dataset or pattern can only follow a file");
    } else if (!argument.empty() && argument.back() == '/' && !input.dataset) {
      std::error_code error;
      if (!std::filesystem::exists(argument, error)) input = failed_input(argument, "no such directory: '" + argument + "'");
    }
    inputs.push_back(input);
  }
  return inputs;
}

}  // namespace rankme
