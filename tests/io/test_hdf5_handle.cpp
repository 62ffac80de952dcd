// Hdf5Handle owns one HDF5 identifier: closed when the handle goes, handed over (not closed) by a move, and
// the old identifier closed when a handle is assigned another.
#include "rankme/io/hdf5_handle.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <utility>

namespace rankme {
namespace {

hid_t new_dataspace() {
  const hsize_t dims[2] = {3, 2};
  return H5Screate_simple(2, dims, nullptr);
}

bool is_open(hid_t id) { return H5Iis_valid(id) > 0; }

TEST(Hdf5Handle, DefaultIsInvalidAndClosesNothing) {
  const Hdf5Handle none;
  EXPECT_FALSE(none.valid());
  EXPECT_LT(none.get(), 0);
}

TEST(Hdf5Handle, ClosesItsIdentifierWhenDestroyed) {
  hid_t id = H5I_INVALID_HID;
  {
    const Hdf5Handle space(new_dataspace(), H5Sclose);
    id = space.get();
    ASSERT_TRUE(space.valid());
    EXPECT_TRUE(is_open(id));
  }
  EXPECT_FALSE(is_open(id));
}

TEST(Hdf5Handle, MovingHandsTheIdentifierOverWithoutClosingIt) {
  Hdf5Handle first(new_dataspace(), H5Sclose);
  const hid_t id = first.get();
  Hdf5Handle second(std::move(first));
  EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): moved-from is documented as empty
  EXPECT_EQ(second.get(), id);
  EXPECT_TRUE(is_open(id));
  Hdf5Handle third;
  third = std::move(second);
  EXPECT_EQ(third.get(), id);
  EXPECT_TRUE(is_open(id));
}

TEST(Hdf5Handle, AssigningAnotherClosesTheOldIdentifier) {
  Hdf5Handle handle(new_dataspace(), H5Sclose);
  const hid_t old_id = handle.get();
  Hdf5Handle other(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose);
  const hid_t new_id = other.get();
  handle = std::move(other);
  EXPECT_FALSE(is_open(old_id));
  EXPECT_TRUE(is_open(new_id));
  EXPECT_EQ(handle.get(), new_id);
}

TEST(Hdf5Handle, AFailedCallsNegativeIdentifierIsNeverClosed) {
  const Hdf5Handle failed(H5I_INVALID_HID, H5Sclose);
  EXPECT_FALSE(failed.valid());
}

}  // namespace
}  // namespace rankme
