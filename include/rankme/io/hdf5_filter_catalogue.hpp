#pragma once
// What rankme knows about HDF5 filters by id (the registered ones h5py users meet): a name, and where to
// get the plugin when HDF5 cannot load it. For the message that replaces HDF5's "can't open directory".
#include <string>

namespace rankme {

// The registered name of filter `id` ("lzf", "blosc", "bitshuffle", ...), or "" when rankme does not know it.
std::string known_filter_name(int id);

// Where to get filter `id`, as a sentence to follow "install ...": the Debian package when one provides it,
// hdf5plugin (pip/conda) with HDF5_PLUGIN_PATH otherwise, or where to look for an unknown id.
std::string filter_source(int id);

}  // namespace rankme
