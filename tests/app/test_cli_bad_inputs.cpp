// Bad inputs end to end at 1-4 ranks: missing, non-HDF5, truncated files, unsupported datasets, failures
// while scoring; each an exit code of 1 and one clear error line naming the input, and good datasets in the
// same command still scored.
//
// The binary is launched as a child process (support/rankme_launch.hpp), with stdout and stderr captured
// separately. Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite
// and a run shared by several checks is made once (run_rankme_cached).
#include <hdf5.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/plain_files.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::add_matrix;
using testing::contains;
using testing::contains_nocase;
using testing::contains_word;
using testing::expect_no_crash_hang_or_signal;
using testing::float16;
using testing::float32;
using testing::float64;
using testing::Layout;
using testing::lines_starting_with;
using testing::ok_rankme;
using testing::parse_jsonl;
using testing::plain_matrix;
using testing::row_for;
using testing::run_rankme;
using testing::run_rankme_cached;
using testing::run_timeout_seconds;
using testing::RunResult;
using testing::ScoredMatrix;
using testing::TemporaryDirectory;

void check_hdf5_call(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("test fixture: " + what + " failed");
}


// Overwrites the stored bytes of the chunk of `dataset` that starts furthest down (the one the last rank
// reads) with garbage, so that decompressing it fails.
void corrupt_last_chunk(const std::string& file, const std::string& dataset) {
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  {
    const hid_t handle = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    check_hdf5_call(handle >= 0, "H5Fopen " + file);
    const hid_t data = H5Dopen2(handle, dataset.c_str(), H5P_DEFAULT);
    check_hdf5_call(data >= 0, "H5Dopen2 " + dataset);
    const hid_t space = H5Dget_space(data);
    hsize_t chunks = 0;
    check_hdf5_call(H5Dget_num_chunks(data, space, &chunks) >= 0 && chunks > 0, "H5Dget_num_chunks");
    hsize_t furthest_row = 0;
    for (hsize_t index = 0; index < chunks; ++index) {
      hsize_t offset[2] = {0, 0};
      unsigned filter_mask = 0;
      haddr_t chunk_address = HADDR_UNDEF;
      hsize_t chunk_size = 0;
      check_hdf5_call(H5Dget_chunk_info(data, space, index, offset, &filter_mask, &chunk_address, &chunk_size) >= 0,
                      "H5Dget_chunk_info");
      if (address == HADDR_UNDEF || offset[0] >= furthest_row) {
        furthest_row = offset[0];
        address = chunk_address;
        size = chunk_size;
      }
    }
    H5Sclose(space);
    H5Dclose(data);
    H5Fclose(handle);
  }
  std::fstream stream(file, std::ios::binary | std::ios::in | std::ios::out);
  stream.seekp(static_cast<std::streamoff>(address));
  const std::string garbage(static_cast<std::size_t>(size), '\xff');
  stream.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  check_hdf5_call(static_cast<bool>(stream), "overwriting the chunk");
}

// ------------------------------------------------------------------------------------------------
// Bad inputs

struct BadInputFiles {
  TemporaryDirectory directory{"rankme-cli-bad-"};
  std::string good = directory.file("good.h5");
  std::string other = directory.file("other.h5");
  std::string types = directory.file("types.h5");
  std::string missing = directory.file("missing.h5");
  std::string not_hdf5 = directory.file("notes.h5");
  std::string truncated = directory.file("truncated.h5");
  std::string a_directory = directory.file("folder.h5");
  ScoredMatrix good_matrix, other_first, other_second;

  BadInputFiles() {
    good_matrix = add_matrix(good, "/m", plain_matrix(64, 64, 41), 64, 64, float64, "float64", 1e-9);
    testing::write_matrix(good, "/grp/inner", plain_matrix(10, 3, 42), 10, 3, float64);
    other_first = add_matrix(other, "/p", plain_matrix(33, 7, 43), 33, 7, float32, "float32", 1e-6);
    other_second = add_matrix(other, "/q", plain_matrix(34, 9, 44), 34, 9, float64, "float64", 1e-9);
    testing::write_string_dataset(types, "/strings");
    testing::write_compound_dataset(types, "/compound");
    testing::write_enum_dataset(types, "/enum");
    testing::write_bitfield_dataset(types, "/bitfield");
    testing::write_array_of_rank(types, "/one_d", {7});
    testing::write_array_of_rank(types, "/three_d", {2, 3, 4});
    testing::write_scalar_dataset(types, "/scalar");
    testing::write_null_dataspace_dataset(types, "/null_space");
    testing::write_array_of_rank(types, "/zero_rows", {0, 4});
    testing::write_array_of_rank(types, "/zero_cols", {4, 0});
    // x87's fields in 10 bytes (with an implied leading bit): 65 significant bits, more than a double holds.
    testing::write_float_type_dataset(types, "/float80", 79, 64, 15, 0, 64, 10, 16383);
    testing::write_not_hdf5(not_hdf5);
    testing::copy_truncated(good, truncated, 0.5);
    std::filesystem::create_directory(a_directory);
  }
};

const BadInputFiles& bad_input_files() {
  static const BadInputFiles fixture;
  return fixture;
}

struct BadInputCase {
  std::string name;
  std::function<std::string(const BadInputFiles&)> argument;
  std::function<std::string(const BadInputFiles&)> named;  // what the error line must name
  std::string reason;                                        // a word the error line must contain
  std::string type, shape;                                   // for unsupported datasets: both must be named
};

std::vector<BadInputCase> bad_input_cases() {
  const auto dataset_of = [](const std::string& path) {
    return [path](const BadInputFiles&) { return path; };
  };
  const auto in_types = [](const std::string& path) {
    return [path](const BadInputFiles& f) { return f.types + ":" + path; };
  };
  return {
      {"MissingFile", [](const BadInputFiles& f) { return f.missing; }, [](const BadInputFiles& f) { return f.missing; },
       "no such file", "", ""},
      {"NotHdf5", [](const BadInputFiles& f) { return f.not_hdf5; }, [](const BadInputFiles& f) { return f.not_hdf5; },
       "not an HDF5 file", "", ""},
      {"Truncated", [](const BadInputFiles& f) { return f.truncated; }, [](const BadInputFiles& f) { return f.truncated; },
       "truncated", "", ""},
      {"Directory", [](const BadInputFiles& f) { return f.a_directory; }, [](const BadInputFiles& f) { return f.a_directory; },
       "directory", "", ""},
      {"MissingDataset", [](const BadInputFiles& f) { return f.good + ":/nope"; }, dataset_of("/nope"), "no such dataset", "", ""},
      {"Group", [](const BadInputFiles& f) { return f.good + ":/grp"; }, dataset_of("/grp"), "group", "", ""},
      {"String", in_types("/strings"), dataset_of("/strings"), "string", "string", "3x2"},
      {"Compound", in_types("/compound"), dataset_of("/compound"), "compound", "compound", "3x2"},
      {"Enum", in_types("/enum"), dataset_of("/enum"), "enum", "enum", "3x2"},
      {"Bitfield", in_types("/bitfield"), dataset_of("/bitfield"), "bitfield", "bitfield", "3x2"},
      {"OneD", in_types("/one_d"), dataset_of("/one_d"), "1-D", "float32", "7"},
      {"ThreeD", in_types("/three_d"), dataset_of("/three_d"), "--pool", "float32", "3-D (2, 3, 4)"},
      {"Scalar", in_types("/scalar"), dataset_of("/scalar"), "scalar", "float64", "scalar"},
      {"NullDataspace", in_types("/null_space"), dataset_of("/null_space"), "null", "float64", "null"},
      {"ZeroRows", in_types("/zero_rows"), dataset_of("/zero_rows"), "no rows", "float32", "0x4"},
      {"ZeroColumns", in_types("/zero_cols"), dataset_of("/zero_cols"), "no columns", "float32", "4x0"},
      {"Float80", in_types("/float80"), dataset_of("/float80"), "53 bits", "float80", "2x2"},
  };
}

// gtest would otherwise print the parameter as raw bytes.
void PrintTo(const BadInputCase& bad, std::ostream* stream) { *stream << bad.name; }

class BadInput : public ::testing::TestWithParam<std::tuple<BadInputCase, int>> {};

TEST_P(BadInput, GivesExitOneAndOneClearErrorLine) {
  const BadInputCase& bad = std::get<0>(GetParam());
  const int ranks = std::get<1>(GetParam());
  const BadInputFiles& files = bad_input_files();
  const RunResult& result = run_rankme_cached(ranks, {"--format", "jsonl", bad.argument(files)});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash_hang_or_signal(result);
  EXPECT_LT(result.seconds, run_timeout_seconds);
  const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
  ASSERT_EQ(errors.size(), 1u) << "exactly one error line, from rank 0" << result;
  EXPECT_TRUE(contains(errors[0], bad.named(files))) << "must name '" << bad.named(files) << "': " << errors[0];
  EXPECT_TRUE(contains_nocase(errors[0], bad.reason)) << "must say '" << bad.reason << "': " << errors[0];
  // The report still has the row, with status error.
  const std::vector<json> rows = parse_jsonl(result);
  ASSERT_EQ(rows.size(), 1u) << result;
  EXPECT_EQ(rows[0].value("status", json()), "error");
  EXPECT_TRUE(rows[0].value("rankme", json(0)).is_null());
}

INSTANTIATE_TEST_SUITE_P(AtOneAndThreeRanks, BadInput,
                         ::testing::Combine(::testing::ValuesIn(bad_input_cases()), ::testing::Values(1, 3)),
                         [](const ::testing::TestParamInfo<BadInput::ParamType>& param_info) {
                           return std::get<0>(param_info.param).name + "_" + std::to_string(std::get<1>(param_info.param)) + "ranks";
                         });

// The spec: a dataset named explicitly that is not 2-D numeric is an error naming the dataset, its type
// and its shape (both, whichever of them is the problem). The message does not depend on the rank count,
// so this reuses the 1-rank runs above.
class UnsupportedDataset : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(UnsupportedDataset, ErrorNamesItsTypeAndShape) {
  const BadInputCase& bad = GetParam();
  const BadInputFiles& files = bad_input_files();
  const RunResult& result = run_rankme_cached(1, {"--format", "jsonl", bad.argument(files)});
  const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
  ASSERT_EQ(errors.size(), 1u) << result;
  EXPECT_TRUE(contains(errors[0], bad.named(files))) << errors[0];
  EXPECT_TRUE(contains(errors[0], bad.type)) << "must name the type '" << bad.type << "': " << errors[0];
  EXPECT_TRUE(contains_word(errors[0], bad.shape)) << "must name the shape '" << bad.shape << "': " << errors[0];
}

std::vector<BadInputCase> unsupported_dataset_cases() {
  std::vector<BadInputCase> cases = bad_input_cases();
  cases.erase(std::remove_if(cases.begin(), cases.end(), [](const BadInputCase& c) { return c.type.empty(); }), cases.end());
  return cases;
}

INSTANTIATE_TEST_SUITE_P(NamedExplicitly, UnsupportedDataset, ::testing::ValuesIn(unsupported_dataset_cases()),
                         [](const ::testing::TestParamInfo<BadInputCase>& param_info) { return param_info.param.name; });

TEST(BadInputs, GoodDatasetsInTheSameCommandAreStillScored) {
  const BadInputFiles& f = bad_input_files();
  // --precision double: the good datasets are checked at the double route's tolerances.
  const std::vector<std::string> args = {"--format", "jsonl", "--precision", "double", f.good + ":/m", f.missing,
                                         f.types + ":/strings", f.truncated, f.other, f.good + ":/grp"};
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, args);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 7u) << result;  // /m, missing, /strings, truncated, /p, /q, /grp
    for (const auto& [file, matrix] : {std::make_pair(f.good, &f.good_matrix), std::make_pair(f.other, &f.other_first),
                                       std::make_pair(f.other, &f.other_second)}) {
      const json row = row_for(rows, matrix->dataset, file);
      if (const auto value = ok_rankme(row, matrix->dataset)) {
        EXPECT_RELATIVE_NEAR(*value, matrix->expected, matrix->tolerance);
      }
    }
    EXPECT_EQ(row_for(rows, "/strings", f.types).value("status", json()), "error");
    EXPECT_EQ(row_for(rows, "/grp", f.good).value("status", json()), "error");
    for (const std::string& file : {f.missing, f.truncated}) {
      const auto failed = std::count_if(rows.begin(), rows.end(), [&](const json& row) {
        return row.value("file", json()) == file && row.value("status", json()) == "error";
      });
      EXPECT_EQ(failed, 1) << file;
    }
    EXPECT_EQ(lines_starting_with(result.err, "rankme: error:").size(), 4u) << result;
  }
}

TEST(BadInputs, FailuresWhileScoringAreErrorsThatNameTheDataset) {
  // Problems found only while scoring, after discovery passed: a corrupt compressed chunk that only the
  // last rank reads (all ranks must agree on the error, not hang), and a matrix too wide for its Gram
  // matrix to exist. Each is one error line naming the dataset, and the next dataset is still scored.
  TemporaryDirectory directory("rankme-cli-corrupt-");
  const std::string file = directory.file("corrupt.h5");
  Layout gzip;
  gzip.kind = Layout::Kind::chunked;
  gzip.chunk_rows = 10;
  gzip.chunk_cols = 6;
  gzip.gzip = true;
  testing::write_matrix(file, "/broken", plain_matrix(60, 6, 51), 60, 6, float32, gzip);
  corrupt_last_chunk(file, "/broken");
  // 2^33 columns: a 2^66-element Gram matrix (never allocated: no chunk is written, the file stays tiny).
  testing::write_unallocated_dataset(file, "/too_wide", 2, std::uint64_t{1} << 33);
  const ScoredMatrix fine = add_matrix(file, "/fine", plain_matrix(30, 6, 52), 30, 6, float64, "float64", 1e-9);
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file + ":/broken", file + ":/too_wide", file + ":/fine"});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(row_for(rows, "/broken").value("status", json()), "error") << result;
    EXPECT_EQ(row_for(rows, "/too_wide").value("status", json()), "error") << result;
    if (const auto value = ok_rankme(row_for(rows, "/fine"), "/fine")) {
      EXPECT_RELATIVE_NEAR(*value, fine.expected, 1e-9);
    }
    // One error line per failed dataset, each naming its dataset (in completion order, which the
    // scheduler chooses: costliest first).
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 2u) << result;
    for (const char* dataset : {"/broken", "/too_wide"}) {
      EXPECT_EQ(std::count_if(errors.begin(), errors.end(), [&](const std::string& line) { return contains(line, dataset); }), 1)
          << "exactly one error line must name " << dataset << result;
    }
    // The damaged chunk by its place, as rankme's own decoding of gzip chunks finds it.
    EXPECT_EQ(std::count_if(errors.begin(), errors.end(), [](const std::string& line) {
                return contains(line, "chunk at rows 50-59, cols 0-5 of '/broken': deflate stream is corrupt");
              }),
              1)
        << result;
  }
}

}  // namespace
}  // namespace rankme
