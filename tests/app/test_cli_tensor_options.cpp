// The options work alike on every format: the same float64 matrix stored as HDF5, .npy (C and Fortran
// order), a deflated .npz member and safetensors gives the same number under --rows, --sample, --center,
// --method tsqr, rank groups and --spectrum, at 1-4 ranks, and --resume knows each result. The HDF5 score
// of the whole matrix is checked against dgesdd; the other formats against it.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <map>

#include "formats/zip_writer.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/rankme_launch.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;

constexpr std::uint64_t rows = 240, cols = 16;

// A version 1.0 .npy file of float64 values: the header dict padded with spaces to 64 bytes, as numpy does.
std::string npy_bytes(const std::vector<double>& row_major, bool fortran_order) {
  std::string dict = std::string("{'descr': '<f8', 'fortran_order': ") + (fortran_order ? "True" : "False") +
                     ", 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  bytes += dict;
  std::vector<double> stored(row_major.size());
  for (std::uint64_t i = 0; i < rows; ++i) {
    for (std::uint64_t j = 0; j < cols; ++j) {
      stored[fortran_order ? j * rows + i : i * cols + j] = row_major[i * cols + j];
    }
  }
  bytes.append(reinterpret_cast<const char*>(stored.data()), stored.size() * sizeof(double));
  return bytes;
}

class TensorOptions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new testing::TemporaryDirectory("rankme-tensor-options-");
    std::vector<double> spectrum(cols);
    for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(0.7, static_cast<double>(k));
    values = new std::vector<double>(testing::matrix_with_singular_values(rows, cols, spectrum, 21));
    // Shift the rows off the origin so that --center changes the number.
    for (std::uint64_t i = 0; i < rows; ++i) (*values)[i * cols] += 3.0;
    *values = testing::write_matrix(directory->file("emb.h5"), "/emb", *values, rows, cols,
                                    testing::StoredType{testing::StoredType::Kind::floating, 8, false});
    testing::write_bytes(directory->file("c_order.npy"), npy_bytes(*values, false));
    testing::write_bytes(directory->file("fortran.npy"), npy_bytes(*values, true));
    testing::write_bytes(directory->file("compressed.npz"),
                         testing::zip_archive_bytes({testing::ZipWriterMember("emb.npy", npy_bytes(*values, false), true)}));
    testing::write_safetensors(directory->file("emb.safetensors"),
                               {{"emb", "F64", {rows, cols}, testing::little_endian_bytes(*values), std::nullopt}});
  }
  static void TearDownTestSuite() {
    delete values;
    delete directory;
  }

  static std::vector<std::string> inputs() {
    return {directory->file("emb.h5") + ":/emb", directory->file("c_order.npy"), directory->file("fortran.npy"),
            directory->file("compressed.npz"), directory->file("emb.safetensors")};
  }

  // One run over every format; their RankMe by file name (the HDF5 one under "emb.h5").
  static std::map<std::string, double> scores(int ranks, std::vector<std::string> options) {
    std::vector<std::string> args = inputs();
    args.insert(args.end(), {"--format", "jsonl", "--quiet"});
    args.insert(args.end(), options.begin(), options.end());
    const testing::RunResult result = testing::run_rankme(ranks, args);
    EXPECT_EQ(result.exit_code, 0) << result;
    std::map<std::string, double> by_file;
    for (const json& row : testing::parse_jsonl(result)) {
      const std::string file = row.at("file").get<std::string>();
      EXPECT_EQ(row.at("status"), "ok") << row.dump();
      if (row.at("rankme").is_number()) by_file[file.substr(file.rfind('/') + 1)] = row.at("rankme").get<double>();
    }
    EXPECT_EQ(by_file.size(), 5u) << result;
    return by_file;
  }

  static void expect_all_formats_agree(const std::map<std::string, double>& by_file) {
    ASSERT_TRUE(by_file.count("emb.h5"));
    const double hdf5 = by_file.at("emb.h5");
    for (const auto& [file, rankme] : by_file) {
      EXPECT_NEAR(rankme, hdf5, 1e-11 * hdf5) << file << " disagrees with the same matrix in HDF5";
    }
  }

  static testing::TemporaryDirectory* directory;
  static std::vector<double>* values;
};

testing::TemporaryDirectory* TensorOptions::directory = nullptr;
std::vector<double>* TensorOptions::values = nullptr;

TEST_F(TensorOptions, EveryFormatScoresTheSameMatrixAsTheReference) {
  const double expected = testing::reference_rankme(testing::reference_singular_values(*values, rows, cols));
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const auto by_file = scores(ranks, {});
    expect_all_formats_agree(by_file);
    ASSERT_TRUE(by_file.count("emb.h5"));
    EXPECT_NEAR(by_file.at("emb.h5"), expected, 1e-10 * expected);
  }
}

TEST_F(TensorOptions, RowsSampleCenterTsqrAndRankGroupsAgreeAcrossFormats) {
  const std::vector<std::vector<std::string>> option_sets = {
      {"--rows", "100"}, {"--sample", "90"}, {"--center"}, {"--method", "tsqr"}, {"--group-size", "1"}};
  std::map<std::string, double> at_one_rank;
  for (const auto& options : option_sets) {
    std::string label;
    for (const std::string& word : options) label += word + " ";
    for (int ranks : {1, 3, 4}) {
      SCOPED_TRACE(label + "at " + std::to_string(ranks) + " ranks");
      const auto by_file = scores(ranks, options);
      expect_all_formats_agree(by_file);
      // Rows, samples and routes do not depend on the number of ranks beyond rounding.
      if (ranks == 1) at_one_rank = by_file;
      for (const auto& [file, rankme] : by_file) EXPECT_NEAR(rankme, at_one_rank[file], 1e-10 * rankme) << file;
    }
  }
  // The options change the number (or the test would not see them ignored).
  const double whole = scores(2, {}).at("emb.h5");
  EXPECT_GT(std::fabs(scores(2, {"--rows", "100"}).at("c_order.npy") - whole), 1e-6);
  EXPECT_GT(std::fabs(scores(2, {"--center"}).at("emb.safetensors") - whole), 1e-3);
}

TEST_F(TensorOptions, SpectraOfEveryFormatAreWrittenAndEqual) {
  const std::string spectra = directory->file("spectra.h5");
  std::vector<std::string> args = inputs();
  args.insert(args.end(), {"--spectrum", spectra, "--quiet"});
  const testing::RunResult result = testing::run_rankme(2, args);
  ASSERT_EQ(result.exit_code, 0) << result;
  const Hdf5Handle file(check_hdf5(H5Fopen(spectra.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + spectra), H5Fclose);
  std::vector<std::vector<double>> all;
  const auto group = [&](const std::string& name) {
    std::string escaped;
    for (char c : directory->file(name)) escaped += c == '/' ? std::string("%2F") : std::string(1, c);
    return "/" + escaped;
  };
  for (const std::string& path : {group("emb.h5") + "/emb", group("c_order.npy"), group("fortran.npy"),
                                  group("compressed.npz") + "/emb", group("emb.safetensors") + "/emb"}) {
    SCOPED_TRACE(path);
    const Hdf5Handle dataset(check_hdf5(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose);
    std::vector<double> singular_values(cols);
    check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, singular_values.data()), "read");
    all.push_back(singular_values);
  }
  for (std::size_t k = 0; k < cols; ++k) {
    for (const auto& spectrum : all) EXPECT_NEAR(spectrum[k], all[0][k], 1e-10 * all[0][0]) << "value " << k;
  }
}

TEST_F(TensorOptions, ResumeKnowsEachFormatsResults) {
  const std::string output = directory->file("results.jsonl");
  std::vector<std::string> args = inputs();
  args.insert(args.end(), {"--output", output, "--resume", "--quiet"});
  ASSERT_EQ(testing::run_rankme(3, args).exit_code, 0);
  const testing::RunResult again = testing::run_rankme(3, args);
  ASSERT_EQ(again.exit_code, 0) << again;
  const testing::JsonlFile parsed = testing::parse_jsonl_file(output);
  EXPECT_EQ(parsed.rows.size(), 5u) << "a resumed run scores nothing twice";
  for (const json& row : parsed.rows) EXPECT_EQ(row.at("status"), "ok") << row.dump();
}

}  // namespace
}  // namespace rankme
