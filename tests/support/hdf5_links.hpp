// HDF5 links: soft, external and extra hard links, created in `file` (created if missing), with
// intermediate groups as needed. Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <string>

namespace rankme::testing {

// Soft link at link_path pointing to target_path (which need not exist: dangling links are
// allowed).
void make_soft_link(const std::string& file, const std::string& link_path,
                    const std::string& target_path);
// External link at link_path pointing to target_path inside target_file (neither need exist).
void make_external_link(const std::string& file, const std::string& link_path,
                        const std::string& target_file, const std::string& target_path);
// A second hard link at link_path to the existing object target_path (h5py's f[link] = f[target]).
void make_hard_link(const std::string& file, const std::string& link_path, const std::string& target_path);

}  // namespace rankme::testing
