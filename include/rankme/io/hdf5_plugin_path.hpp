#pragma once
// Where HDF5 looks for dynamically loaded filters (lzf, blosc, lz4, bzip2, ...). Debian installs them in
// /usr/lib/<multiarch>/hdf5/openmpi/plugins and .../serial/plugins, neither of which HDF5 searches by
// itself, so rankme adds both: users read h5py's compressed files without setting HDF5_PLUGIN_PATH.
#include <string>
#include <vector>

namespace rankme {

// The directories rankme adds, in order: the openmpi one first (its lzf plugin is the one that loads into
// parallel HDF5; the serial directory's does not), then the serial one (blosc, lz4 and bzip2 are only
// there and load fine). Empty when the build knows no multiarch directory (not Debian).
std::vector<std::string> system_filter_plugin_directories();

// Appends those of them that exist to HDF5's plugin search path, after what HDF5_PLUGIN_PATH (or HDF5's
// default) put there, so that the user's own plugins still come first; drops the entries that are no
// directory (HDF5 1.10 stops searching at the first one). Once per process; call before the first dataset
// is opened (the file openers in hdf5_file.hpp do). Not collective.
void add_system_filter_plugin_directories();

// HDF5's plugin search path as it is now, for messages.
std::vector<std::string> filter_plugin_search_path();

}  // namespace rankme
