#include "rankme/io/hdf5_error.hpp"

namespace rankme {

SilenceHdf5Errors::SilenceHdf5Errors() {
  H5Eget_auto2(H5E_DEFAULT, &previous_function_, &previous_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

SilenceHdf5Errors::~SilenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, previous_function_, previous_data_); }

namespace {
herr_t keep_first_description(unsigned position, const H5E_error2_t* entry, void* reason_pointer) {
  auto* reason = static_cast<std::string*>(reason_pointer);
  if (position == 0 && entry != nullptr && entry->desc != nullptr) *reason = entry->desc;
  return 0;
}
}  // namespace

std::string hdf5_error_reason() {
  std::string reason;
  // Walking upward starts at the innermost function, where the error was first detected.
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_description, &reason);
  return reason;
}

}  // namespace rankme
