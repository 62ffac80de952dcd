#pragma once
// The params an HDF5 file's attributes give its datasets (io/hdf5_scalar_attributes.hpp reads them): those of
// the root group, then of each group on the dataset's path, then of the dataset itself, nearer objects
// replacing farther ones (a run's learning rate on the root, an epoch on its checkpoint's group). Attributes
// that HDF5 conventions reserve are not hyperparameters and are left out: CLASS, VERSION, TITLE, NAME and
// PYTABLES_FORMAT_VERSION (the HDF5 image, table and dimension-scale specifications, PyTables), and names
// starting with '_' (netCDF-4's _NCProperties, _Netcdf4Dimid, ...).
#include <hdf5.h>

#include <map>
#include <string>

#include "rankme/pipeline/run_params.hpp"

namespace rankme {

// One file's walk: each group's attributes are read once however many datasets lie below it (a sweep file
// of thousands of checkpoints under a few run groups). Not thread-safe; lives as long as the file is open.
class Hdf5AttributeParams {
 public:
  explicit Hdf5AttributeParams(hid_t file) : file_(file) {}

  // The params of the dataset `dataset` (open), listed at `path` (absolute: its groups are the components
  // before the last). A group that cannot be opened gives none.
  Params of(hid_t dataset, const std::string& path);

 private:
  const Params& of_group(const std::string& group_path);

  hid_t file_;
  std::map<std::string, Params> groups_;  // by absolute path, "/" for the root
};

}  // namespace rankme
