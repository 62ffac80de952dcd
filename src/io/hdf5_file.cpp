#include "rankme/io/hdf5_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_plugin_path.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

namespace {

// HDF5 says "unable to open file" for every kind of failure; the usual ones are named here first, so
// that the message tells the user what to fix.
void check_openable(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw std::runtime_error("no such file: '" + path + "'");
  if (std::filesystem::is_directory(status)) throw std::runtime_error("'" + path + "' is a directory, not an HDF5 file");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
}

// HDF5 (1.10 and later) locks a file while it is open: shared for readers, exclusive for a writer. Its own
// words, "unable to lock file, errno = 11", say neither who holds the lock nor what to do.
std::string explain_lock_failure(const std::string& path, const std::string& reason) {
  if (reason.find("errno = 11") != std::string::npos) {  // EAGAIN: another process holds the lock
    return "'" + path + "' is open for writing in another process (HDF5: " + reason +
           "). Wait for the writer to finish and close the file, then run again; or, if the writer is known to be done "
           "with it, or the file system's locking is broken (some network file systems keep stale locks), set "
           "HDF5_USE_FILE_LOCKING=FALSE";
  }
  return "cannot lock '" + path + "' (HDF5: " + reason +
         "): this file system may not support file locking; set HDF5_USE_FILE_LOCKING=FALSE to read it without";
}

Hdf5Handle open_with(const std::string& path, hid_t access_properties) {
  // Before any dataset of the file is described or read: their filters load from these directories.
  add_system_filter_plugin_directories();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, access_properties);
  if (file < 0) {
    std::string reason = hdf5_error_reason();
    if (reason.find("unable to lock file") != std::string::npos) throw std::runtime_error(explain_lock_failure(path, reason));
    if (reason.find("signature") != std::string::npos) reason = "not an HDF5 file (" + reason + ")";
    throw std::runtime_error("cannot open '" + path + "' as HDF5: " + (reason.empty() ? "unknown reason" : reason));
  }
  return Hdf5Handle(file, H5Fclose);
}

}  // namespace

Hdf5Handle open_file_alone(const std::string& path) {
  check_openable(path);
  return open_with(path, H5P_DEFAULT);
}

Hdf5Handle open_file_on_all_ranks(const std::string& path, const Communicator& comm) {
  Hdf5Handle access;
  // H5Fopen with MPI-IO is collective, and so is H5Pset_fapl_mpio (it duplicates the communicator): a
  // rank that skipped either after a failed check (a file not yet visible on its node, say) would leave
  // the others waiting inside it. So the local checks are agreed on first, then every rank enters both.
  run_stage(comm, [&] {
    check_openable(path);
    fault_point(FaultStage::open);
    access = Hdf5Handle(check_hdf5(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)"), H5Pclose);
  });
  run_stage(comm, [&] {
    check_hdf5(H5Pset_fapl_mpio(access.get(), comm.native(), MPI_INFO_NULL), "H5Pset_fapl_mpio");
    // One rank reads each metadata block and broadcasts it, instead of every rank hitting the file system.
    check_hdf5(H5Pset_all_coll_metadata_ops(access.get(), true), "H5Pset_all_coll_metadata_ops");
  });
  Hdf5Handle file;
  run_stage(comm, [&] { file = open_with(path, access.get()); });
  return file;
}

}  // namespace rankme
