// --spectrum end to end: the binary at 2 ranks writes the singular values of every scored dataset to an
// HDF5 file, read back here with the HDF5 C API against an independent float64 SVD (LAPACK dgesdd);
// a second run into the same file replaces the spectra; scripts/plot_spectra.py draws the sweep.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"
#include "support/child_process.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;

const testing::StoredType float64{testing::StoredType::Kind::floating, 8, false};

std::string escaped(const std::string& file) {
  std::string name;
  for (const char c : file) name += c == '%' ? std::string("%25") : c == '/' ? std::string("%2F") : std::string(1, c);
  return name;
}

std::vector<double> read_spectrum(const std::string& path, const std::string& dataset_path) {
  const Hdf5Handle file(check_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path), H5Fclose);
  const Hdf5Handle dataset(check_hdf5(H5Dopen2(file.get(), dataset_path.c_str(), H5P_DEFAULT), "open " + dataset_path),
                           H5Dclose);
  const Hdf5Handle space(check_hdf5(H5Dget_space(dataset.get()), "space"), H5Sclose);
  hsize_t count = 0;
  H5Sget_simple_extent_dims(space.get(), &count, nullptr);
  std::vector<double> values(count);
  check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read");
  return values;
}

double read_attribute(const std::string& path, const std::string& dataset_path, const std::string& name) {
  const Hdf5Handle file(check_hdf5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path), H5Fclose);
  const Hdf5Handle attribute(
      check_hdf5(H5Aopen_by_name(file.get(), dataset_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), name), H5Aclose);
  double value = 0;
  check_hdf5(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), name);
  return value;
}

TEST(Spectrum, TwoRanksWriteTheReferenceSpectrumAndThePlotScriptDrawsIt) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-spectrum-");
  const std::string input = directory.file("sweep a=1,b.h5");  // spaces, '=' and ',' in the file name
  const std::uint64_t rows = 300, cols = 40;
  std::map<std::string, std::vector<double>> references;
  std::uint64_t seed = 11;
  for (const double decay : {0.25, 1.0, 2.0}) {
    std::vector<double> spectrum(cols);
    for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(static_cast<double>(k + 1), -decay);
    const std::string dataset = "/runs/lr=" + std::to_string(decay / 100) + "/emb";
    const auto stored = testing::write_matrix(input, dataset, testing::matrix_with_singular_values(rows, cols, spectrum, seed++),
                                              rows, cols, float64);
    references[dataset] = testing::reference_singular_values(stored, rows, cols);
  }
  const std::string spectra = directory.file("spectra.h5"), results = directory.file("results.jsonl");
  for (int run = 0; run < 2; ++run) {
    // The second run finds every dataset in the spectrum file already and replaces it.
    SCOPED_TRACE("run " + std::to_string(run));
    const testing::RunResult result = testing::run_command(
        testing::mpiexec_command(RANKME_MPIEXEC, 2, RANKME_BINARY,
                                 {"--format", "jsonl", "--quiet", "--output", results, "--spectrum", spectra, input}),
        60);
    ASSERT_EQ(result.exit_code, 0) << result;
    std::istringstream lines(result.out);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
      const json row = json::parse(line);
      EXPECT_FALSE(row.contains("singular_values")) << "the reports never carry the spectrum";
      ++count;
    }
    EXPECT_EQ(count, 3);
    for (const auto& [dataset, reference] : references) {
      SCOPED_TRACE(dataset);
      const std::string where = "/" + escaped(input) + dataset;
      const std::vector<double> values = read_spectrum(spectra, where);
      ASSERT_EQ(values.size(), cols);
      for (std::size_t k = 0; k + 1 < values.size(); ++k) EXPECT_GE(values[k], values[k + 1]);
      // The leading ones (the Gram route resolves s_k down to about 1e-7 s_1).
      for (std::size_t k = 0; k < values.size() && reference[k] > 1e-3 * reference[0]; ++k) {
        EXPECT_LE(testing::relative_difference(values[k], reference[k]), 1e-6) << "k = " << k;
      }
      EXPECT_LE(testing::relative_difference(read_attribute(spectra, where, "rankme"), testing::reference_rankme(reference)),
                1e-8);
      EXPECT_EQ(read_attribute(spectra, where, "rows"), static_cast<double>(rows));
      EXPECT_EQ(read_attribute(spectra, where, "cols"), static_cast<double>(cols));
      EXPECT_EQ(read_attribute(spectra, where, "centered"), 0.0);
    }
  }

  const std::string png = directory.file("spectra.png");
  const testing::RunResult plot = testing::run_command(
      {RANKME_PLOT_SCRIPT, spectra, results, "--param", "lr=([0-9.e+-]+)", "--out", png}, 120);
  ASSERT_EQ(plot.exit_code, 0) << plot;
  ASSERT_TRUE(std::filesystem::exists(png)) << plot;
  EXPECT_GT(std::filesystem::file_size(png), 1000u);
  EXPECT_EQ(testing::read_whole_file(png).substr(1, 3), "PNG");

  // A regular expression that matches nothing is a clear error, and no picture.
  const std::string none = directory.file("none.png");
  const testing::RunResult unmatched =
      testing::run_command({RANKME_PLOT_SCRIPT, spectra, results, "--param", "wd=([0-9.]+)", "--out", none}, 120);
  EXPECT_EQ(unmatched.exit_code, 2) << unmatched;
  EXPECT_NE(unmatched.err.find("matches none"), std::string::npos) << unmatched;
  EXPECT_FALSE(std::filesystem::exists(none));
}

TEST(Spectrum, AnUnwritableSpectrumFileFailsBeforeScoring) {
  testing::TemporaryDirectory directory("rankme-spectrum-");
  const std::string input = directory.file("in.h5");
  testing::write_matrix(input, "/emb", testing::matrix_with_singular_values(50, 4, {1, 1, 1, 1}, 3), 50, 4, float64);
  const std::string spectra = directory.file("no/such/dir/spectra.h5");
  const testing::RunResult result = testing::run_command(
      testing::mpiexec_command(RANKME_MPIEXEC, 2, RANKME_BINARY, {"--format", "jsonl", "--quiet", "--spectrum", spectra, input}),
      60);
  EXPECT_EQ(result.exit_code, 1) << result;
  EXPECT_NE(result.err.find(spectra), std::string::npos) << result;
  EXPECT_EQ(result.out, "") << "nothing scored";
}

}  // namespace
}  // namespace rankme
