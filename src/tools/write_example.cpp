// rankme-example: writes a small synthetic hyperparameter sweep to HDF5 (with the HDF5 C API), the
// built-in example that README's first command scores. Each run's embeddings are a Gaussian matrix with
// column scales s_k (so its singular values are close to sqrt(N) s_k): from a slowly decaying spectrum
// (a healthy run, high RankMe) to a collapsed one and a diverged one (NaN).
#include <hdf5.h>

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"

namespace {

using rankme::check_hdf5;
using rankme::Hdf5Handle;

struct Run {
  std::string path;
  double decay_power;    // s_k = k^-decay_power
  std::uint64_t rank;    // columns beyond this get scale 0 (a collapsed run)
  bool diverged;         // one NaN, as a diverged training run leaves
};

std::vector<float> embeddings(const Run& run, std::uint64_t rows, std::uint64_t cols, std::mt19937_64& generator) {
  std::normal_distribution<float> normal;
  std::vector<float> values(rows * cols);
  for (std::uint64_t i = 0; i < rows; ++i) {
    for (std::uint64_t k = 0; k < cols; ++k) {
      const double scale = k < run.rank ? std::pow(static_cast<double>(k + 1), -run.decay_power) : 0.0;
      values[i * cols + k] = static_cast<float>(scale) * normal(generator);
    }
  }
  if (run.diverged) values[rows * cols / 2] = std::numeric_limits<float>::quiet_NaN();
  return values;
}

void write_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& dims, const void* data) {
  Hdf5Handle links(check_hdf5(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"), H5Pclose);
  check_hdf5(H5Pset_create_intermediate_group(links.get(), 1), "H5Pset_create_intermediate_group");
  Hdf5Handle space(check_hdf5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"),
                   H5Sclose);
  Hdf5Handle dataset(check_hdf5(H5Dcreate2(file, path.c_str(), type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                                "creating " + path),
                     H5Dclose);
  check_hdf5(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes rankme's built-in example: a synthetic sweep of embedding matrices in one HDF5 file."};
  std::string output = "example/sweep.h5";
  std::uint64_t rows = 4096, cols = 256;
  app.add_option("output", output, "HDF5 file to write (replaced if it exists)")->capture_default_str();
  app.add_option("--rows", rows, "Samples per run")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--cols", cols, "Embedding dimension")->check(CLI::Range(8, 100000))->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::vector<Run> runs = {
      {"/sweep/lr=0.0001/embeddings", 0.25, cols, false}, {"/sweep/lr=0.0003/embeddings", 0.5, cols, false},
      {"/sweep/lr=0.001/embeddings", 1.0, cols, false},   {"/sweep/lr=0.003/embeddings", 2.0, cols, false},
      {"/sweep/lr=0.01/embeddings", 0.5, 8, false},       {"/sweep/lr=0.03/embeddings", 0.5, cols, true},
  };
  try {
    const rankme::SilenceHdf5Errors silence;
    Hdf5Handle file(check_hdf5(H5Fcreate(output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "creating " + output),
                    H5Fclose);
    std::mt19937_64 generator(2023);
    for (const Run& run : runs) {
      const auto values = embeddings(run, rows, cols, generator);
      write_dataset(file.get(), run.path, H5T_NATIVE_FLOAT, {rows, cols}, values.data());
    }
    // Labels beside the embeddings, as real dumps have: 1-D, so a whole-file scan skips them.
    std::vector<std::int32_t> labels(rows);
    for (std::uint64_t i = 0; i < rows; ++i) labels[i] = static_cast<std::int32_t>(i % 10);
    write_dataset(file.get(), "/labels", H5T_NATIVE_INT32, {rows}, labels.data());
  } catch (const std::exception& error) {
    std::cerr << "rankme-example: " << error.what() << std::endl;
    return 1;
  }
  std::cout << "wrote " << runs.size() << " runs of " << rows << " x " << cols << " float32 embeddings to " << output
            << std::endl;
  return 0;
}
