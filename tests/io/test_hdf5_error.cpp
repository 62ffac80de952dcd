// HDF5 failures as one readable exception: check_hdf5 passes results through and throws "<what>: <reason>"
// with HDF5's innermost description; SilenceHdf5Errors mutes HDF5's own printing and restores it.
#include "rankme/io/hdf5_error.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <stdexcept>
#include <string>

#include "support/plain_files.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

TEST(CheckHdf5, ResultsThatAreNotNegativePassThrough) {
  EXPECT_EQ(check_hdf5(0, "zero"), 0);
  EXPECT_EQ(check_hdf5(hid_t{12345}, "an identifier"), hid_t{12345});
  EXPECT_EQ(check_hdf5(htri_t{1}, "true"), htri_t{1});
}

TEST(CheckHdf5, AFailedCallThrowsWhatFailedAndHdf5sReason) {
  testing::TemporaryDirectory directory("rankme-hdf5-error-");
  const std::string text = directory.file("notes.txt");
  testing::write_not_hdf5(text);
  const SilenceHdf5Errors silence;
  try {
    check_hdf5(H5Fopen(text.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening notes.txt");
    ADD_FAILURE() << "a text file opened as HDF5";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("opening notes.txt: ", 0), 0u) << message;
    EXPECT_NE(message.find("signature"), std::string::npos) << "HDF5's innermost reason: " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line, not the error stack: " << message;
  }
}

TEST(Hdf5ErrorReason, EmptyWhenNothingFailed) {
  H5Eclear2(H5E_DEFAULT);
  EXPECT_EQ(hdf5_error_reason(), "");
  const SilenceHdf5Errors silence;
  EXPECT_LT(H5Dopen2(H5I_INVALID_HID, "/x", H5P_DEFAULT), 0);
  EXPECT_NE(hdf5_error_reason(), "") << "right after a failed call";
}

TEST(SilenceHdf5Errors, MutesAutomaticPrintingAndRestoresWhatWasThere) {
  H5E_auto2_t before_function = nullptr;
  void* before_data = nullptr;
  ASSERT_GE(H5Eget_auto2(H5E_DEFAULT, &before_function, &before_data), 0);
  ASSERT_NE(before_function, nullptr) << "HDF5 prints errors by default";
  {
    const SilenceHdf5Errors silence;
    H5E_auto2_t during = before_function;
    void* during_data = nullptr;
    ASSERT_GE(H5Eget_auto2(H5E_DEFAULT, &during, &during_data), 0);
    EXPECT_EQ(during, nullptr);
  }
  H5E_auto2_t after_function = nullptr;
  void* after_data = nullptr;
  ASSERT_GE(H5Eget_auto2(H5E_DEFAULT, &after_function, &after_data), 0);
  EXPECT_EQ(after_function, before_function);
  EXPECT_EQ(after_data, before_data);
}

}  // namespace
}  // namespace rankme
