// Hostile and odd inputs, end to end through the rankme binary at 1 and 3 ranks (2 and 4 where cheap):
// degenerate shapes, magnitudes whose squares overflow or underflow (float32 near FLT_MAX, float64 near
// DBL_MAX, denormals, columns spanning 60 decades), huge and odd chunks, soft, hard and external links
// (dangling ones and cycles), colons in file and dataset names, never fully written datasets, all-zero
// and non-finite data. Every number is compared with an independent float64 reference: LAPACK dgesdd of
// the values as stored, multiplied by an exact power of two (RankMe is scale invariant, and the scaled
// values are exact), in --precision double, the default auto, and mixed where it is meant to hold.
#include <hdf5.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/lapack_reference.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::Layout;
using testing::RunResult;
using testing::StoredType;
using testing::TemporaryDirectory;

constexpr double run_timeout_seconds = 120;

const StoredType f32{StoredType::Kind::floating, 4};
const StoredType f64{StoredType::Kind::floating, 8};
const StoredType f32be{StoredType::Kind::floating, 4, true};
const StoredType f64be{StoredType::Kind::floating, 8, true};

// ------------------------------------------------------------------------------------------------
// Running the binary and reading its JSON lines

RunResult run_rankme(int ranks, const std::vector<std::string>& args) {
  RunResult result =
      testing::run_command(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args), run_timeout_seconds);
  EXPECT_FALSE(result.hung) << "hung: no exit within " << run_timeout_seconds << " s" << result;
  EXPECT_EQ(result.signal, 0) << result;
  for (const char* sign : {"Abort", "ABORT", "Segmentation", "internal error", "terminate called"}) {
    EXPECT_EQ(result.err.find(sign), std::string::npos) << "stderr mentions '" << sign << "'" << result;
  }
  return result;
}

std::vector<json> parse_jsonl(const RunResult& result) {
  std::vector<json> rows;
  std::size_t begin = 0;
  while (begin < result.out.size()) {
    std::size_t end = result.out.find('\n', begin);
    if (end == std::string::npos) end = result.out.size();
    const std::string line = result.out.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    try {
      rows.push_back(json::parse(line));
    } catch (const json::exception& error) {
      ADD_FAILURE() << "not a JSON line: '" << line << "': " << error.what() << result;
    }
  }
  return rows;
}

// Every row for `dataset` (of `file` when given).
std::vector<json> rows_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file = "") {
  std::vector<json> found;
  for (const json& row : rows) {
    if (row.value("dataset", "") == dataset && (file.empty() || row.value("file", "") == file)) found.push_back(row);
  }
  return found;
}

// The one row for `dataset`, or null after a failure.
json row_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file = "") {
  const std::vector<json> found = rows_for(rows, dataset, file);
  EXPECT_EQ(found.size(), 1u) << "rows for '" << dataset << "' in '" << file << "'";
  return found.size() == 1 ? found.front() : json();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ------------------------------------------------------------------------------------------------
// References

// RankMe of the stored values times the power of two that brings the largest to [0.5, 1): exact scaling,
// so dgesdd sees neither overflow nor denormals.
double exact_reference_rankme(const std::vector<double>& stored, std::uint64_t rows, std::uint64_t cols) {
  double largest = 0;
  for (double value : stored) largest = std::max(largest, std::abs(value));
  int exponent = 0;
  std::frexp(largest, &exponent);
  std::vector<double> scaled(stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) scaled[i] = std::ldexp(stored[i], -exponent);
  return testing::reference_rankme(testing::reference_singular_values(scaled, rows, cols));
}

// A rows x cols matrix with singular values 1 .. 1e-2 (well conditioned: the Gram route resolves all of
// them), every value then multiplied by `column_scale[col]` (or 1).
std::vector<double> base_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  const std::uint64_t m = std::min(rows, cols);
  std::vector<double> s(static_cast<std::size_t>(m));
  for (std::uint64_t k = 0; k < m; ++k) s[k] = std::pow(1e-2, m > 1 ? static_cast<double>(k) / static_cast<double>(m - 1) : 0.0);
  return testing::matrix_with_singular_values(rows, cols, s, seed);
}

// Expects an "ok" row whose RankMe is within `tolerance` (relative) of `reference`.
void expect_rankme(const json& row, double reference, double tolerance, const std::string& what) {
  ASSERT_TRUE(row.is_object()) << what;
  ASSERT_EQ(row.value("status", ""), "ok") << what << ": " << row.dump();
  ASSERT_TRUE(row["rankme"].is_number()) << what << ": " << row.dump();
  const double value = row["rankme"].get<double>();
  EXPECT_LE(testing::relative_difference(value, reference), tolerance)
      << what << ": rankme " << value << ", reference " << reference << " (" << row.dump() << ")";
}

// ------------------------------------------------------------------------------------------------
// Magnitudes: overflow, underflow, denormals, mixtures

struct MagnitudeCase {
  std::string path;
  StoredType type;
  std::vector<double> values;  // as stored
  std::uint64_t rows, cols;
  double gram_tolerance;       // the Gram route's resolution on this spectrum (1e-12 when well conditioned)
  double reference = 0;
};

class HostileMagnitudes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = std::make_unique<TemporaryDirectory>("rankme-hostile-magnitudes-");
    file_ = directory_->file("magnitudes.h5");
    const std::uint64_t rows = 120, cols = 12;
    const std::vector<double> base = base_matrix(rows, cols, 11);
    double largest = 0;
    for (double value : base) largest = std::max(largest, std::abs(value));
    const auto scaled = [&](double to) {
      std::vector<double> values(base.size());
      for (std::size_t i = 0; i < base.size(); ++i) values[i] = base[i] / largest * to;
      return values;
    };
    // Each column c of 12 scaled by 10^(lo + c (hi - lo) / 11).
    const auto spanning = [&](double lo, double hi) {
      std::vector<double> values(base.size());
      for (std::uint64_t row = 0; row < rows; ++row) {
        for (std::uint64_t col = 0; col < cols; ++col) {
          values[row * cols + col] = base[row * cols + col] / largest * std::pow(10.0, lo + (hi - lo) * static_cast<double>(col) / (static_cast<double>(cols) - 1.0));
        }
      }
      return values;
    };
    // Rows scaled from 10^lo (first row) to 10^hi (last): every rank and block at another power of two.
    const auto row_ramp = [&](double lo, double hi) {
      std::vector<double> values(base.size());
      for (std::uint64_t row = 0; row < rows; ++row) {
        for (std::uint64_t col = 0; col < cols; ++col) {
          values[row * cols + col] = base[row * cols + col] / largest * std::pow(10.0, lo + (hi - lo) * static_cast<double>(row) / (static_cast<double>(rows) - 1.0));
        }
      }
      return values;
    };
    // Unit rows, and the last one (the last rank's, the last block's) near the type's largest value.
    const auto huge_last_row = [&](double to) {
      std::vector<double> values = scaled(1.0);
      for (std::uint64_t col = 0; col < cols; ++col) values[(rows - 1) * cols + col] *= to;
      return values;
    };
    const double well = 1e-12;
    const double wide = 1e-6;  // singular values below 1e-7 s_1: the Gram route's documented resolution
    std::vector<MagnitudeCase> cases = {
        {"/f32/1e30", f32, scaled(1e30), rows, cols, well},
        {"/f32/flt_max", f32, scaled(FLT_MAX), rows, cols, well},
        {"/f32/denormal_1e-40", f32, scaled(1e-40), rows, cols, 1e-9},
        {"/f32/denormal_1e-44", f32, scaled(1e-44), rows, cols, 1e-9},
        {"/f32/columns_1e-30_1e30", f32, spanning(-30, 30), rows, cols, wide},
        {"/f32/rows_1e-30_1e30", f32, row_ramp(-30, 30), rows, cols, wide},
        {"/f32/last_row_flt_max", f32, huge_last_row(FLT_MAX), rows, cols, well},
        {"/f32be/1e30", f32be, scaled(1e30), rows, cols, well},
        {"/f64/1e300", f64, scaled(1e300), rows, cols, well},
        {"/f64/dbl_max", f64, scaled(DBL_MAX), rows, cols, well},
        {"/f64/denormal_1e-310", f64, scaled(1e-310), rows, cols, 1e-9},
        {"/f64/denormal_5e-322", f64, scaled(5e-322), rows, cols, 1e-9},
        {"/f64/columns_1e-300_1e300", f64, spanning(-300, 300), rows, cols, wide},
        {"/f64/rows_1e-300_1e300", f64, row_ramp(-300, 300), rows, cols, wide},
        {"/f64/last_row_dbl_max", f64, huge_last_row(DBL_MAX / 4), rows, cols, well},
        {"/f64be/dbl_max", f64be, scaled(DBL_MAX), rows, cols, well},
    };
    for (MagnitudeCase& c : cases) {
      c.values = testing::write_matrix(file_, c.path, c.values, c.rows, c.cols, c.type);
      c.reference = exact_reference_rankme(c.values, c.rows, c.cols);
      ASSERT_TRUE(std::isfinite(c.reference)) << c.path;
    }
    cases_ = new std::vector<MagnitudeCase>(std::move(cases));
  }
  static void TearDownTestSuite() {
    delete cases_;
    cases_ = nullptr;
    directory_.reset();
  }

  // One launch scoring every case in one group of all ranks, 16 rows per block.
  static std::vector<json> score(int ranks, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks),
                                     "--block-rows", "16"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file_);
    const RunResult result = run_rankme(ranks, args);
    EXPECT_EQ(result.exit_code, 0) << result;
    return parse_jsonl(result);
  }

  static std::unique_ptr<TemporaryDirectory> directory_;
  static std::string file_;
  static std::vector<MagnitudeCase>* cases_;
};
std::unique_ptr<TemporaryDirectory> HostileMagnitudes::directory_;
std::string HostileMagnitudes::file_;
std::vector<MagnitudeCase>* HostileMagnitudes::cases_ = nullptr;

TEST_F(HostileMagnitudes, DoublePrecisionMatchesTheExactlyScaledReferenceAtOneToFourRanks) {
  for (int ranks : {1, 2, 3, 4}) {
    const std::vector<json> rows = score(ranks, {"--precision", "double"});
    for (const MagnitudeCase& c : *cases_) {
      const json row = row_for(rows, c.path);
      expect_rankme(row, c.reference, c.gram_tolerance, c.path + " double at " + std::to_string(ranks) + " ranks");
      if (row.is_object()) {
        EXPECT_EQ(row.value("precision", ""), "double") << row.dump();
      }
    }
  }
}

TEST_F(HostileMagnitudes, AutoIsWithinItsPromiseAndFallsBackWhenABlockWasScaled) {
  for (int ranks : {1, 3}) {
    const std::vector<json> rows = score(ranks, {});
    for (const MagnitudeCase& c : *cases_) {
      const json row = row_for(rows, c.path);
      expect_rankme(row, c.reference, std::max(c.gram_tolerance, 1e-6), c.path + " auto at " + std::to_string(ranks) + " ranks");
    }
    // One huge row among unit ones: the probe of rank 0's first (ordinary) block says nothing about the
    // scaled block's float32 rounding (mixed alone is 1.6e-3 off here), so auto must score it in double.
    for (const std::string path : {"/f32/last_row_flt_max", "/f64/last_row_dbl_max"}) {
      const json row = row_for(rows, path);
      ASSERT_TRUE(row.is_object());
      EXPECT_EQ(row.value("precision", ""), "double") << row.dump();
      EXPECT_EQ(row.value("precision_fallback", false), true) << row.dump();
      EXPECT_TRUE(row["mixed_error_estimate"].is_null()) << row.dump();
    }
  }
}

TEST_F(HostileMagnitudes, MixedNeverOverflowsOrUnderflowsOnSpreadSpectra) {
  // Mixed is only promised on well-spread spectra; the ramps, spans and the one huge row are collapsed
  // ones (its documented weakness), so only the uniformly scaled cases are held to 1e-6.
  for (int ranks : {1, 3}) {
    const std::vector<json> rows = score(ranks, {"--precision", "mixed"});
    for (const MagnitudeCase& c : *cases_) {
      const json row = row_for(rows, c.path);
      if (c.gram_tolerance == 1e-12 && !contains(c.path, "last_row")) {
        expect_rankme(row, c.reference, 1e-6, c.path + " mixed at " + std::to_string(ranks) + " ranks");
      } else {
        // Still a finite number, never an overflowed or NaN one.
        ASSERT_TRUE(row.is_object());
        EXPECT_EQ(row.value("status", ""), "ok") << row.dump();
        EXPECT_TRUE(row["rankme"].is_number()) << row.dump();
      }
    }
  }
}

TEST_F(HostileMagnitudes, TsqrScalesDenormalsAndValuesNearTheLargestDouble) {
  // Before the fix: dgesdd failed (info -4) on R overflowed by DBL_MAX data, and denormals gave wrong
  // numbers (3.06 for 3.13, 4.0 for 1.25).
  for (int ranks : {1, 3}) {
    const std::vector<json> rows = score(ranks, {"--method", "tsqr"});
    for (const MagnitudeCase& c : *cases_) {
      const json row = row_for(rows, c.path);
      expect_rankme(row, c.reference, c.gram_tolerance == 1e-6 ? 1e-12 : c.gram_tolerance,
                    c.path + " tsqr at " + std::to_string(ranks) + " ranks");
    }
  }
}

TEST_F(HostileMagnitudes, CentringScalesBeforeItSubtractsTheMean) {
  // The mean of DBL_MAX-sized values would overflow if summed unscaled.
  std::vector<std::string> picked = {"/f64/dbl_max", "/f32/flt_max", "/f64/denormal_1e-310"};
  for (const std::string method : {"gram", "tsqr"}) {
    std::vector<std::string> args = {"--quiet", "--format", "jsonl", "--group-size", "3", "--block-rows", "16",
                                     "--center", "--method", method};
    for (const std::string& path : picked) args.push_back(file_ + ":" + path);
    const std::vector<json> rows = parse_jsonl(run_rankme(3, args));
    for (const MagnitudeCase& c : *cases_) {
      if (std::find(picked.begin(), picked.end(), c.path) == picked.end()) continue;
      std::vector<double> centred = c.values;
      for (std::uint64_t col = 0; col < c.cols; ++col) {
        double largest = 0;
        for (double value : c.values) largest = std::max(largest, std::abs(value));
        int exponent = 0;
        std::frexp(largest, &exponent);
        double mean = 0;
        for (std::uint64_t row = 0; row < c.rows; ++row) mean += std::ldexp(c.values[row * c.cols + col], -exponent);
        mean /= static_cast<double>(c.rows);
        for (std::uint64_t row = 0; row < c.rows; ++row) {
          centred[row * c.cols + col] = std::ldexp(c.values[row * c.cols + col], -exponent) - mean;
        }
      }
      const double reference =
          testing::reference_rankme(testing::reference_singular_values(centred, c.rows, c.cols));
      expect_rankme(row_for(rows, c.path), reference, 1e-9, c.path + " --center --method " + method);
    }
  }
}

// The 1-D float64 dataset at `path` of `file` (empty after a failure).
std::vector<double> read_vector(const std::string& file, const std::string& path) {
  std::vector<double> values;
  const hid_t handle = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (handle < 0) return values;
  const hid_t dataset = H5Dopen2(handle, path.c_str(), H5P_DEFAULT);
  if (dataset >= 0) {
    const hid_t space = H5Dget_space(dataset);
    const hssize_t count = H5Sget_simple_extent_npoints(space);
    values.resize(static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
    if (H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) values.clear();
    H5Sclose(space);
    H5Dclose(dataset);
  }
  H5Fclose(handle);
  return values;
}

TEST_F(HostileMagnitudes, TheSpectrumFileHoldsTheDatasOwnSingularValuesNotTheScaledOnes) {
  // Before the fix the spectrum of 1e300-sized data was stored as 7.67, 4.65, ... (scaled by 2^-996).
  std::string group;  // the input file name as --spectrum escapes it
  for (char c : file_) group += c == '%' ? std::string("%25") : c == '/' ? std::string("%2F") : std::string(1, c);
  for (const std::string method : {"gram", "tsqr"}) {
    for (int ranks : {1, 3}) {
      const std::string spectrum = directory_->file("spectrum-" + method + "-" + std::to_string(ranks) + ".h5");
      const std::vector<std::string> picked = {"/f64/1e300", "/f64/denormal_1e-310", "/f32/flt_max"};
      std::vector<std::string> args = {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks),
                                       "--method", method, "--precision", "double", "--spectrum", spectrum};
      for (const std::string& path : picked) args.push_back(file_ + ":" + path);
      const RunResult result = run_rankme(ranks, args);
      EXPECT_EQ(result.exit_code, 0) << result;
      for (const MagnitudeCase& c : *cases_) {
        if (std::find(picked.begin(), picked.end(), c.path) == picked.end()) continue;
        const std::vector<double> reference = testing::reference_singular_values(c.values, c.rows, c.cols);
        const std::vector<double> stored = read_vector(spectrum, "/" + group + c.path);
        ASSERT_EQ(stored.size(), reference.size()) << c.path << " " << method << result;
        for (std::size_t k : {std::size_t{0}, reference.size() - 1}) {
          EXPECT_LE(testing::relative_difference(stored[k], reference[k]), 1e-9)
              << c.path << " " << method << " at " << ranks << ": s_" << k + 1 << " " << stored[k] << " vs " << reference[k];
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Degenerate shapes

TEST(HostileShapes, TinyMatricesMatchTheReferenceInEveryPrecision) {
  TemporaryDirectory directory("rankme-hostile-shapes-");
  const std::string file = directory.file("shapes.h5");
  struct Shape {
    std::string path;
    std::uint64_t rows, cols;
    double reference = 0;
  };
  std::vector<Shape> shapes = {{"/1x1", 1, 1}, {"/1x7", 1, 7}, {"/9x1", 9, 1}, {"/2x2", 2, 2}, {"/3x2", 3, 2}};
  for (Shape& shape : shapes) {
    const std::vector<double> stored =
        testing::write_matrix(file, shape.path, base_matrix(shape.rows, shape.cols, 5), shape.rows, shape.cols, f64);
    shape.reference = exact_reference_rankme(stored, shape.rows, shape.cols);
  }
  testing::write_array_of_rank(file, "/zero_rows", {0, 4});
  testing::write_array_of_rank(file, "/zero_cols", {4, 0});
  for (int ranks : {1, 3}) {
    for (const std::string precision : {"double", "auto", "mixed"}) {
      const RunResult result = run_rankme(
          ranks, {"--quiet", "--verbose", "--format", "jsonl", "--group-size", std::to_string(ranks), "--precision",
                  precision, file});
      EXPECT_EQ(result.exit_code, 0) << result;  // the empty ones are skipped with a note in a scan (--verbose: each)
      const std::vector<json> rows = parse_jsonl(result);
      for (const Shape& shape : shapes) {
        // Mixed rounds float64 to float32 first (a 1e-7 relative change of the values, which moves RankMe by
        // 2.7e-6 on the 2 x 2 of condition 100): its documented price, not what is tested here.
        expect_rankme(row_for(rows, shape.path), shape.reference, precision == "mixed" ? 1e-5 : 1e-12,
                      shape.path + " " + precision + " at " + std::to_string(ranks) + " ranks");
      }
      EXPECT_TRUE(rows_for(rows, "/zero_rows").empty());
      EXPECT_TRUE(contains(result.err, "'/zero_rows'") && contains(result.err, "no rows")) << result;
      EXPECT_TRUE(contains(result.err, "'/zero_cols'") && contains(result.err, "no columns")) << result;
    }
    // Named explicitly, an empty dataset is an error naming it and the reason; the others are still scored.
    const RunResult named = run_rankme(ranks, {"--quiet", "--format", "jsonl", file + ":/zero_rows",
                                               file + ":/zero_cols", file + ":/2x2"});
    EXPECT_EQ(named.exit_code, 1) << named;
    const std::vector<json> rows = parse_jsonl(named);
    const json zero_rows = row_for(rows, "/zero_rows"), zero_cols = row_for(rows, "/zero_cols");
    EXPECT_EQ(zero_rows.value("status", ""), "error");
    EXPECT_TRUE(contains(zero_rows.value("error", ""), "0x4: no rows")) << zero_rows.dump();
    EXPECT_EQ(zero_cols.value("status", ""), "error");
    EXPECT_TRUE(contains(zero_cols.value("error", ""), "4x0: no columns")) << zero_cols.dump();
    expect_rankme(row_for(rows, "/2x2"), shapes[3].reference, 1e-6, "/2x2 beside the empty ones");
  }
}

// ------------------------------------------------------------------------------------------------
// Chunks: one chunk for the whole dataset, one-row chunks, chunks taller than a block, chunks that do not
// divide N

TEST(HostileChunks, HugeOneRowAndOddChunksScoreCorrectlyInBoundedTime) {
  TemporaryDirectory directory("rankme-hostile-chunks-");
  const std::string file = directory.file("chunks.h5");
  const std::uint64_t rows = 50000, cols = 64;
  const std::vector<double> values = base_matrix(rows, cols, 23);
  struct ChunkCase {
    std::string path;
    Layout layout;
    std::uint64_t rows;
    double reference = 0;
  };
  std::vector<ChunkCase> cases = {
      {"/whole_gzip", {Layout::Kind::chunked, rows, cols, true, true}, rows},
      {"/whole_plain", {Layout::Kind::chunked, rows, cols}, rows},
      {"/one_row_chunks", {Layout::Kind::chunked, 1, cols, true}, 4000},
      {"/odd_7919_gzip", {Layout::Kind::chunked, 7919, cols, true}, rows},
      {"/tall_column_chunks", {Layout::Kind::chunked, rows, 8, true}, rows},
  };
  for (ChunkCase& c : cases) {
    const std::vector<double> part(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(c.rows * cols));
    const std::vector<double> stored = testing::write_matrix(file, c.path, part, c.rows, cols, f32, c.layout);
    c.reference = exact_reference_rankme(stored, c.rows, cols);
  }
  for (int ranks : {1, 3}) {
    for (const std::string precision : {"double", "auto"}) {
      for (const ChunkCase& c : cases) {
        const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", "--timings", "--precision",
                                                    precision, file + ":" + c.path});
        EXPECT_EQ(result.exit_code, 0) << result;
        const std::vector<json> rows_out = parse_jsonl(result);
        const json row = row_for(rows_out, c.path);
        const std::string what = c.path + " " + precision + " at " + std::to_string(ranks) + " ranks";
        expect_rankme(row, c.reference, precision == "double" ? 1e-12 : 1e-6, what);
        // Whole chunk rows per block: each chunk decompressed once per rank, not once per block.
        if (ranks == 1 && precision == "double" && row.is_object()) {
          EXPECT_EQ(row["timings"].value("block_rows", 0u) % c.layout.chunk_rows, 0u) << what << row.dump();
          EXPECT_GE(row["timings"].value("block_rows", 0u), std::min(c.rows, c.layout.chunk_rows)) << what;
        }
        // Measured here: 0.4-1.1 s each on a loaded 2-core machine; quadratic re-decompression took 11 s.
        EXPECT_LT(result.seconds, 30) << what << result;
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Links

class HostileLinks : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::make_unique<TemporaryDirectory>("rankme-hostile-links-");
    links_ = directory_->file("links.h5");
    target_ = directory_->file("target.h5");
    const std::vector<double> a = testing::write_matrix(links_, "/a/emb", base_matrix(30, 5, 1), 30, 5, f64);
    const std::vector<double> t = testing::write_matrix(target_, "/emb", base_matrix(40, 6, 2), 40, 6, f64);
    a_reference_ = exact_reference_rankme(a, 30, 5);
    target_reference_ = exact_reference_rankme(t, 40, 6);
    testing::make_hard_link(links_, "/hard", "/a/emb");
    testing::make_soft_link(links_, "/soft", "/a/emb");
    testing::make_soft_link(links_, "/softgroup", "/a");
    // Relative to the directory of the file that holds the link, as HDF5 resolves it.
    testing::make_external_link(links_, "/ext", "target.h5", "/emb");
    testing::make_soft_link(links_, "/dangling", "/nowhere");
    testing::make_external_link(links_, "/dangling_ext", "missing.h5", "/emb");
    testing::make_soft_link(links_, "/cycle/x", "/cycle/y");
    testing::make_soft_link(links_, "/cycle/y", "/cycle/x");
    testing::make_soft_link(links_, "/loop", "/loop");
  }
  std::unique_ptr<TemporaryDirectory> directory_;
  std::string links_, target_;
  double a_reference_ = 0, target_reference_ = 0;
};

TEST_F(HostileLinks, AWholeFileScanScoresEachDatasetOnceAndExplainsTheLinksItSkips) {
  for (int ranks : {1, 3}) {
    const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", links_});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), 1u) << "/a/emb, /hard and /soft are one dataset" << result;
    EXPECT_EQ(rows[0].value("dataset", ""), "/a/emb");
    expect_rankme(rows[0], a_reference_, 1e-6, "scan");
    EXPECT_TRUE(contains(result.err, "rankme: note: skipped external link '/ext'") &&
                contains(result.err, "'target.h5:/emb'") && contains(result.err, links_ + ":/ext"))
        << result;
    EXPECT_TRUE(contains(result.err, "skipped soft link '/dangling'") && contains(result.err, "'/nowhere'")) << result;
    EXPECT_TRUE(contains(result.err, "skipped soft link '/loop'") && contains(result.err, "a cycle of soft links"))
        << result;
    EXPECT_TRUE(contains(result.err, "skipped soft link '/cycle/x'")) << result;
  }
}

TEST_F(HostileLinks, ExplicitPathsThroughSoftHardAndExternalLinksAreScored) {
  for (int ranks : {1, 3}) {
    for (const std::string precision : {"double", "auto"}) {
      const double tolerance = precision == "double" ? 1e-12 : 1e-6;
      const RunResult result =
          run_rankme(ranks, {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks), "--precision",
                             precision, links_ + ":/soft", links_ + ":/softgroup/emb", links_ + ":/ext"});
      EXPECT_EQ(result.exit_code, 0) << result;
      const std::vector<json> rows = parse_jsonl(result);
      // Every name given explicitly is scored, as asked (the same dataset twice here).
      EXPECT_EQ(rows.size(), 3u) << result;
      expect_rankme(row_for(rows, "/soft"), a_reference_, tolerance, "soft link");
      expect_rankme(row_for(rows, "/softgroup/emb"), a_reference_, tolerance, "through a soft link to a group");
      expect_rankme(row_for(rows, "/ext"), target_reference_, tolerance, "external link");
    }
  }
}

TEST_F(HostileLinks, ADatasetReachedThroughAnExternalLinkAndItsOwnFileIsScoredOnce) {
  for (int ranks : {1, 3}) {
    // Scans of the target file under two spellings and of the linking file, and explicit names: the
    // explicit names win, and the scans add nothing.
    const std::string target_again = directory_->path().string() + "/./target.h5";
    RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", links_ + ":/ext", target_, target_again,
                                          links_, links_ + ":/hard"});
    EXPECT_EQ(result.exit_code, 0) << result;
    std::vector<json> rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), 2u) << result;
    expect_rankme(row_for(rows, "/ext", links_), target_reference_, 1e-6, "external link");
    expect_rankme(row_for(rows, "/hard", links_), a_reference_, 1e-6, "hard link");
    EXPECT_TRUE(contains(result.err, "'/emb' in '" + target_ + "' is the same dataset as '/ext' in '" + links_ + "'"))
        << result;
    EXPECT_TRUE(contains(result.err, "'/a/emb' in '" + links_ + "' is the same dataset as '/hard'")) << result;
    // Scans only: the entry in the file that holds the dataset (not through a link), then the first name.
    result = run_rankme(ranks, {"--quiet", "--format", "jsonl", target_again, target_});
    rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), 1u) << result;
    EXPECT_EQ(rows[0].value("file", ""), target_again);
    expect_rankme(rows[0], target_reference_, 1e-6, "one of two spellings");
  }
}

TEST_F(HostileLinks, DanglingLinksAndCyclesAreClearErrorsAndTheOthersAreScored) {
  for (int ranks : {1, 3}) {
    const RunResult result =
        run_rankme(ranks, {"--quiet", "--format", "jsonl", links_ + ":/dangling", links_ + ":/dangling_ext",
                           links_ + ":/loop", links_ + ":/cycle/x", links_ + ":/a/emb"});
    EXPECT_EQ(result.exit_code, 1) << result;
    const std::vector<json> rows = parse_jsonl(result);
    const auto error_of = [&](const std::string& path) { return row_for(rows, path).value("error", std::string()); };
    EXPECT_TRUE(contains(error_of("/dangling"), "dangling soft link to '/nowhere'")) << error_of("/dangling");
    EXPECT_TRUE(contains(error_of("/dangling_ext"), "external link to 'missing.h5:/emb' cannot be followed"))
        << error_of("/dangling_ext");
    EXPECT_TRUE(contains(error_of("/loop"), "a cycle of soft links")) << error_of("/loop");
    EXPECT_TRUE(contains(error_of("/cycle/x"), "soft link to '/cycle/y'")) << error_of("/cycle/x");
    expect_rankme(row_for(rows, "/a/emb"), a_reference_, 1e-6, "beside the broken links");
  }
}

TEST_F(HostileLinks, APatternFindsASoftLinkToADatasetNoHardLinkMatched) {
  for (int ranks : {1, 3}) {
    const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", links_ + ":/s*"});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), 1u) << "/soft; /softgroup is a group" << result;
    expect_rankme(row_for(rows, "/soft"), a_reference_, 1e-6, "pattern through a soft link");
  }
}

// ------------------------------------------------------------------------------------------------
// Colons in file names and dataset paths

TEST(HostileNames, ColonsInTheFileNameAndTheDatasetPath) {
  TemporaryDirectory directory("rankme-hostile-colons-");
  const std::string file = directory.file("lr:0.1.h5");
  const std::vector<double> stored = testing::write_matrix(file, "/run:3/emb", base_matrix(20, 4, 3), 20, 4, f64);
  const double reference = exact_reference_rankme(stored, 20, 4);
  // Files "a" and "a:b.h5" both present: "a:b.h5:/emb" is "/emb" of "a:b.h5".
  const std::string a = directory.file("a"), ab = directory.file("a:b.h5");
  testing::write_matrix(a, "/b.h5:/emb", base_matrix(20, 4, 8), 20, 4, f64);  // the other reading, if it were taken
  const std::vector<double> ab_stored = testing::write_matrix(ab, "/emb", base_matrix(25, 5, 9), 25, 5, f64);
  const double ab_reference = exact_reference_rankme(ab_stored, 25, 5);
  for (int ranks : {1, 3}) {
    for (const std::string& argument : {file + ":/run:3/emb", file + ":run:3/emb", file}) {
      const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", argument});
      EXPECT_EQ(result.exit_code, 0) << argument << result;
      const std::vector<json> rows = parse_jsonl(result);
      expect_rankme(row_for(rows, "/run:3/emb", file), reference, 1e-6, argument);
    }
    const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", ab + ":/emb"});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_rankme(row_for(parse_jsonl(result), "/emb", ab), ab_reference, 1e-6, "a:b.h5:/emb");
  }
}

// ------------------------------------------------------------------------------------------------
// Never fully written, all zeros, non-finite

TEST(HostileWrites, IncompleteDatasetsAreErrorsNeverScores) {
  TemporaryDirectory directory("rankme-hostile-incomplete-");
  const std::string file = directory.file("incomplete.h5");
  testing::write_partially_written_dataset(file, "/chunks_missing", 100, 8, 10, 50, false);
  testing::write_partially_written_dataset(file, "/gzip_chunks_missing", 100, 8, 10, 30, true);
  testing::write_partially_written_dataset(file, "/no_chunk_written", 100, 8, 10, 0, true);
  testing::write_unwritten_contiguous_dataset(file, "/contiguous_never_written", 100, 8);
  const std::vector<double> complete = testing::write_partially_written_dataset(file, "/complete", 100, 8, 10, 100, true);
  const double reference = exact_reference_rankme(complete, 100, 8);
  const std::map<std::string, std::string> expected = {
      {"/chunks_missing", "only 5 of its 10 chunks were written"},
      {"/gzip_chunks_missing", "only 3 of its 10 chunks were written"},
      {"/no_chunk_written", "incomplete: no data was ever written"},
      {"/contiguous_never_written", "incomplete: no data was ever written"},
  };
  for (int ranks : {1, 3}) {
    for (const std::string precision : {"double", "auto"}) {
      const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks),
                                                  "--precision", precision, file});
      EXPECT_EQ(result.exit_code, 1) << result;
      const std::vector<json> rows = parse_jsonl(result);
      for (const auto& [path, message] : expected) {
        const json row = row_for(rows, path);
        EXPECT_EQ(row.value("status", ""), "error") << row.dump();
        EXPECT_TRUE(row["rankme"].is_null()) << row.dump();
        EXPECT_TRUE(contains(row.value("error", std::string()), message)) << row.dump();
      }
      expect_rankme(row_for(rows, "/complete"), reference, precision == "double" ? 1e-12 : 1e-6, "complete beside");
    }
  }
}

TEST(HostileWrites, AppendableDatasetsScoreWhenCompleteAndAreIncompleteWhenGrownUnwritten) {
  TemporaryDirectory directory("rankme-hostile-appended-");
  const std::string file = directory.file("appended.h5");
  // One chunk of 1000 rows holding 10: complete. Grown from 10 to 30 rows in chunks of 4: 3 of 8 chunks.
  const std::vector<double> small = testing::write_appended_dataset(file, "/chunk_taller_than_data", 10, 6, 1000, 10);
  testing::write_appended_dataset(file, "/grown_unwritten", 10, 6, 4, 30);
  const double reference = exact_reference_rankme(small, 10, 6);
  for (int ranks : {1, 3}) {
    for (const std::string precision : {"double", "auto"}) {
      const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks),
                                                  "--precision", precision, file});
      EXPECT_EQ(result.exit_code, 1) << result;
      const std::vector<json> rows = parse_jsonl(result);
      expect_rankme(row_for(rows, "/chunk_taller_than_data"), reference, precision == "double" ? 1e-12 : 1e-6,
                    "chunk taller than the data, " + precision + " at " + std::to_string(ranks));
      const json grown = row_for(rows, "/grown_unwritten");
      EXPECT_EQ(grown.value("status", ""), "error") << grown.dump();
      EXPECT_TRUE(contains(grown.value("error", std::string()), "only 3 of its 8 chunks were written")) << grown.dump();
    }
  }
}

TEST(HostileWrites, AllZerosScoreZeroWithANoteAndANanFillIsNonfinite) {
  TemporaryDirectory directory("rankme-hostile-zeros-");
  const std::string file = directory.file("zeros.h5");
  testing::write_matrix(file, "/written_zeros", std::vector<double>(60 * 4, 0.0), 60, 4, f32);
  testing::write_early_allocated_unwritten_dataset(file, "/early_zero_fill", 60, 4, 0.0);
  testing::write_early_allocated_unwritten_dataset(file, "/early_nan_fill", 60, 4, std::nan(""), 7);
  for (int ranks : {1, 3}) {
    const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks), file});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    for (const std::string path : {"/written_zeros", "/early_zero_fill"}) {
      const json row = row_for(rows, path);
      EXPECT_EQ(row.value("status", ""), "ok") << row.dump();
      EXPECT_EQ(row.value("rankme", -1.0), 0.0) << row.dump();
      EXPECT_TRUE(contains(result.err, "rankme: note: '" + path + "' in '" + file + "' is all zeros")) << result;
    }
    EXPECT_EQ(row_for(rows, "/early_nan_fill").value("status", ""), "nonfinite");
    EXPECT_TRUE(result.out.find("all zeros") == std::string::npos) << "warnings go to stderr" << result;
  }
}

TEST(HostileWrites, NonFiniteValuesAnywhereAreNonfiniteAtEveryRankCount) {
  TemporaryDirectory directory("rankme-hostile-nonfinite-");
  const std::string file = directory.file("nonfinite.h5");
  const std::uint64_t rows = 41, cols = 5;
  const std::vector<double> base = base_matrix(rows, cols, 4);
  const auto with = [&](std::uint64_t row, std::uint64_t col, double value) {
    std::vector<double> values = base;
    values[row * cols + col] = value;
    return values;
  };
  testing::write_matrix(file, "/nan_last_row", with(rows - 1, cols - 1, std::nan("")), rows, cols, f32);
  testing::write_matrix(file, "/plus_inf_first_row", with(0, 2, HUGE_VAL), rows, cols, f64);
  testing::write_matrix(file, "/minus_inf_middle_be", with(20, 0, -HUGE_VAL), rows, cols, f64be);
  // FLT_MAX itself is finite: a number, not "nonfinite".
  const std::vector<double> largest = testing::write_matrix(file, "/flt_max_value", with(7, 1, FLT_MAX), rows, cols, f32);
  const double reference = exact_reference_rankme(largest, rows, cols);
  for (int ranks : {1, 2, 3, 4}) {
    for (const std::string precision : {"double", "auto"}) {
      const RunResult result = run_rankme(ranks, {"--quiet", "--format", "jsonl", "--group-size", std::to_string(ranks),
                                                  "--block-rows", "4", "--precision", precision, file});
      EXPECT_EQ(result.exit_code, 0) << result;
      const std::vector<json> rows_out = parse_jsonl(result);
      for (const std::string path : {"/nan_last_row", "/plus_inf_first_row", "/minus_inf_middle_be"}) {
        const json row = row_for(rows_out, path);
        EXPECT_EQ(row.value("status", ""), "nonfinite") << precision << " at " << ranks << ": " << row.dump();
        EXPECT_TRUE(row["rankme"].is_null()) << row.dump();
      }
      expect_rankme(row_for(rows_out, "/flt_max_value"), reference, precision == "double" ? 1e-12 : 1e-6,
                    "/flt_max_value " + precision + " at " + std::to_string(ranks));
    }
  }
}

}  // namespace
}  // namespace rankme
