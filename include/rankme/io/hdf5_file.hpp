#pragma once
// Opening HDF5 files read-only: alone (dataset discovery on one rank) or by all ranks of a communicator
// through MPI-IO (reading row shards).
#include <string>

#include "rankme/io/hdf5_handle.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme {

// Opens `path` with the default (POSIX) driver. Throws std::runtime_error naming the file and the reason:
// missing, not readable, not an HDF5 file, truncated, ...
Hdf5Handle open_file_alone(const std::string& path);

// Opens `path` on every rank of `comm` with the MPI-IO driver and collective metadata reads. Collective;
// a failure on any rank throws CollectiveError on all of them.
Hdf5Handle open_file_on_all_ranks(const std::string& path, const Communicator& comm);

}  // namespace rankme
