// The params an HDF5 file's attributes give a dataset (hdf5_attribute_params.hpp): the root's, each group's
// on the way down and the dataset's own, nearer ones winning; names HDF5 conventions reserve left out; a
// group's attributes read once for all the datasets below it.
#include "rankme/pipeline/hdf5_attribute_params.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "support/hdf5_attributes.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

const testing::StoredType float64{testing::StoredType::Kind::floating, 8};

Params params_of(hid_t file, Hdf5AttributeParams& attributes, const std::string& path) {
  Hdf5Handle dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  EXPECT_TRUE(dataset.valid()) << path;
  return attributes.of(dataset.get(), path);
}

TEST(Hdf5AttributeParams, NearerObjectsWin) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("sweep.h5");
  testing::write_matrix(file, "/run_a/epoch_10/z", {1, 2, 3, 4}, 2, 2, float64);
  testing::write_matrix(file, "/run_a/epoch_20/z", {1, 2, 3, 4}, 2, 2, float64);
  testing::write_matrix(file, "/run_b/z", {1, 2, 3, 4}, 2, 2, float64);
  testing::write_number_attribute(file, "/", "lr", 0.1);
  testing::write_text_attribute(file, "/", "opt", "sgd");
  testing::write_number_attribute(file, "/", "seed", 0);
  testing::write_number_attribute(file, "/run_a", "lr", 0.01);
  testing::write_text_attribute(file, "/run_a", "opt", "adamw");
  testing::write_number_attribute(file, "/run_a/epoch_10", "epoch", 10);
  testing::write_number_attribute(file, "/run_a/epoch_20", "epoch", 20);
  testing::write_number_attribute(file, "/run_a/epoch_20/z", "opt", 3, H5T_STD_I32LE);
  const SilenceHdf5Errors silence;
  Hdf5Handle handle = open_file_alone(file);
  Hdf5AttributeParams attributes(handle.get());
  const Params a10 = params_of(handle.get(), attributes, "/run_a/epoch_10/z");
  EXPECT_EQ(a10, (Params{{"epoch", 10.0}, {"lr", 0.01}, {"opt", std::string("adamw")}, {"seed", 0.0}}));
  const Params a20 = params_of(handle.get(), attributes, "/run_a/epoch_20/z");
  EXPECT_EQ(a20, (Params{{"epoch", 20.0}, {"lr", 0.01}, {"opt", 3.0}, {"seed", 0.0}})) << "the dataset's own attribute wins";
  const Params b = params_of(handle.get(), attributes, "/run_b/z");
  EXPECT_EQ(b, (Params{{"lr", 0.1}, {"opt", std::string("sgd")}, {"seed", 0.0}})) << "the root's, none of run_a's";
}

TEST(Hdf5AttributeParams, ReservedNamesAreNotParams) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("conventions.h5");
  testing::write_matrix(file, "/z", {1, 2, 3, 4}, 2, 2, float64);
  // PyTables, the dimension-scale and image specifications, netCDF-4.
  testing::write_text_attribute(file, "/", "CLASS", "GROUP");
  testing::write_text_attribute(file, "/", "VERSION", "1.0");
  testing::write_text_attribute(file, "/", "TITLE", "");
  testing::write_text_attribute(file, "/", "PYTABLES_FORMAT_VERSION", "2.1");
  testing::write_text_attribute(file, "/", "_NCProperties", "version=2");
  testing::write_text_attribute(file, "/z", "NAME", "z");
  testing::write_number_attribute(file, "/z", "_Netcdf4Dimid", 0, H5T_STD_I32LE);
  testing::write_number_attribute(file, "/z", "wd", 0.05);
  const SilenceHdf5Errors silence;
  Hdf5Handle handle = open_file_alone(file);
  Hdf5AttributeParams attributes(handle.get());
  EXPECT_EQ(params_of(handle.get(), attributes, "/z"), (Params{{"wd", 0.05}}));
}

TEST(Hdf5AttributeParams, AGroupIsReadOnceForItsDatasets) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("cached.h5");
  testing::write_matrix(file, "/run/z1", {1, 2, 3, 4}, 2, 2, float64);
  testing::write_matrix(file, "/run/z2", {1, 2, 3, 4}, 2, 2, float64);
  testing::write_number_attribute(file, "/run", "lr", 0.5);
  const SilenceHdf5Errors silence;
  Hdf5Handle handle(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  ASSERT_TRUE(handle.valid());
  Hdf5AttributeParams attributes(handle.get());
  EXPECT_EQ(params_of(handle.get(), attributes, "/run/z1"), (Params{{"lr", 0.5}}));
  // The group's attribute changes behind the cache's back: the walk keeps what it read (one read per group).
  {
    Hdf5Handle group(H5Gopen2(handle.get(), "/run", H5P_DEFAULT), H5Gclose);
    ASSERT_TRUE(group.valid());
    ASSERT_GE(H5Adelete(group.get(), "lr"), 0);
  }
  EXPECT_EQ(params_of(handle.get(), attributes, "/run/z2"), (Params{{"lr", 0.5}}));
  Hdf5AttributeParams fresh(handle.get());
  EXPECT_TRUE(params_of(handle.get(), fresh, "/run/z2").empty());
}

}  // namespace
}  // namespace rankme
