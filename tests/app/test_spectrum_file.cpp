// --spectrum's HDF5 file: paths mirror the inputs (file name escaped), values and attributes read back with
// the HDF5 C API, appending across opens, replacing a dataset written before, and failures naming the file.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "rankme/app/report.hpp"
#include "rankme/app/spectrum_file.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"
#include "support/result_samples.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

DatasetResult scored(const std::string& file, const std::string& dataset, double rankme) {
  return testing::scored_with_metrics(file, dataset, rankme);
}

Hdf5Handle open_read_only(const std::string& path) {
  return Hdf5Handle(check_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path), H5Fclose);
}

std::vector<double> read_values(hid_t file, const std::string& path) {
  const Hdf5Handle dataset(check_hdf5(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose);
  const Hdf5Handle space(check_hdf5(H5Dget_space(dataset.get()), "space"), H5Sclose);
  hsize_t count = 0;
  EXPECT_EQ(H5Sget_simple_extent_ndims(space.get()), 1);
  H5Sget_simple_extent_dims(space.get(), &count, nullptr);
  std::vector<double> values(count);
  if (count > 0) check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read");
  return values;
}

double read_double(hid_t file, const std::string& path, const std::string& name) {
  const Hdf5Handle attribute(check_hdf5(H5Aopen_by_name(file, path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                                        "open attribute " + name),
                             H5Aclose);
  double value = 0;
  check_hdf5(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), "read attribute " + name);
  return value;
}

std::string read_string(hid_t file, const std::string& path, const std::string& name) {
  const Hdf5Handle attribute(check_hdf5(H5Aopen_by_name(file, path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                                        "open attribute " + name),
                             H5Aclose);
  const Hdf5Handle type(check_hdf5(H5Aget_type(attribute.get()), "type"), H5Tclose);
  EXPECT_TRUE(H5Tis_variable_str(type.get()) > 0);
  char* text = nullptr;
  check_hdf5(H5Aread(attribute.get(), type.get(), &text), "read attribute " + name);
  std::string value(text);
  H5free_memory(text);
  return value;
}

int attribute_count(hid_t file, const std::string& path) {
  H5O_info_t info;
  check_hdf5(H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT), "info");
  return static_cast<int>(info.num_attrs);
}

TEST(SpectrumFile, GroupNamesEscapeSlashAndPercent) {
  EXPECT_EQ(spectrum_group_name("sweep.h5"), "sweep.h5");
  EXPECT_EQ(spectrum_group_name("runs/a b=1,2.h5"), "runs%2Fa b=1,2.h5");
  EXPECT_EQ(spectrum_group_name("/abs/100%.h5"), "%2Fabs%2F100%25.h5");
  EXPECT_EQ(spectrum_group_name("x%2F.h5"), "x%252F.h5");  // not confused with an escaped '/'
  EXPECT_EQ(spectrum_path("dir/sweep.h5", "/runs/lr=0.1/emb"), "/dir%2Fsweep.h5/runs/lr=0.1/emb");
  // The one array of a bare .npy is named "/": its spectrum is the file's own entry.
  EXPECT_EQ(spectrum_path("dumps/emb_rank0.npy", "/"), "/dumps%2Femb_rank0.npy");
}

TEST(SpectrumFile, WritesAppendsReplacesAndReadsBack) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-spectrum-");
  const std::string path = directory.file("spectra.h5");
  const std::string input_a = "runs/sweep one.h5", input_b = "other.h5";
  const DatasetResult a = scored(input_a, "/runs/lr=0.1,wd=0/emb", 2.5);
  const DatasetResult b = scored(input_a, "/runs/lr=0.01,wd=0/emb", 2.75);
  DatasetResult c = scored(input_b, "/emb", 1.25);
  const DatasetResult d = scored("feats.npy", "/", 3.5);
  c.solver = "tsqr";  // scored by the accurate route
  c.metrics.clear();
  {
    SpectrumFile file = SpectrumFile::open(path);
    file.write(a, {3.0, 2.0, 1.0}, 1e-7, false);
    file.write(b, {4.0, 1.0, 0.5}, 1e-7, false);
    file.write(d, {2.0, 1.5}, 1e-7, false);
  }
  {
    // Reopened: appends beside what is there, and replaces a dataset written before (a resumed re-score).
    SpectrumFile file = SpectrumFile::open(path);
    file.write(c, {9.0, 0.0}, 0.5, true);
    DatasetResult again = a;
    again.rankme = 2.25;
    file.write(again, {5.0, 4.0, 3.0, 2.0}, 1e-6, true);
  }
  const Hdf5Handle file = open_read_only(path);
  const std::string path_a = "/runs%2Fsweep one.h5/runs/lr=0.1,wd=0/emb";
  const std::string path_b = "/runs%2Fsweep one.h5/runs/lr=0.01,wd=0/emb";
  const std::string path_c = "/other.h5/emb";
  EXPECT_EQ(spectrum_path(a.file, a.dataset), path_a);
  EXPECT_EQ(read_values(file.get(), path_a), (std::vector<double>{5.0, 4.0, 3.0, 2.0}));
  EXPECT_EQ(read_values(file.get(), path_b), (std::vector<double>{4.0, 1.0, 0.5}));
  EXPECT_EQ(read_values(file.get(), path_c), (std::vector<double>{9.0, 0.0}));
  EXPECT_EQ(read_values(file.get(), "/feats.npy"), (std::vector<double>{2.0, 1.5}));

  EXPECT_EQ(read_double(file.get(), path_a, "rankme"), 2.25);  // the replacement's attributes
  EXPECT_EQ(read_double(file.get(), path_a, "eps"), 1e-6);
  EXPECT_EQ(read_double(file.get(), path_a, "centered"), 1.0);
  EXPECT_EQ(read_double(file.get(), path_b, "rankme"), 2.75);
  EXPECT_EQ(read_double(file.get(), path_b, "stable_rank"), 1.5);
  EXPECT_TRUE(std::isinf(read_double(file.get(), path_b, "condition_number")));
  EXPECT_TRUE(std::isnan(read_double(file.get(), path_b, "alpha_req")));
  EXPECT_EQ(read_double(file.get(), path_b, "rows"), 1000.0);
  EXPECT_EQ(read_double(file.get(), path_b, "cols"), 3.0);
  EXPECT_EQ(read_double(file.get(), path_b, "eps"), 1e-7);
  EXPECT_EQ(read_double(file.get(), path_b, "centered"), 0.0);
  EXPECT_EQ(read_string(file.get(), path_b, "method"), "gram");
  EXPECT_EQ(read_string(file.get(), path_b, "status"), "ok");
  EXPECT_EQ(read_double(file.get(), path_b, "rows_used"), static_cast<double>(b.rows_used));
  // rankme, 3 metrics, rows, rows_used, cols, method, eps, centered, status
  EXPECT_EQ(attribute_count(file.get(), path_b), 11);
  EXPECT_EQ(attribute_count(file.get(), path_c), 8);  // no metrics beside RankMe
  EXPECT_EQ(read_double(file.get(), path_c, "rankme"), 1.25);
  EXPECT_EQ(read_string(file.get(), path_c, "method"), "tsqr");
  // The input file's name is one group, not a chain of groups.
  EXPECT_GT(H5Lexists(file.get(), "/runs%2Fsweep one.h5", H5P_DEFAULT), 0);
  EXPECT_EQ(H5Lexists(file.get(), "/runs", H5P_DEFAULT), 0);
}

TEST(SpectrumFile, FailuresNameTheFile) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-spectrum-");
  const std::string missing_dir = directory.file("no/such/dir/spectra.h5");
  try {
    SpectrumFile::open(missing_dir);
    FAIL() << "opened " << missing_dir;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(missing_dir), std::string::npos) << error.what();
  }
  const std::string not_hdf5 = directory.file("text.h5");
  std::ofstream(not_hdf5) << "not HDF5\n";
  try {
    SpectrumFile::open(not_hdf5);
    FAIL() << "opened " << not_hdf5;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(not_hdf5), std::string::npos) << error.what();
  }
  const std::string path = directory.file("spectra.h5");
  SpectrumFile file = SpectrumFile::open(path);
  try {
    file.write(scored("a.h5", "", 1.0), {1.0}, 1e-7, false);
    FAIL() << "wrote a result without a dataset path";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace rankme
