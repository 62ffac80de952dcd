// HDF5 beyond plain IEEE floats, end to end through the binary at 1-4 ranks: datasets compressed with the
// filters h5py users write (lzf, blosc, lz4, bzip2), written both with the C API and by h5py + hdf5plugin,
// and bfloat16 / 24-bit float datasets, each scored against the LAPACK SVD of exactly the stored values
// (decoded by HDF5's own conversions for the custom floats). rankme finds Debian's filter plugins itself:
// no HDF5_PLUGIN_PATH is set. A dataset needing a filter no plugin provides is one clear error line naming
// the filter and where to get it, exit 1, at 1 and 3 ranks.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/child_process.hpp"
#include "support/cli_matrices.hpp"
#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_custom_floats.hpp"
#include "support/hdf5_filtered_datasets.hpp"
#include "support/rankme_launch.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;
using testing::contains;
using testing::RunResult;

struct Expected {
  std::string file, dataset, dtype;
  double rankme;
};

// The h5py side: the same float32 values, compressed as an h5py user would, with the filter of each
// dataset checked in the file's creation property list (a filter silently dropped would prove nothing).
constexpr const char* h5py_writer = R"(
import sys, numpy as np, h5py, hdf5plugin
rows, cols = int(sys.argv[3]), int(sys.argv[4])
values = np.fromfile(sys.argv[1], dtype='<f4').reshape(rows, cols)
chunks = (rows // 5, cols)
with h5py.File(sys.argv[2], 'w') as f:
    f.create_dataset('lzf', data=values, chunks=chunks, compression='lzf')
    f.create_dataset('blosc', data=values, chunks=chunks, **hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    f.create_dataset('bz2', data=values, chunks=chunks, **hdf5plugin.BZip2())
    f.create_dataset('lz4', data=values, chunks=chunks, **hdf5plugin.LZ4())
with h5py.File(sys.argv[2], 'r') as f:
    for name, filter_id in (('lzf', 32000), ('blosc', 32001), ('bz2', 307), ('lz4', 32004)):
        assert f[name].id.get_create_plist().get_filter(0)[0] == filter_id, name
        assert np.array_equal(f[name][...], values), name
        for index in range(f[name].id.get_num_chunks()):
            assert f[name].id.get_chunk_info(index).filter_mask == 0, (name, index)
print('ok')
)";

struct FilterFiles {
  testing::TemporaryDirectory directory{"rankme-cli-hdf5-filters-"};
  std::string c_file = directory.file("c_filters.h5");
  std::string h5py_file = directory.file("h5py_filters.h5");
  std::string floats_file = directory.file("custom_floats.h5");
  std::string missing_file = directory.file("missing_filters.h5");
  std::vector<Expected> expected;

  FilterFiles() {
    const std::uint64_t rows = 300, cols = 24;
    // Multiples of 1/64: float32 patterns with long runs of zero bits, which every filter compresses (lzf
    // stores a chunk it cannot shrink unfiltered, and the writers check that none was).
    std::vector<double> values = testing::plain_matrix(rows, cols, 71);
    for (double& value : values) value = std::round(value * 64) / 64;
    struct Compression {
      const char* dataset;
      unsigned id;
      std::vector<unsigned> parameters;
    };
    // Not blosc: Debian's blosc plugin is linked against serial HDF5 (versioned symbols), and its
    // "set local" callback, which runs only when writing, asks that library about this (parallel) library's
    // property list. Reading needs no callback, so h5py's blosc file below is read by rankme all the same.
    const std::vector<Compression> compressions = {{"/lzf", testing::filter_lzf, {}},
                                                   {"/lz4", testing::filter_lz4, {}},
                                                   {"/bzip2", testing::filter_bzip2, {9}}};
    for (const Compression& compression : compressions) {
      const std::vector<double> stored = testing::write_filtered_matrix(c_file, compression.dataset, values, rows, cols,
                                                                        compression.id, compression.parameters, 64);
      expected.push_back({c_file, compression.dataset, "float32", testing::reference_of(stored, rows, cols)});
    }

    // h5py + hdf5plugin get the float32 values through a raw file.
    const std::vector<float> narrow(values.begin(), values.end());
    const std::string raw = directory.file("values.f32");
    std::ofstream(raw, std::ios::binary).write(reinterpret_cast<const char*>(narrow.data()),
                                               static_cast<std::streamsize>(narrow.size() * sizeof(float)));
    const RunResult written = testing::run_command(
        {"/usr/bin/python3", "-c", h5py_writer, raw, h5py_file, std::to_string(rows), std::to_string(cols)}, 120);
    if (written.exit_code != 0 || !contains(written.out, "ok")) {
      ADD_FAILURE() << "h5py + hdf5plugin could not write the fixture" << written;
    }
    const std::vector<double> as_float32(narrow.begin(), narrow.end());
    for (const char* dataset : {"/lzf", "/blosc", "/bz2", "/lz4"}) {
      expected.push_back({h5py_file, dataset, "float32", testing::reference_of(as_float32, rows, cols)});
    }

    // bfloat16 (both byte orders, chunked and not) and a 24-bit float, decoded by HDF5 for the reference.
    const std::uint64_t float_rows = 200, float_cols = 16;
    const std::vector<double> float_values = testing::plain_matrix(float_rows, float_cols, 72);
    testing::CustomFloatLayout bfloat16_be = testing::bfloat16_layout;
    bfloat16_be.big_endian = true;
    testing::CustomFloatLayout float24_be = testing::float24_layout;
    float24_be.big_endian = true;
    const std::vector<std::tuple<const char*, testing::CustomFloatLayout, std::uint64_t, const char*>> customs = {
        {"/bfloat16", testing::bfloat16_layout, 0, "bfloat16"},
        {"/bfloat16be_chunked", bfloat16_be, 48, "bfloat16be"},
        {"/float24", testing::float24_layout, 0, "float24_e7m16"},
        {"/float24be_chunked", float24_be, 64, "float24_e7m16be"}};
    for (const auto& [dataset, layout, chunk_rows, dtype] : customs) {
      const std::vector<double> stored = testing::write_custom_float_matrix(floats_file, dataset, float_values, float_rows,
                                                                            float_cols, layout, chunk_rows);
      expected.push_back({floats_file, dataset, dtype, testing::reference_of(stored, float_rows, float_cols)});
    }

    testing::write_matrix_needing_filter(missing_file, "/needs_zstd", 40, 8, testing::filter_zstd);
    testing::write_matrix_needing_filter(missing_file, "/needs_bitshuffle", 40, 8, testing::filter_bitshuffle);
  }
};

const FilterFiles& filter_files() {
  static const FilterFiles fixture;
  return fixture;
}

class CompressedAndCustomFloats : public ::testing::TestWithParam<int> {};

TEST_P(CompressedAndCustomFloats, ScoreAsTheLapackReferenceOfTheStoredValues) {
  const FilterFiles& files = filter_files();
  // Whatever the caller's environment says, rankme must find Debian's plugins by itself.
  ::unsetenv("HDF5_PLUGIN_PATH");
  const RunResult result =
      testing::run_rankme(GetParam(), {"--format", "jsonl", files.c_file, files.h5py_file, files.floats_file});
  EXPECT_EQ(result.exit_code, 0) << result;
  testing::expect_no_crash_hang_or_signal(result);
  const std::vector<json> rows = testing::parse_jsonl(result);
  EXPECT_EQ(rows.size(), files.expected.size()) << result;
  for (const Expected& expected : files.expected) {
    SCOPED_TRACE(expected.file + ":" + expected.dataset);
    const json row = testing::row_for(rows, expected.dataset, expected.file);
    if (row.is_null()) continue;
    EXPECT_EQ(row.value("dtype", ""), expected.dtype);
    const std::optional<double> rankme = testing::ok_rankme(row, expected.dataset);
    if (rankme) {
      EXPECT_RELATIVE_NEAR(*rankme, expected.rankme, 1e-6);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, CompressedAndCustomFloats, ::testing::Values(1, 2, 3, 4));

class MissingFilter : public ::testing::TestWithParam<int> {};

TEST_P(MissingFilter, IsOneErrorLineNamingTheFilterAndWhereToGetIt) {
  const FilterFiles& files = filter_files();
  struct Case {
    std::string dataset, id, name;
  };
  for (const Case& missing : {Case{"/needs_zstd", "32015", "zstd"}, Case{"/needs_bitshuffle", "32008", "bitshuffle"}}) {
    SCOPED_TRACE(missing.dataset);
    const RunResult& result =
        testing::run_rankme_cached(GetParam(), {"--format", "jsonl", files.missing_file + ":" + missing.dataset});
    EXPECT_EQ(result.exit_code, 1) << result;
    testing::expect_no_crash_hang_or_signal(result);
    const std::vector<std::string> errors = testing::lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << "exactly one error line, from rank 0" << result;
    EXPECT_TRUE(contains(errors[0], missing.dataset) && contains(errors[0], files.missing_file)) << errors[0];
    EXPECT_TRUE(contains(errors[0], "filter " + missing.id + " (" + missing.name + ")")) << errors[0];
    EXPECT_TRUE(contains(errors[0], "pip install hdf5plugin") && contains(errors[0], "HDF5_PLUGIN_PATH")) << errors[0];
    EXPECT_FALSE(contains(result.err, "HDF5-DIAG")) << "HDF5's own error stack must not reach the user" << result;
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, MissingFilter, ::testing::Values(1, 3));

// HDF5_PLUGIN_PATH replaces HDF5's default directory; rankme's additions still follow it, and the user's
// directories stay first (the message lists the search path in order).
TEST(PluginPath, TheUsersHdf5PluginPathComesFirstAndDebiansStillFollows) {
  const FilterFiles& files = filter_files();
  const testing::TemporaryDirectory own_plugins("rankme-own-plugins-");
  testing::ScopedEnvironment environment;
  environment.set("HDF5_PLUGIN_PATH", own_plugins.path().string());
  const RunResult scored = testing::run_rankme(2, {"--format", "jsonl", files.h5py_file + ":/lzf"});
  EXPECT_EQ(scored.exit_code, 0) << scored;
  const RunResult missing = testing::run_rankme(2, {"--format", "jsonl", files.missing_file + ":/needs_zstd"});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  const std::vector<std::string> errors = testing::lines_starting_with(missing.err, "rankme: error:");
  ASSERT_EQ(errors.size(), 1u) << missing;
  EXPECT_TRUE(contains(errors[0], "no plugin for it in " + own_plugins.path().string() + ":/usr/lib/")) << errors[0];
  EXPECT_TRUE(contains(errors[0], "/hdf5/openmpi/plugins:/usr/lib/")) << errors[0];
}

}  // namespace
}  // namespace rankme
