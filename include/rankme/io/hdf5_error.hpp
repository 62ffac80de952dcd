#pragma once
// HDF5 failures as exceptions with one readable line, instead of HDF5's own error-stack dump.
#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace rankme {

// Mutes HDF5's automatic error printing for its lifetime (rankme prints one clear message instead).
class SilenceHdf5Errors {
 public:
  SilenceHdf5Errors();
  ~SilenceHdf5Errors();
  SilenceHdf5Errors(const SilenceHdf5Errors&) = delete;
  SilenceHdf5Errors& operator=(const SilenceHdf5Errors&) = delete;

 private:
  H5E_auto2_t previous_function_ = nullptr;
  void* previous_data_ = nullptr;
};

// The most specific description on HDF5's current error stack (e.g. "unable to find a valid file
// signature"), or an empty string. Call right after the failing HDF5 call.
std::string hdf5_error_reason();

// Throws std::runtime_error("<what>: <HDF5's reason>") when `result` is negative; returns it otherwise.
template <typename Result>
Result check_hdf5(Result result, const std::string& what) {
  if (result < 0) {
    const std::string reason = hdf5_error_reason();
    throw std::runtime_error(reason.empty() ? what : what + ": " + reason);
  }
  return result;
}

}  // namespace rankme
