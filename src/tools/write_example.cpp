// rankme-example: writes a small synthetic hyperparameter sweep to HDF5 (with the HDF5 C API), the
// built-in example that README's commands score, rank per run and report on. It has what real sweeps have:
// - hyperparameters in group names (`/runs/lr=0.001_wd=0.05`) and in attributes (`method` on each run's
//   group, `batch_size` on the file root, overridden by one run's group);
// - several checkpoints per run (`epoch_10` ... `epoch_80`);
// - view groups: every object is seen in `views` augmented views, its rows adjacent, and `/object_ids`
//   says which object each row shows (what `--lidar --groups /object_ids` needs);
// - runs that learn (their spectrum flattens and their views agree more with every epoch), one that
//   collapses, and one that diverges (NaN from epoch 40), next to 1-D labels that a scan skips.
// Each object's embedding is a Gaussian vector with column scales s_k = k^-p, and each view adds Gaussian
// noise of scale `view_noise` times the same scales: a smaller p gives a flatter spectrum (higher RankMe),
// smaller view noise sharper object clusters (higher LiDAR).
#include <hdf5.h>

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
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

// One training run of the sweep: how its embeddings evolve from the first checkpoint to the last.
struct Run {
  std::string name;          // the run's group under /runs, which spells its learning rate and weight decay
  std::string method;        // an attribute of the run's group
  double first_power, last_power;  // the spectrum's decay k^-p at the first and the last checkpoint
  double first_noise, last_noise;  // the views' noise, relative to the objects' spread
  std::uint64_t last_rank;   // columns that still carry signal at the last checkpoint (a collapsing run)
  int diverges_at_epoch;     // from this epoch on the run is NaN (0: never)
  int batch_size;            // written on the run's group only when it differs from the root's (0)
};

const std::vector<int> epochs = {10, 20, 40, 80};

// The shape of a run at a checkpoint, by linear interpolation over log2(epoch).
struct Checkpoint {
  double power, noise;
  std::uint64_t rank;
  bool diverged;
};

Checkpoint checkpoint(const Run& run, int epoch, std::uint64_t cols) {
  const double progress = std::log2(epoch / static_cast<double>(epochs.front())) /
                          std::log2(epochs.back() / static_cast<double>(epochs.front()));
  const auto between = [&](double first, double last) { return first + (last - first) * progress; };
  const double rank = std::exp(between(std::log(static_cast<double>(cols)), std::log(static_cast<double>(run.last_rank))));
  return {between(run.first_power, run.last_power), between(run.first_noise, run.last_noise),
          static_cast<std::uint64_t>(std::lround(rank)), run.diverges_at_epoch > 0 && epoch >= run.diverges_at_epoch};
}

std::vector<float> embeddings(const Checkpoint& at, std::uint64_t objects, std::uint64_t views, std::uint64_t cols,
                              std::mt19937_64& generator) {
  std::normal_distribution<double> normal;
  std::vector<double> scales(cols);
  for (std::uint64_t k = 0; k < cols; ++k) scales[k] = k < at.rank ? std::pow(static_cast<double>(k + 1), -at.power) : 0.0;
  std::vector<float> values(objects * views * cols);
  std::vector<double> object(cols);
  for (std::uint64_t i = 0; i < objects; ++i) {
    for (std::uint64_t k = 0; k < cols; ++k) object[k] = scales[k] * normal(generator);
    for (std::uint64_t j = 0; j < views; ++j) {
      float* row = values.data() + (i * views + j) * cols;
      for (std::uint64_t k = 0; k < cols; ++k) row[k] = static_cast<float>(object[k] + at.noise * scales[k] * normal(generator));
    }
  }
  if (at.diverged) values[values.size() / 2] = std::numeric_limits<float>::quiet_NaN();
  return values;
}

Hdf5Handle link_creation_with_groups() {
  Hdf5Handle links(check_hdf5(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"), H5Pclose);
  check_hdf5(H5Pset_create_intermediate_group(links.get(), 1), "H5Pset_create_intermediate_group");
  return links;
}

void write_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& dims, const void* data) {
  const Hdf5Handle links = link_creation_with_groups();
  Hdf5Handle space(check_hdf5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"),
                   H5Sclose);
  Hdf5Handle dataset(check_hdf5(H5Dcreate2(file, path.c_str(), type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                                "creating " + path),
                     H5Dclose);
  check_hdf5(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + path);
}

void write_attribute(hid_t object, const std::string& name, hid_t type, const void* value) {
  Hdf5Handle space(check_hdf5(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Hdf5Handle attribute(check_hdf5(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                  "creating attribute " + name),
                       H5Aclose);
  check_hdf5(H5Awrite(attribute.get(), type, value), "writing attribute " + name);
}

void write_text_attribute(hid_t object, const std::string& name, const std::string& text) {
  Hdf5Handle type(check_hdf5(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check_hdf5(H5Tset_size(type.get(), text.size()), "H5Tset_size");
  write_attribute(object, name, type.get(), text.c_str());
}

void write_run_attributes(hid_t file, const Run& run) {
  const std::string path = "/runs/" + run.name;
  Hdf5Handle group(check_hdf5(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "opening " + path), H5Gclose);
  write_text_attribute(group.get(), "method", run.method);
  if (run.batch_size > 0) write_attribute(group.get(), "batch_size", H5T_NATIVE_INT, &run.batch_size);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes rankme's built-in example: a synthetic sweep of 6 runs x 4 checkpoints in one HDF5 file."};
  std::string output = "example/sweep.h5";
  std::uint64_t rows = 2048, cols = 128, views = 4;
  app.add_option("output", output, "HDF5 file to write (replaced if it exists)")->capture_default_str();
  app.add_option("--rows", rows, "Rows per checkpoint (objects x views)")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--cols", cols, "Embedding dimension")->check(CLI::Range(8, 100000))->capture_default_str();
  app.add_option("--views", views, "Views per object (rows must be a multiple)")->check(CLI::Range(1, 64))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (rows % views != 0) {
    std::cerr << "rankme-example: --rows " << rows << " is not a multiple of --views " << views << std::endl;
    return 2;
  }
  const std::uint64_t objects = rows / views;

  const std::vector<Run> runs = {
      {"lr=0.0003_wd=0.05", "simclr", 1.5, 0.6, 1.0, 0.30, cols, 0, 0},
      {"lr=0.001_wd=0.05", "simclr", 1.5, 0.3, 1.0, 0.20, cols, 0, 0},
      {"lr=0.003_wd=0.05", "simclr", 1.5, 0.4, 1.0, 0.50, 20, 0, 512},  // peaks, then narrows
      {"lr=0.001_wd=0.0005", "vicreg", 1.5, 0.5, 1.0, 0.25, cols, 0, 0},
      {"lr=0.01_wd=0.0005", "vicreg", 1.0, 1.0, 1.0, 0.60, 6, 0, 0},  // collapses to a few directions
      {"lr=0.03_wd=0.0005", "vicreg", 1.5, 0.8, 1.0, 0.40, cols, 40, 0},  // diverges
  };
  try {
    const rankme::SilenceHdf5Errors silence;
    Hdf5Handle file(check_hdf5(H5Fcreate(output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "creating " + output),
                    H5Fclose);
    std::mt19937_64 generator(2023);
    for (const Run& run : runs) {
      for (const int epoch : epochs) {
        const auto values = embeddings(checkpoint(run, epoch, cols), objects, views, cols, generator);
        const std::string path = "/runs/" + run.name + "/epoch_" + std::to_string(epoch) + "/embeddings";
        write_dataset(file.get(), path, H5T_NATIVE_FLOAT, {rows, cols}, values.data());
      }
      write_run_attributes(file.get(), run);
    }
    const int batch_size = 256;
    write_attribute(file.get(), "batch_size", H5T_NATIVE_INT, &batch_size);
    // Which object each row shows (rows of one object are adjacent), and class labels as real dumps have:
    // both 1-D, so a whole-file scan skips them.
    std::vector<std::int32_t> object_ids(rows), labels(rows);
    for (std::uint64_t row = 0; row < rows; ++row) {
      object_ids[row] = static_cast<std::int32_t>(row / views);
      labels[row] = static_cast<std::int32_t>((row / views) % 10);
    }
    write_dataset(file.get(), "/object_ids", H5T_NATIVE_INT32, {rows}, object_ids.data());
    write_dataset(file.get(), "/labels", H5T_NATIVE_INT32, {rows}, labels.data());
  } catch (const std::exception& error) {
    std::cerr << "rankme-example: " << error.what() << std::endl;
    return 1;
  }
  std::cout << "wrote " << runs.size() << " runs x " << epochs.size() << " checkpoints of " << rows << " x " << cols
            << " float32 embeddings (" << objects << " objects x " << views << " views) to " << output << std::endl;
  return 0;
}
