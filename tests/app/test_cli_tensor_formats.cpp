// rankme reads what real tools write: every case of tests/data/formats/manifest.json (.npy v1-v3 in C and
// Fortran order, both byte orders and every dtype; .npz stored and deflated; torch.save tensors, dicts,
// OrderedDicts, tuples, nested lists, views and storage offsets; safetensors of every dtype; HDF5 with
// lzf, gzip, blosc, bzip2 and lz4; 3-D and 4-D arrays with --pool; DDP shards with --concat; files whose
// extension lies) scored end to end at 1, 2, 3 and 4 ranks and compared with the manifest: rows, cols,
// dtype, and RankMe within 1e-9 of float64 numpy SVD of the same stored values.
//
// The files and the expected values come from make_format_fixtures.py in that folder (numpy, torch, h5py
// with hdf5plugin), independently of rankme. Cases with the same options are scored in one launch per
// rank count (one JSONL line each), so the whole suite is a few dozen launches. --precision double keeps
// the Gram products in double, where 1e-9 is a real bound for these well-conditioned integer matrices.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/format_fixtures.hpp"
#include "support/child_process.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/rankme_launch.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::contains;
using testing::expect_no_crash_hang_or_signal;
using testing::parse_jsonl;
using testing::run_rankme;
using testing::RunResult;

constexpr double rankme_relative_tolerance = 1e-9;
const std::string& fixture_folder = testing::format_fixture_folder;

// One input on the command line, made absolute: FILE, FILE:DATASET or a directory.
std::string absolute_input(const std::string& input) { return fixture_folder + "/" + input; }

// The file part of an input as rankme prints it in "file" (the part before the first ':', which the
// fixture names never contain).
std::string file_part(const std::string& input) { return input.substr(0, input.find(':')); }

struct ExpectedRow {
  std::optional<std::string> dataset;  // nothing: not checked (a --concat matrix)
  std::uint64_t rows = 0, cols = 0;
  std::string dtype;
  double rankme = 0;
};

struct FormatCase {
  std::string name;
  std::vector<std::string> inputs;  // relative to the fixture folder
  std::vector<std::string> options;
  std::vector<ExpectedRow> expect;
  bool concatenates() const { return std::find(options.begin(), options.end(), "--concat") != options.end(); }
};

std::vector<FormatCase> read_manifest() {
  const std::string text = testing::read_whole_file(fixture_folder + "/manifest.json");
  if (text.empty()) throw std::runtime_error("cannot read " + fixture_folder + "/manifest.json");
  const json manifest = json::parse(text);
  std::vector<FormatCase> cases;
  for (const json& item : manifest.at("cases")) {
    FormatCase format_case;
    format_case.name = item.at("name").get<std::string>();
    format_case.inputs = item.at("inputs").get<std::vector<std::string>>();
    format_case.options = item.at("options").get<std::vector<std::string>>();
    for (const json& row : item.at("expect")) {
      ExpectedRow expected;
      if (!row.at("dataset").is_null()) expected.dataset = row.at("dataset").get<std::string>();
      expected.rows = row.at("rows").get<std::uint64_t>();
      expected.cols = row.at("cols").get<std::uint64_t>();
      expected.dtype = row.at("dtype").get<std::string>();
      expected.rankme = row.at("rankme").get<double>();
      format_case.expect.push_back(expected);
    }
    cases.push_back(std::move(format_case));
  }
  return cases;
}

const std::vector<FormatCase>& manifest_cases() {
  static const std::vector<FormatCase> cases = read_manifest();
  return cases;
}

// The cases scored by one launch: those with the same options, except that a --concat case makes one
// matrix of all its inputs and so has a launch of its own.
std::vector<std::vector<const FormatCase*>> launches_of(const std::vector<FormatCase>& cases) {
  std::map<std::vector<std::string>, std::vector<const FormatCase*>> by_options;
  std::vector<std::vector<const FormatCase*>> launches;
  for (const FormatCase& format_case : cases) {
    if (format_case.concatenates()) {
      launches.push_back({&format_case});
    } else {
      by_options[format_case.options].push_back(&format_case);
    }
  }
  for (auto& [options, group] : by_options) launches.push_back(group);
  return launches;
}

std::vector<std::string> command_of(const std::vector<const FormatCase*>& launch) {
  std::vector<std::string> args = {"--format", "jsonl", "--precision", "double", "--quiet"};
  args.insert(args.end(), launch.front()->options.begin(), launch.front()->options.end());
  for (const FormatCase* format_case : launch) {
    for (const std::string& input : format_case->inputs) args.push_back(absolute_input(input));
  }
  return args;
}

// Checks one printed row against the manifest.
void expect_row_matches(const json& row, const ExpectedRow& expected, const std::string& what) {
  SCOPED_TRACE(what + ": " + row.dump());
  ASSERT_EQ(row.value("status", json()), "ok") << "error: " << row.value("error", json()).dump();
  EXPECT_EQ(row.value("rows_used", json()), expected.rows);  // the rows scored (--rows cuts them)
  EXPECT_EQ(row.value("cols", json()), expected.cols);
  EXPECT_EQ(row.value("dtype", json()), expected.dtype);
  const json value = row.value("rankme", json());
  ASSERT_TRUE(value.is_number());
  const double rankme = value.get<double>();
  EXPECT_LE(std::abs(rankme - expected.rankme), rankme_relative_tolerance * expected.rankme)
      << std::setprecision(17) << "rankme " << rankme << ", numpy SVD " << expected.rankme;
}

// The rows of `rows` for one case's expected row: by file and dataset, or, for a --concat launch (one
// matrix), the only row.
std::vector<json> rows_of_case(const std::vector<json>& rows, const FormatCase& format_case, const ExpectedRow& expected) {
  if (format_case.concatenates()) return rows;
  std::vector<json> found;
  for (const std::string& input : format_case.inputs) {
    const std::string file = absolute_input(file_part(input));
    for (const json& row : rows) {
      if (row.value("file", json()) == file && row.value("dataset", json()) == *expected.dataset) found.push_back(row);
    }
  }
  return found;
}

class TensorFormatsAtRanks : public ::testing::TestWithParam<int> {};

TEST_P(TensorFormatsAtRanks, EveryManifestCaseMatchesNumpy) {
  const int ranks = GetParam();
  ASSERT_FALSE(manifest_cases().empty());
  for (const std::vector<const FormatCase*>& launch : launches_of(manifest_cases())) {
    const RunResult result = run_rankme(ranks, command_of(launch));
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash_hang_or_signal(result);
    const std::vector<json> rows = parse_jsonl(result);
    std::size_t expected_rows = 0;
    for (const FormatCase* format_case : launch) {
      for (const ExpectedRow& expected : format_case->expect) {
        ++expected_rows;
        const std::string what = format_case->name + (expected.dataset ? " " + *expected.dataset : std::string());
        const std::vector<json> found = rows_of_case(rows, *format_case, expected);
        EXPECT_EQ(found.size(), 1u) << what << ": rows printed for it" << result;
        if (found.size() == 1) expect_row_matches(found.front(), expected, what);
      }
    }
    EXPECT_EQ(rows.size(), expected_rows) << "one JSONL line per expected dataset" << result;
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, TensorFormatsAtRanks, ::testing::Values(1, 2, 3, 4),
                         [](const ::testing::TestParamInfo<int>& param) { return std::to_string(param.param) + "ranks"; });

// A directory scan of the whole fixture folder finds every tensor-file extension (*.npy *.npz
// *.safetensors *.pt *.pth *.h5 *.hdf5) and scores each 2-D dataset as the explicit inputs did; an .npy
// named .h5 is read as .npy (the format comes from the magic bytes). The arrays of more than 2 dimensions
// (tokens/) are not scored without --pool, with a note naming it; nothing else may fail.
TEST(TensorFormatsScan, DirectoryScanFindsEveryExtensionAndScoresAsTheManifestSays) {
  for (const int ranks : {1, 3}) {
    SCOPED_TRACE("ranks " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", "--precision", "double", "--quiet", fixture_folder});
    expect_no_crash_hang_or_signal(result);
    EXPECT_TRUE(contains(result.err, "--pool")) << "the 3-D arrays are skipped with a note naming --pool" << result;
    const std::vector<json> rows = parse_jsonl(result);
    std::set<std::string> extensions_scored;
    for (const json& row : rows) {
      const std::string file = row.value("file", std::string());
      if (row.value("status", json()) == "ok") {
        extensions_scored.insert(std::filesystem::path(file).extension().string());
      } else {
        EXPECT_TRUE(contains(file, "/tokens/")) << "only the files of 3-D arrays may go unscored: " << row.dump();
      }
    }
    for (const char* extension : {".npy", ".npz", ".safetensors", ".pt", ".pth", ".h5", ".hdf5"}) {
      EXPECT_TRUE(extensions_scored.count(extension)) << "no " << extension << " file scored" << result;
    }
    // Every case without options is scored the same in the scan, whether its input named the file or one
    // dataset of it.
    for (const FormatCase& format_case : manifest_cases()) {
      if (!format_case.options.empty()) continue;
      for (const std::string& input : format_case.inputs) {
        const std::string file = absolute_input(file_part(input));
        for (const ExpectedRow& expected : format_case.expect) {
          std::vector<json> found;
          for (const json& row : rows) {
            if (row.value("file", json()) == file && row.value("dataset", json()) == *expected.dataset) found.push_back(row);
          }
          EXPECT_EQ(found.size(), 1u) << format_case.name << " " << *expected.dataset << " in the scan of " << fixture_folder;
          if (found.size() == 1) expect_row_matches(found.front(), expected, format_case.name + " (scan)");
        }
      }
    }
  }
}

// A 3-D array named explicitly without --pool is an error that names --pool.
TEST(TensorFormatsErrors, ExplicitThreeDimensionalArrayWithoutPoolNamesPool) {
  for (const std::string input : {"tokens/tokens.pt:/hidden", "tokens/tokens.h5:/tok", "tokens/tokens.safetensors:/tok"}) {
    const RunResult result = run_rankme(2, {"--format", "jsonl", "--quiet", absolute_input(input)});
    SCOPED_TRACE(input);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    EXPECT_TRUE(contains(result.err + result.out, "--pool")) << result;
  }
}

// --concat refuses shards that do not fit together, naming the file: another K, or another dtype.
TEST(TensorFormatsErrors, ConcatOfDifferentColumnsOrDtypeNamesTheFile) {
  const std::string shard = absolute_input("shards/emb_rank0.npy");  // 7 x 6 float32
  for (const std::string odd : {"npy/wide.npy", "torch/tensor_float64.pt"}) {  // 6 x 20 float64; 26 x 6 float64
    const RunResult result = run_rankme(2, {"--format", "jsonl", "--quiet", "--concat", shard, absolute_input(odd)});
    SCOPED_TRACE(odd);
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash_hang_or_signal(result);
    EXPECT_TRUE(contains(result.err + result.out, std::filesystem::path(odd).filename().string())) << result;
  }
}

}  // namespace
}  // namespace rankme
