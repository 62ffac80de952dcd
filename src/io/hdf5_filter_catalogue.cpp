#include "rankme/io/hdf5_filter_catalogue.hpp"

namespace rankme {

namespace {

struct KnownFilter {
  int id;
  const char* name;
  const char* debian_package;  // "": built into HDF5; nullptr: no Debian 12 package
  bool in_hdf5plugin;          // whether the Python package hdf5plugin (pip, conda) ships a build of it
};

// https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md, the ones h5py and
// hdf5plugin write. Debian 12 packages some; its python3-hdf5plugin uses these same system plugins and
// adds none, so for the others the source is hdf5plugin from pip or conda, which ships its own builds.
constexpr KnownFilter known_filters[] = {
    {1, "deflate", "", false},
    {2, "shuffle", "", false},
    {3, "fletcher32", "", false},
    {4, "szip", "", false},
    {5, "nbit", "", false},
    {6, "scaleoffset", "", false},
    {305, "lzo", nullptr, false},
    {307, "bzip2", "hdf5-filter-plugin", true},
    {32000, "lzf", "hdf5-plugin-lzf", false},
    {32001, "blosc", "hdf5-filter-plugin-blosc-serial", true},
    {32004, "lz4", "hdf5-filter-plugin", true},
    {32008, "bitshuffle", nullptr, true},
    {32013, "zfp", nullptr, true},
    {32015, "zstd", nullptr, true},
    {32017, "sz", nullptr, true},
    {32018, "fcidecomp", nullptr, true},
    {32024, "sz3", nullptr, true},
    {32026, "blosc2", nullptr, true},
    {32028, "sperr", nullptr, true},
};

const KnownFilter* find_filter(int id) {
  for (const KnownFilter& filter : known_filters) {
    if (filter.id == id) return &filter;
  }
  return nullptr;
}

}  // namespace

std::string known_filter_name(int id) {
  const KnownFilter* filter = find_filter(id);
  return filter != nullptr ? filter->name : "";
}

std::string filter_source(int id) {
  const std::string hdf5plugin =
      "the Python package hdf5plugin from pip or conda (pip install hdf5plugin; Debian's python3-hdf5plugin does not "
      "include it), then set HDF5_PLUGIN_PATH to its plugins directory (python3 -c 'import hdf5plugin; "
      "print(hdf5plugin.PLUGINS_PATH)')";
  const KnownFilter* filter = find_filter(id);
  if (filter == nullptr) {
    return "the plugin of filter " + std::to_string(id) +
           " (see https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md), then set "
           "HDF5_PLUGIN_PATH to the directory holding it";
  }
  if (filter->debian_package == nullptr) return hdf5plugin;
  if (*filter->debian_package == '\0') return "an HDF5 library built with " + std::string(filter->name) + " (this one lacks it)";
  return "the Debian package " + std::string(filter->debian_package) + " (scripts/install_dependencies.sh installs it)" +
         (filter->in_hdf5plugin ? ", or " + hdf5plugin : std::string());
}

}  // namespace rankme
