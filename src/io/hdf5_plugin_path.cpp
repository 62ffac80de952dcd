#include "rankme/io/hdf5_plugin_path.hpp"

#include <dlfcn.h>
#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
#include <mutex>

namespace rankme {

namespace {

bool is_directory(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

// Debian 12's lzf plugin (hdf5-plugin-lzf 3.7.0-8) calls lzf_compress and lzf_decompress without
// declaring liblzf as a dependency (h5py, which it was made for, carries its own copy): dlopen fails with
// "undefined symbol: lzf_decompress". Loading liblzf (liblzf1) into the global scope first lets the plugin
// find them. Deliberately never closed: plugins stay loaded for the life of the process too.
void make_liblzf_global() {
  if (::dlopen("liblzf.so.1", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) != nullptr) return;
  ::dlopen("liblzf.so.1", RTLD_NOW | RTLD_GLOBAL);  // absent: the lzf filter is reported unavailable by id
}

}  // namespace

std::vector<std::string> system_filter_plugin_directories() {
  const std::string architecture = RANKME_LIBRARY_ARCHITECTURE;
  if (architecture.empty()) return {};
  const std::string hdf5 = "/usr/lib/" + architecture + "/hdf5/";
  return {hdf5 + "openmpi/plugins", hdf5 + "serial/plugins"};
}

std::vector<std::string> filter_plugin_search_path() {
  std::vector<std::string> paths;
  unsigned count = 0;
  if (H5PLsize(&count) < 0) return paths;
  for (unsigned index = 0; index < count; ++index) {
    const ssize_t length = H5PLget(index, nullptr, 0);
    if (length < 0) continue;
    std::string path(static_cast<std::size_t>(length) + 1, '\0');
    if (H5PLget(index, path.data(), path.size()) < 0) continue;
    path.resize(static_cast<std::size_t>(length));
    paths.push_back(path);
  }
  return paths;
}

void add_system_filter_plugin_directories() {
  static std::once_flag once;
  std::call_once(once, [] {
    make_liblzf_global();
    // HDF5 1.10 gives up its whole search at the first directory of the path it cannot open, so no filter
    // after it ever loads. The default of Debian's MPICH build of HDF5 is such a directory
    // (/usr/lib/<multiarch>/hdf5/mpich/plugins, which no package creates), as is any stale entry of
    // HDF5_PLUGIN_PATH: those leave the path, the directories that exist keep their order.
    for (unsigned index = static_cast<unsigned>(filter_plugin_search_path().size()); index-- > 0;) {
      const std::vector<std::string> paths = filter_plugin_search_path();
      if (index < paths.size() && !is_directory(paths[index])) H5PLremove(index);
    }
    const std::vector<std::string> present = filter_plugin_search_path();
    for (const std::string& directory : system_filter_plugin_directories()) {
      if (!is_directory(directory)) continue;
      if (std::find(present.begin(), present.end(), directory) != present.end()) continue;
      // A failure leaves the filters of that directory unavailable, which describe_dataset reports per
      // dataset, naming the filter: nothing to say here.
      H5PLappend(directory.c_str());
    }
  });
}

}  // namespace rankme
