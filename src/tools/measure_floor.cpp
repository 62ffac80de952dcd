// rankme-floor: the least work any Gram-route RankMe must do on one process, timed on data already in
// memory, as the floor that scripts/bench compares rankme's end-to-end time with.
//
//   rankme-floor FILE DATASET --precision double|mixed --block-rows B [--repeats R]
//
// Untimed: the whole dataset is read into memory as float32 with plain serial HDF5 (one process,
// default file access properties). Timed, per repeat: for each block of B rows,
//   double: widen the block to double (reported as "convert", not part of the floor), then
//           cblas_dsyrk into the double K x K Gram (lower triangle);
//   mixed:  cblas_ssyrk into a float K x K scratch (beta 0), then add its lower triangle into the double
//           Gram ("accumulate", reported beside the floor);
// then rankme's own eigensolver on the Gram matrix. Prints one JSON line of medians over the repeats:
// {"products", "accumulate", "convert", "eigensolve", "floor" (products + eigensolve),
//  "floor_with_accumulate", "gflops" (N K^2 / products), "rankme", "blas", ...}. OPENBLAS_NUM_THREADS sets the
// BLAS threads. The BLAS kernel guard runs first, as in rankme, so that the floor and rankme use the same
// kernel (`blas` says which, as in rankme's results).
#include <cblas.h>
#include <hdf5.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"
#include "rankme/lapack/blas_int.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/parallel/blas_kernel_guard.hpp"
#include "rankme/parallel/mpi_session.hpp"
#include "rankme/sweep/dataset_result_json.hpp"

namespace {

using rankme::check_hdf5;
using rankme::Hdf5Handle;
using Clock = std::chrono::steady_clock;

struct Matrix {
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  std::vector<float> values;  // row-major rows x cols
};

// The whole 2-D dataset, converted to float32 by HDF5 if stored otherwise.
Matrix read_float_matrix(const std::string& file_name, const std::string& dataset_name) {
  rankme::SilenceHdf5Errors silence;
  Hdf5Handle file(check_hdf5(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + file_name),
                  H5Fclose);
  Hdf5Handle dataset(check_hdf5(H5Dopen2(file.get(), dataset_name.c_str(), H5P_DEFAULT), "opening " + dataset_name),
                     H5Dclose);
  Hdf5Handle space(check_hdf5(H5Dget_space(dataset.get()), "H5Dget_space"), H5Sclose);
  if (H5Sget_simple_extent_ndims(space.get()) != 2) throw std::runtime_error(dataset_name + " is not 2-D");
  hsize_t dims[2] = {0, 0};
  check_hdf5(H5Sget_simple_extent_dims(space.get(), dims, nullptr), "H5Sget_simple_extent_dims");
  Matrix matrix{dims[0], dims[1], {}};
  if (matrix.rows == 0 || matrix.cols == 0) throw std::runtime_error(dataset_name + " is empty");
  matrix.values.resize(static_cast<std::size_t>(matrix.rows * matrix.cols));
  check_hdf5(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, matrix.values.data()),
             "reading " + dataset_name);
  return matrix;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

struct RepeatTimes {
  double products = 0, accumulate = 0, convert = 0, eigensolve = 0;
  double rankme = 0;
  std::string solver;
};

// One timed pass over all blocks, then the eigensolve. The Gram's lower triangle is filled by syrk; it is
// mirrored into the upper one (untimed) so that the result does not depend on the triangle the
// eigensolver reads.
RepeatTimes run_once(const Matrix& z, bool mixed, std::uint64_t block_rows) {
  const std::uint64_t k = z.cols;
  const rankme::blas_int n = rankme::to_blas_int(k, "columns");
  RepeatTimes times;
  std::vector<double> gram(static_cast<std::size_t>(k * k), 0.0);
  std::vector<double> widened;
  std::vector<float> scratch;
  if (mixed) {
    scratch.resize(static_cast<std::size_t>(k * k));
  } else {
    widened.resize(static_cast<std::size_t>(std::min(block_rows, z.rows) * k));
  }
  for (std::uint64_t first = 0; first < z.rows; first += block_rows) {
    const std::uint64_t rows = std::min(block_rows, z.rows - first);
    const rankme::blas_int depth = rankme::to_blas_int(rows, "block rows");
    const float* block = z.values.data() + first * k;
    if (mixed) {
      auto start = Clock::now();
      cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, n, depth, 1.0f, block, n, 0.0f, scratch.data(), n);
      times.products += seconds_since(start);
      start = Clock::now();
      for (std::uint64_t col = 0; col < k; ++col) {
        const float* source = scratch.data() + col * k;
        double* target = gram.data() + col * k;
        for (std::uint64_t row = col; row < k; ++row) target[row] += static_cast<double>(source[row]);
      }
      times.accumulate += seconds_since(start);
    } else {
      auto start = Clock::now();
      std::copy(block, block + rows * k, widened.begin());
      times.convert += seconds_since(start);
      start = Clock::now();
      cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, depth, 1.0, widened.data(), n, 1.0, gram.data(), n);
      times.products += seconds_since(start);
    }
  }
  for (std::uint64_t col = 0; col < k; ++col) {
    for (std::uint64_t row = col + 1; row < k; ++row) gram[row * k + col] = gram[col * k + row];
  }
  const auto start = Clock::now();
  rankme::Eigenvalues eigenvalues =
      rankme::symmetric_eigenvalues(rankme::Communicator::world(), gram, k, rankme::SolverChoice::automatic);
  times.eigensolve = seconds_since(start);
  times.solver = eigenvalues.solver;
  times.rankme = rankme::rankme_from_singular_values(
      rankme::singular_values_from_gram_eigenvalues(std::move(eigenvalues.values), z.rows, z.cols));
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  const rankme::GuardedKernel blas = rankme::guard_blas_kernel(argv);
  rankme::MpiSession mpi(argc, argv);
  for (const std::string& warning : blas.warnings) std::cerr << "rankme-floor: warning: " << warning << std::endl;
  CLI::App app{"rankme-floor: times only the block products and the eigensolve of the Gram route on data "
               "already in memory (the floor scripts/bench compares rankme with)."};
  std::string file_name, dataset_name, precision = "double";
  std::uint64_t block_rows = 0;
  int repeats = 3;
  app.add_option("file", file_name, "HDF5 file")->required();
  app.add_option("dataset", dataset_name, "2-D dataset path in it")->required();
  app.add_option("--precision", precision, "double (dsyrk on widened blocks) or mixed (ssyrk, summed in double)")
      ->check(CLI::IsMember({"double", "mixed"}))
      ->capture_default_str();
  app.add_option("--block-rows", block_rows, "Rows per block (default: 32 MiB of the product's element type)")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "Timed repeats (medians are printed)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const bool mixed = precision == "mixed";
    const Matrix z = read_float_matrix(file_name, dataset_name);
    if (block_rows == 0) {
      const std::uint64_t element = mixed ? sizeof(float) : sizeof(double);
      block_rows = std::max<std::uint64_t>(1, (std::uint64_t{32} << 20) / (element * z.cols));
    }
    std::vector<double> products, accumulate, convert, eigensolve, floor, floor_with_accumulate;
    RepeatTimes last;
    for (int repeat = 0; repeat < repeats; ++repeat) {
      last = run_once(z, mixed, block_rows);
      products.push_back(last.products);
      accumulate.push_back(last.accumulate);
      convert.push_back(last.convert);
      eigensolve.push_back(last.eigensolve);
      floor.push_back(last.products + last.eigensolve);
      floor_with_accumulate.push_back(last.products + last.accumulate + last.eigensolve);
    }
    const double median_products = median(products);
    const double flops = static_cast<double>(z.rows) * static_cast<double>(z.cols) * static_cast<double>(z.cols);
    nlohmann::json line = {
        {"precision", precision},
        {"rows", z.rows},
        {"cols", z.cols},
        {"block_rows", block_rows},
        {"repeats", repeats},
        {"blas_threads", openblas_get_num_threads()},
        {"solver", last.solver},
        {"products", median_products},
        {"accumulate", median(accumulate)},
        {"convert", median(convert)},
        {"eigensolve", median(eigensolve)},
        {"floor", median(floor)},
        {"floor_with_accumulate", median(floor_with_accumulate)},
        {"gflops", median_products > 0 ? flops / median_products / 1e9 : 0.0},
        {"rankme", last.rankme},
        {"floor_all", floor},
        {"blas", rankme::blas_kernel_to_json(blas.report)},
    };
    std::cout << line.dump() << std::endl;
  } catch (const std::exception& error) {
    std::cerr << "rankme-floor: error: " << error.what() << std::endl;
    return 1;
  }
  return 0;
}
