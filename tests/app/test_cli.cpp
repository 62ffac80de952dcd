// End-to-end tests of the rankme binary: it is launched as a child process through mpiexec at 1, 2, 3
// (and 4) ranks, and once directly (singleton MPI), with stdout and stderr captured separately, and its
// exit code, report and diagnostics are checked against the documented behaviour. RankMe values are
// compared with an independent float64 reference (LAPACK dgesdd on exactly the values stored on disk).
//
// Launches are the expensive part (~0.3 s each), so the fixture files are written once per suite and
// a run shared by several checks is made once (run_rankme_cached).
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/hdf5_fixtures.hpp"

extern char** environ;

namespace rankme {
namespace {

using nlohmann::json;
using testing::Layout;
using testing::StoredType;
using testing::TemporaryDirectory;

constexpr double run_timeout_seconds = 60;

// ------------------------------------------------------------------------------------------------
// Running the binary

using testing::read_whole_file;
using testing::RunResult;

RunResult run_command(const std::vector<std::string>& argv, double timeout_seconds = run_timeout_seconds) {
  return testing::run_command(argv, timeout_seconds);
}

std::vector<std::string> mpiexec_command(int ranks, const std::vector<std::string>& args) {
  return testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args);
}

// rankme through mpiexec at `ranks` ranks. A run that exceeds the timeout fails the calling test.
RunResult run_rankme(int ranks, const std::vector<std::string>& args) {
  RunResult result = run_command(mpiexec_command(ranks, args));
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

// rankme started directly, without mpiexec: MPI initialises as a singleton.
RunResult run_rankme_directly(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RANKME_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult result = run_command(argv);
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

// The same launch checked by several tests is made once.
const RunResult& run_rankme_cached(int ranks, const std::vector<std::string>& args) {
  static std::map<std::pair<int, std::vector<std::string>>, RunResult> cache;
  const auto key = std::make_pair(ranks, args);
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, ranks > 0 ? run_rankme(ranks, args) : run_rankme_directly(args)).first;
  return found->second;
}

// ------------------------------------------------------------------------------------------------
// Reading what it printed

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& line : lines_of(text)) {
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  }
  return found;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool contains_nocase(const std::string& text, const std::string& part) { return contains(lowercase(text), lowercase(part)); }

// `word` occurring with no letter or digit right before or after it ("7" in "shape 7 (1-D)", not in "17").
bool contains_word(const std::string& text, const std::string& word) {
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    const std::size_t end = at + word.size();
    const bool right = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
  }
  return false;
}

// What a crashed or aborted rank leaves on stderr (mpiexec's own reports included).
void expect_no_crash(const RunResult& result) {
  EXPECT_FALSE(result.hung) << result;
  EXPECT_EQ(result.signal, 0) << result;
  for (const char* sign : {"Abort", "ABORT", "Segmentation", "signal", "internal error", "terminate called"}) {
    EXPECT_FALSE(contains(result.err, sign)) << "stderr mentions '" << sign << "'" << result;
  }
}

std::vector<json> parse_jsonl(const RunResult& result) {
  std::vector<json> rows;
  for (const std::string& line : lines_of(result.out)) {
    try {
      rows.push_back(json::parse(line));
    } catch (const json::exception& error) {
      ADD_FAILURE() << "stdout line is not JSON (" << error.what() << "): " << line << result;
    }
  }
  return rows;
}

// The rows for `dataset` (absolute path) from `file`; an empty `file` matches any.
std::vector<json> rows_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file = "") {
  std::vector<json> found;
  for (const json& row : rows) {
    if (row.value("dataset", json()).is_string() && row["dataset"] == dataset &&
        (file.empty() || (row.value("file", json()).is_string() && row["file"] == file))) {
      found.push_back(row);
    }
  }
  return found;
}

// The single row for `dataset`, or a null json after a test failure.
json row_for(const std::vector<json>& rows, const std::string& dataset, const std::string& file = "") {
  const std::vector<json> found = rows_for(rows, dataset, file);
  EXPECT_EQ(found.size(), 1u) << "rows for dataset '" << dataset << "'" << (file.empty() ? "" : " in '" + file + "'");
  return found.size() == 1 ? found.front() : json();
}

// The RankMe of an "ok" row, or nothing after a test failure.
std::optional<double> ok_rankme(const json& row, const std::string& what) {
  if (!row.is_object()) return std::nullopt;
  EXPECT_EQ(row.value("status", json()), "ok") << what << ": " << row.dump();
  const json value = row.value("rankme", json());
  EXPECT_TRUE(value.is_number()) << what << ": " << row.dump();
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

using testing::relative_difference;

#define EXPECT_RELATIVE_NEAR(value, reference, tolerance)                                               \
  EXPECT_LE(relative_difference((value), (reference)), (tolerance))                                     \
      << "value " << std::setprecision(17) << (value) << " vs reference " << (reference) << " (relative " \
      << relative_difference((value), (reference)) << ")"

// Splits one CSV line (RFC 4180 quoting).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// ------------------------------------------------------------------------------------------------
// Fixture data

const StoredType float16{StoredType::Kind::floating, 2};
const StoredType float32{StoredType::Kind::floating, 4};
const StoredType float64{StoredType::Kind::floating, 8};
const StoredType int16_big_endian{StoredType::Kind::signed_int, 2, true};
const StoredType uint8{StoredType::Kind::unsigned_int, 1};

// The independent reference: RankMe of the float64 SVD of exactly the stored values.
double reference_of(const std::vector<double>& stored, std::uint64_t rows, std::uint64_t cols, double eps = 1e-7) {
  return testing::reference_rankme(testing::reference_singular_values(stored, rows, cols), eps);
}

std::vector<double> linear_spectrum(std::size_t count, double first, double last) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) {
    s[k] = count == 1 ? first : first + (last - first) * static_cast<double>(k) / static_cast<double>(count - 1);
  }
  return s;
}

std::vector<double> geometric_spectrum(std::size_t count, double ratio) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) s[k] = std::pow(ratio, static_cast<double>(k));
  return s;
}

std::vector<double> scaled(std::vector<double> values, double factor, double offset = 0) {
  for (double& v : values) v = v * factor + offset;
  return values;
}

// A well-conditioned float64 matrix (singular values 3 .. 0.5), the default test subject.
std::vector<double> plain_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  return testing::matrix_with_singular_values(rows, cols, linear_spectrum(std::min(rows, cols), 3.0, 0.5), seed);
}

struct ScoredMatrix {
  std::string dataset;
  std::uint64_t rows = 0, cols = 0;
  std::string dtype;   // what the dtype field must contain
  double tolerance;    // relative, against the reference
  double expected;     // reference RankMe
};

// Writes a matrix and returns it with its reference RankMe.
ScoredMatrix add_matrix(const std::string& file, const std::string& dataset, const std::vector<double>& values,
                        std::uint64_t rows, std::uint64_t cols, const StoredType& type, const std::string& dtype,
                        double tolerance, const Layout& layout = {}) {
  const std::vector<double> stored = testing::write_matrix(file, dataset, values, rows, cols, type, layout);
  return ScoredMatrix{dataset, rows, cols, dtype, tolerance, reference_of(stored, rows, cols)};
}

void check_hdf5_call(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("test fixture: " + what + " failed");
}

// A second hard link to an existing object (the fixture library has soft and external links only).
void make_hard_link(const std::string& file, const std::string& target, const std::string& link) {
  const hid_t handle = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  check_hdf5_call(handle >= 0, "H5Fopen " + file);
  const hid_t link_creation = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(link_creation, 1);
  const herr_t status = H5Lcreate_hard(handle, target.c_str(), handle, link.c_str(), link_creation, H5P_DEFAULT);
  H5Pclose(link_creation);
  H5Fclose(handle);
  check_hdf5_call(status >= 0, "H5Lcreate_hard " + link);
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
// The harness itself

TEST(Harness, KillsAHungLaunchWithAllItsRanksAndSaysSo) {
  // mpiexec puts each rank in its own process group: the timeout must still end everything.
  const RunResult result =
      run_command({RANKME_MPIEXEC, "-n", "2", "--oversubscribe", "/bin/sleep", "30"}, /*timeout_seconds=*/1.5);
  EXPECT_TRUE(result.hung);
  EXPECT_LT(result.seconds, 10.0);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_GE(result.killed.size(), 2u) << "both ranks were found below mpiexec";
  // Every killed process is gone or a zombie (dead, waiting for init to reap it) within 5 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const pid_t pid : result.killed) {
    const std::string stat_path = "/proc/" + std::to_string(pid) + "/stat";
    auto alive = [&] {
      const std::string stat = read_whole_file(stat_path);
      const std::size_t paren = stat.rfind(')');
      return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
    };
    while (alive() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(alive()) << "process " << pid << " survived the kill";
  }
}

// ------------------------------------------------------------------------------------------------
// Known spectra

struct KnownSpectraFile {
  TemporaryDirectory directory{"rankme-cli-spectra-"};
  std::string file = directory.file("spectra.h5");
  std::vector<ScoredMatrix> matrices;

  KnownSpectraFile() {
    const std::string& f = file;
    matrices.push_back(add_matrix(f, "/flat_rank10", testing::matrix_with_singular_values(120, 40, std::vector<double>(10, 1.0), 1),
                                  120, 40, float64, "float64", 1e-9));
    // Ratio 0.8: the smallest singular value is 1.5e-3 of the largest. (At 0.7, 3e-5, the Gram matrix's
    // condition number reaches 1e9 and its rounding alone moves RankMe by 1.5e-12 between rank counts,
    // more than the 1e-12 agreement asked for; the reference check still holds to 1e-9 there.)
    matrices.push_back(add_matrix(f, "/geometric", testing::matrix_with_singular_values(120, 30, geometric_spectrum(30, 0.8), 2),
                                  120, 30, float64, "float64", 1e-9));
    // Exactly rank 5: the Gram route must not turn rounding noise into 145 spurious singular values.
    matrices.push_back(add_matrix(f, "/rank5_of_150", testing::matrix_with_singular_values(300, 150, {5, 4, 3, 2, 1}, 3),
                                  300, 150, float64, "float64", 1e-9));
    // Fewer rows than columns: only min(N, K) = 20 singular values count.
    matrices.push_back(add_matrix(f, "/wide_20x80", testing::matrix_with_singular_values(20, 80, linear_spectrum(20, 2, 0.5), 4),
                                  20, 80, float64, "float64", 1e-9));
    matrices.push_back(add_matrix(f, "/float16", plain_matrix(64, 16, 5), 64, 16, float16, "float16", 1e-6));
    matrices.push_back(add_matrix(f, "/float32", plain_matrix(101, 24, 6), 101, 24, float32, "float32", 1e-6));
    matrices.push_back(add_matrix(f, "/float64", plain_matrix(101, 24, 6), 101, 24, float64, "float64", 1e-9));
    matrices.push_back(add_matrix(f, "/int16_big_endian", scaled(plain_matrix(101, 24, 7), 20000), 101, 24,
                                  int16_big_endian, "int16", 1e-6));
    matrices.push_back(add_matrix(f, "/uint8", scaled(plain_matrix(90, 12, 8), 120, 128), 90, 12, uint8, "uint8", 1e-6));
    Layout gzip;
    gzip.kind = Layout::Kind::chunked;
    gzip.chunk_rows = 16;
    gzip.chunk_cols = 8;
    gzip.gzip = true;
    gzip.shuffle = true;
    matrices.push_back(add_matrix(f, "/gzip_shuffle", plain_matrix(101, 24, 9), 101, 24, float32, "float32", 1e-6, gzip));
    // Each chunk holds whole columns (all rows): every rank reads a slice of every chunk.
    Layout columns;
    columns.kind = Layout::Kind::chunked;
    columns.chunk_rows = 101;
    columns.chunk_cols = 5;
    matrices.push_back(add_matrix(f, "/whole_column_chunks", plain_matrix(101, 24, 10), 101, 24, float64, "float64", 1e-9, columns));
    Layout compact;
    compact.kind = Layout::Kind::compact;
    matrices.push_back(add_matrix(f, "/compact", plain_matrix(30, 6, 12), 30, 6, float64, "float64", 1e-9, compact));
    // Every stored type the fixture library writes (integers scaled to use their range).
    std::uint64_t seed = 100;
    for (const StoredType& type : testing::all_supported_stored_types()) {
      std::vector<double> values = plain_matrix(40, 12, ++seed);
      if (type.kind != StoredType::Kind::floating) {
        const bool one_byte = type.bytes == 1;
        const bool is_unsigned = type.kind == StoredType::Kind::unsigned_int;
        values = scaled(values, one_byte ? 60 : 20000, is_unsigned ? (one_byte ? 128 : 30000) : 0);
      }
      std::string base_name = type.name();  // "int32be" -> "int32": the byte order is not the point here
      for (const char* suffix : {"le", "be"}) {
        if (base_name.size() > 2 && base_name.compare(base_name.size() - 2, 2, suffix) == 0) base_name.resize(base_name.size() - 2);
      }
      const bool is_float64 = type.kind == StoredType::Kind::floating && type.bytes == 8;
      matrices.push_back(add_matrix(f, "/all_types/" + type.name(), values, 40, 12, type, base_name, is_float64 ? 1e-9 : 1e-6));
    }
    // 64-bit integers beyond 2^53 and (unsigned) beyond 2^63: widened as unsigned, to the nearest double.
    const StoredType uint64{StoredType::Kind::unsigned_int, 8};
    const StoredType int64_big_endian{StoredType::Kind::signed_int, 8, true};
    matrices.push_back(add_matrix(f, "/big_integers/uint64", scaled(plain_matrix(40, 6, 13), 1e18, 1.2e19), 40, 6, uint64,
                                  "uint64", 1e-6));
    matrices.push_back(add_matrix(f, "/big_integers/int64be", scaled(plain_matrix(40, 6, 14), 1e19), 40, 6,
                                  int64_big_endian, "int64", 1e-6));
    // Fewer rows than ranks at 4 ranks: one rank reads nothing and must still take part.
    matrices.push_back(add_matrix(f, "/tiny_3x5", testing::matrix_with_singular_values(3, 5, {2, 1, 0.5}, 11), 3, 5,
                                  float64, "float64", 1e-9));
  }
};

const KnownSpectraFile& known_spectra() {
  static const KnownSpectraFile fixture;
  return fixture;
}

// 0 means: started without mpiexec. These tests pin the double route's accuracy (the fixtures' own
// tolerances, 1e-12 between rank counts): --precision double. The default, auto, has its own test below.
const RunResult& known_spectra_run(int ranks, const std::string& precision = "double") {
  if (precision == "default") return run_rankme_cached(ranks, {"--format", "jsonl", known_spectra().file});
  return run_rankme_cached(ranks, {"--format", "jsonl", "--precision", precision, known_spectra().file});
}

TEST(KnownSpectra, MatchTheFloat64ReferenceAtOneTwoThreeAndFourRanks) {
  const KnownSpectraFile& fixture = known_spectra();
  for (int ranks : {1, 2, 3, 4}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = known_spectra_run(ranks);
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash(result);
    const std::vector<json> rows = parse_jsonl(result);
    // Only rank 0 reports: one line per dataset, not one per rank.
    EXPECT_EQ(rows.size(), fixture.matrices.size()) << result;
    for (const ScoredMatrix& matrix : fixture.matrices) {
      SCOPED_TRACE(matrix.dataset);
      const json row = row_for(rows, matrix.dataset);
      if (!row.is_object()) continue;
      EXPECT_EQ(row.value("rows", json()), matrix.rows);
      EXPECT_EQ(row.value("cols", json()), matrix.cols);
      EXPECT_EQ(row.value("ranks", json()), ranks);
      EXPECT_TRUE(contains(row.value("dtype", std::string()), matrix.dtype)) << row.dump();
      if (const auto value = ok_rankme(row, matrix.dataset)) {
        EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance);
      }
    }
  }
}

TEST(KnownSpectra, SingletonRunWithoutMpiexecMatchesTheReference) {
  const KnownSpectraFile& fixture = known_spectra();
  const RunResult& result = known_spectra_run(0);
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash(result);
  const std::vector<json> rows = parse_jsonl(result);
  EXPECT_EQ(rows.size(), fixture.matrices.size()) << result;
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    const json row = row_for(rows, matrix.dataset);
    if (!row.is_object()) continue;
    EXPECT_EQ(row.value("ranks", json()), 1);
    if (const auto value = ok_rankme(row, matrix.dataset)) {
      EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance);
    }
  }
}

TEST(KnownSpectra, RankCountsAgreeWithEachOtherTo1e12) {
  // The reduction order changes with the rank count; the answer must not (beyond rounding).
  const KnownSpectraFile& fixture = known_spectra();
  std::map<int, std::vector<json>> rows_by_ranks;
  for (int ranks : {0, 1, 2, 3, 4}) rows_by_ranks[ranks] = parse_jsonl(known_spectra_run(ranks));
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    const auto one_rank = ok_rankme(row_for(rows_by_ranks[1], matrix.dataset), "1 rank");
    if (!one_rank) continue;
    for (int ranks : {0, 2, 3, 4}) {
      SCOPED_TRACE("ranks = " + std::to_string(ranks));
      const auto value = ok_rankme(row_for(rows_by_ranks[ranks], matrix.dataset), matrix.dataset);
      if (value) {
        EXPECT_RELATIVE_NEAR(*value, *one_rank, 1e-12);
      }
    }
  }
}

TEST(KnownSpectra, DefaultPrecisionKeepsAutosPromiseAtEveryRankCount) {
  // The default is --precision auto: float32 block products where its criterion allows, within 1e-6 of the
  // float64 SVD (or the fixture's tolerance where that is looser), and JSON saying which precision it was.
  const KnownSpectraFile& fixture = known_spectra();
  for (int ranks : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = known_spectra_run(ranks, "default");
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), fixture.matrices.size()) << result;
    for (const ScoredMatrix& matrix : fixture.matrices) {
      SCOPED_TRACE(matrix.dataset);
      const json row = row_for(rows, matrix.dataset);
      if (!row.is_object()) continue;
      const std::string precision = row.value("precision", std::string());
      EXPECT_TRUE(precision == "mixed" || precision == "double") << row.dump();
      if (const auto value = ok_rankme(row, matrix.dataset)) {
        EXPECT_RELATIVE_NEAR(*value, matrix.expected, std::max(matrix.tolerance, 1e-6));
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Output formats

struct FormatsFile {
  TemporaryDirectory directory{"rankme-cli-formats-"};
  std::string file = directory.file("a,b.h5");  // a comma, for CSV quoting
  std::string nan_file = directory.file("nan.h5");
  ScoredMatrix x, y, z;
  FormatsFile() {
    x = add_matrix(file, "/x", plain_matrix(40, 6, 21), 40, 6, float32, "float32", 1e-6);
    y = add_matrix(file, "/y", plain_matrix(30, 5, 22), 30, 5, float64, "float64", 1e-9);
    z = add_matrix(file, "/grp/z", plain_matrix(25, 4, 23), 25, 4, float64, "float64", 1e-9);
    std::vector<double> values = plain_matrix(20, 4, 24);
    values.back() = std::nan("");
    testing::write_matrix(nan_file, "/nan", values, 20, 4, float64);
  }
};

const FormatsFile& formats_file() {
  static const FormatsFile fixture;
  return fixture;
}

TEST(OutputFormats, TableHasAHeaderAndOneRowPerDataset) {
  const FormatsFile& fixture = formats_file();
  const RunResult result = run_rankme(3, {fixture.file});  // table is the default
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash(result);
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 4u) << result;
  EXPECT_TRUE(contains_nocase(lines[0], "dataset") && contains_nocase(lines[0], "rankme")) << lines[0];
  for (const ScoredMatrix* matrix : {&fixture.x, &fixture.y, &fixture.z}) {
    const auto row = std::count_if(lines.begin() + 1, lines.end(), [&](const std::string& line) {
      return contains_word(line, matrix->dataset) && contains(line, fixture.file);
    });
    EXPECT_EQ(row, 1) << matrix->dataset << result;
  }
  // The printed RankMe (6 decimals in the product's table) must be the number, not a status.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_FALSE(contains(lines[i], "error") || contains(lines[i], "nonfinite")) << lines[i];
  }
}

TEST(OutputFormats, JsonlRowsHaveEveryKeyWithTheRightType) {
  const FormatsFile& fixture = formats_file();
  // One ok, one nonfinite and one error row, so that every status is checked.
  const std::string missing = fixture.file + ":/missing";
  const RunResult result = run_rankme(3, {"--format", "jsonl", fixture.file + ":/x", fixture.nan_file + ":/nan", missing});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash(result);
  const std::vector<json> rows = parse_jsonl(result);
  ASSERT_EQ(rows.size(), 3u) << result;
  std::set<std::string> statuses;
  for (const json& row : rows) {
    SCOPED_TRACE(row.dump());
    ASSERT_TRUE(row.is_object());
    for (const char* key : {"file", "dataset", "rows", "cols", "dtype", "rankme", "status", "error", "seconds", "ranks", "solver"}) {
      EXPECT_TRUE(row.contains(key)) << "missing key " << key;
    }
    EXPECT_TRUE(row.value("file", json()).is_string());
    EXPECT_TRUE(row.value("dataset", json()).is_string());
    EXPECT_TRUE(row.value("rows", json()).is_number_unsigned());
    EXPECT_TRUE(row.value("cols", json()).is_number_unsigned());
    EXPECT_TRUE(row.value("dtype", json()).is_string());
    EXPECT_TRUE(row.value("seconds", json()).is_number());
    EXPECT_GE(row.value("seconds", -1.0), 0.0);
    EXPECT_TRUE(row.value("ranks", json()).is_number_integer());
    EXPECT_EQ(row.value("ranks", json()), 3);
    const std::string status = row.value("status", std::string());
    statuses.insert(status);
    EXPECT_TRUE(status == "ok" || status == "nonfinite" || status == "error") << status;
    // rankme is a number exactly when the status is ok.
    EXPECT_EQ(row.value("rankme", json()).is_number(), status == "ok");
    EXPECT_EQ(row.value("rankme", json(0)).is_null(), status != "ok");
    // error is a message for an error row and null for an ok row.
    if (status == "error") {
      EXPECT_TRUE(row.value("error", json()).is_string() && !row["error"].get<std::string>().empty());
    }
    if (status == "ok") {
      EXPECT_TRUE(row.value("error", json(0)).is_null());
    }
    EXPECT_TRUE(row.value("solver", json(0)).is_string() || row.value("solver", json(0)).is_null());
    if (status == "ok") {
      EXPECT_TRUE(row.value("solver", json()).is_string());
    }
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"ok", "nonfinite", "error"}));
  const json x = row_for(rows, "/x");
  EXPECT_EQ(x.value("file", json()), fixture.file);  // as given on the command line
  if (const auto value = ok_rankme(x, "/x")) {
    EXPECT_RELATIVE_NEAR(*value, fixture.x.expected, fixture.x.tolerance);
  }
  const json bad = row_for(rows, "/missing");
  EXPECT_EQ(bad.value("status", json()), "error");
}

TEST(OutputFormats, CsvHasTheExactHeaderOneLinePerDatasetAndQuotesCommas) {
  const FormatsFile& fixture = formats_file();
  const RunResult result = run_rankme(2, {"--format", "csv", fixture.file, fixture.file + ":/missing"});
  EXPECT_EQ(result.exit_code, 1) << result;
  expect_no_crash(result);
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 5u) << result;  // header, /x, /y, /grp/z, /missing
  EXPECT_EQ(lines[0], "file,dataset,rows,cols,dtype,rankme,status,error,seconds,ranks,solver,effective_rank,stable_rank,participation_ratio,nesum,alpha_req,alpha_req_r2,condition_number,numerical_rank,top_eigenvalue_share");
  std::map<std::string, std::vector<std::string>> by_dataset;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    // The file name holds a comma: it must be quoted, or every later column shifts.
    EXPECT_EQ(lines[i].rfind("\"" + fixture.file + "\",", 0), 0u) << lines[i];
    const std::vector<std::string> fields = csv_fields(lines[i]);
    ASSERT_EQ(fields.size(), 20u) << lines[i];  // 11 result columns and 9 metric columns, on every line
    EXPECT_EQ(fields[0], fixture.file);
    EXPECT_EQ(fields[9], "2") << lines[i];
    by_dataset[fields[1]] = fields;
  }
  for (const ScoredMatrix* matrix : {&fixture.x, &fixture.y, &fixture.z}) {
    SCOPED_TRACE(matrix->dataset);
    ASSERT_EQ(by_dataset.count(matrix->dataset), 1u);
    const std::vector<std::string>& fields = by_dataset[matrix->dataset];
    EXPECT_EQ(fields[2], std::to_string(matrix->rows));
    EXPECT_EQ(fields[3], std::to_string(matrix->cols));
    EXPECT_EQ(fields[6], "ok");
    EXPECT_EQ(fields[7], "");
    EXPECT_RELATIVE_NEAR(std::strtod(fields[5].c_str(), nullptr), matrix->expected, matrix->tolerance);
  }
  ASSERT_EQ(by_dataset.count("/missing"), 1u);
  EXPECT_EQ(by_dataset["/missing"][5], "");  // no number for an error
  EXPECT_EQ(by_dataset["/missing"][6], "error");
  EXPECT_FALSE(by_dataset["/missing"][7].empty());
}

// ------------------------------------------------------------------------------------------------
// Whole-file scan

TEST(WholeFileScan, ScoresEveryMatrixAndNotesTheSkippedDatasets) {
  TemporaryDirectory directory("rankme-cli-scan-");
  const std::string file = directory.file("mixed.h5");
  const std::vector<ScoredMatrix> matrices = {
      add_matrix(file, "/m1", plain_matrix(50, 8, 31), 50, 8, float32, "float32", 1e-6),
      add_matrix(file, "/m2", plain_matrix(45, 6, 32), 45, 6, float64, "float64", 1e-9),
      add_matrix(file, "/nested/m3", plain_matrix(40, 5, 33), 40, 5, float16, "float16", 1e-6),
  };
  testing::write_array_of_rank(file, "/labels", {50});
  testing::write_string_dataset(file, "/names");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 3u) << result;
    for (const ScoredMatrix& matrix : matrices) {
      const json row = row_for(rows, matrix.dataset, file);
      if (const auto value = ok_rankme(row, matrix.dataset)) {
        EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance);
      }
    }
    const std::vector<std::string> notes = lines_starting_with(result.err, "rankme: note:");
    EXPECT_EQ(notes.size(), 2u) << result;
    EXPECT_EQ(std::count_if(notes.begin(), notes.end(), [](const std::string& n) { return contains(n, "/labels"); }), 1) << result;
    EXPECT_EQ(std::count_if(notes.begin(), notes.end(), [](const std::string& n) { return contains(n, "/names"); }), 1) << result;
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
  }
}

TEST(WholeFileScan, FileWithNothingScorableIsAnError) {
  TemporaryDirectory directory("rankme-cli-scan-");
  const std::string file = directory.file("nothing.h5");
  testing::write_array_of_rank(file, "/labels", {50});
  testing::write_string_dataset(file, "/names");
  testing::write_attribute_only_group(file, "/meta");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash(result);
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    ASSERT_EQ(errors.size(), 1u) << result;
    EXPECT_TRUE(contains(errors[0], file)) << errors[0];
    for (const json& row : parse_jsonl(result)) {
      EXPECT_EQ(row.value("status", json()), "error") << row.dump();
    }
  }
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
    testing::write_float_type_dataset(types, "/bfloat16", 15, 7, 8, 0, 7, 2, 127);
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
      {"ThreeD", in_types("/three_d"), dataset_of("/three_d"), "3-D", "float32", "2x3x4"},
      {"Scalar", in_types("/scalar"), dataset_of("/scalar"), "scalar", "float64", "scalar"},
      {"NullDataspace", in_types("/null_space"), dataset_of("/null_space"), "null", "float64", "null"},
      {"ZeroRows", in_types("/zero_rows"), dataset_of("/zero_rows"), "no rows", "float32", "0x4"},
      {"ZeroColumns", in_types("/zero_cols"), dataset_of("/zero_cols"), "no columns", "float32", "4x0"},
      {"Bfloat16", in_types("/bfloat16"), dataset_of("/bfloat16"), "IEEE", "float16", "2x2"},
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
  expect_no_crash(result);
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
    expect_no_crash(result);
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
    expect_no_crash(result);
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
  }
}

// ------------------------------------------------------------------------------------------------
// Non-finite and zero data

struct NonFiniteFile {
  TemporaryDirectory directory{"rankme-cli-nonfinite-"};
  std::string file = directory.file("nonfinite.h5");
  ScoredMatrix good;
  NonFiniteFile() {
    // 50 rows: the last row is read by the last rank at 3 ranks (rows 34..49) and at 4 (38..49).
    const std::uint64_t rows = 50, cols = 6;
    std::vector<double> with_nan = plain_matrix(rows, cols, 61);
    with_nan[(rows - 1) * cols + 2] = std::nan("");
    testing::write_matrix(file, "/nan_float32", with_nan, rows, cols, float32);
    testing::write_matrix(file, "/nan_float16", with_nan, rows, cols, float16);
    std::vector<double> with_inf = plain_matrix(rows, cols, 62);
    with_inf[(rows - 1) * cols] = -std::numeric_limits<double>::infinity();
    testing::write_matrix(file, "/inf_float64", with_inf, rows, cols, float64);
    testing::write_matrix(file, "/zeros", std::vector<double>(rows * cols, 0.0), rows, cols, float32);
    good = add_matrix(file, "/good", plain_matrix(rows, cols, 63), rows, cols, float64, "float64", 1e-9);
  }
};

const NonFiniteFile& nonfinite_file() {
  static const NonFiniteFile fixture;
  return fixture;
}

TEST(NonFinite, NaNOrInfOnTheLastRankGivesNonfiniteNullAndAWarning) {
  const NonFiniteFile& fixture = nonfinite_file();
  for (int ranks : {1, 3, 4}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = run_rankme_cached(ranks, {"--format", "jsonl", fixture.file});
    EXPECT_EQ(result.exit_code, 0) << "a nonfinite dataset counts as scored" << result;
    expect_no_crash(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 5u) << result;
    const std::vector<std::string> warnings = lines_starting_with(result.err, "rankme: warning:");
    EXPECT_EQ(warnings.size(), 3u) << result;
    for (const char* dataset : {"/nan_float32", "/nan_float16", "/inf_float64"}) {
      SCOPED_TRACE(dataset);
      const json row = row_for(rows, dataset);
      EXPECT_EQ(row.value("status", json()), "nonfinite") << row.dump();
      EXPECT_TRUE(row.value("rankme", json(0)).is_null()) << row.dump();
      EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                              [&](const std::string& w) { return contains(w, dataset) && contains(w, "NaN"); }),
                1)
          << result;
    }
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
    if (const auto value = ok_rankme(row_for(rows, "/good"), "/good")) {
      EXPECT_RELATIVE_NEAR(*value, fixture.good.expected, 1e-9);
    }
  }
}

TEST(NonFinite, AllZeroDatasetScoresZeroWithStatusOk) {
  const NonFiniteFile& fixture = nonfinite_file();
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult& result = run_rankme_cached(ranks, {"--format", "jsonl", fixture.file});
    const auto value = ok_rankme(row_for(parse_jsonl(result), "/zeros"), "/zeros");
    if (value) {
      EXPECT_EQ(*value, 0.0);
    }
  }
}

TEST(NonFinite, NeverWrittenChunkedDatasetIsAnIncompleteErrorNotZeros) {
  // No chunk is allocated: reading would give the fill value 0 everywhere, a score that means nothing.
  // At 3 ranks with blocks of 1 row, an unguarded read would also hang (see test_dataset_score).
  TemporaryDirectory directory("rankme-cli-unallocated-");
  const std::string file = directory.file("unallocated.h5");
  testing::write_unallocated_dataset(file, "/empty", 70, 5);
  for (const char* block_rows : {"1", "1000"}) {
    const RunResult result = run_rankme(3, {"--format", "jsonl", "--block-rows", block_rows, file});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash(result);
    const auto rows = parse_jsonl(result);
    const nlohmann::json row = row_for(rows, "/empty");
    EXPECT_EQ(row.value("status", ""), "error") << result;
    EXPECT_TRUE(row.contains("rankme") && row["rankme"].is_null()) << result;
    EXPECT_NE(result.err.find("incomplete"), std::string::npos) << result;
  }
}

// ------------------------------------------------------------------------------------------------
// Usage

TEST(Usage, ErrorsExitTwoWithOneMessageOnStderrAndNothingOnStdout) {
  const std::string file = known_spectra().file;
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--bogus", file},
      {"--format", "xml", file},
      {"--block-rows", "0", file},
      {"--eps", "-1", file},
  };
  for (const auto& args : cases) {
    const RunResult result = run_rankme(3, args);
    SCOPED_TRACE(result.command);
    EXPECT_EQ(result.exit_code, 2) << result;
    expect_no_crash(result);
    EXPECT_EQ(result.out, "") << result;
    // Printed by rank 0 only: one "rankme:" line, not one per rank.
    const std::vector<std::string> messages = lines_starting_with(result.err, "rankme:");
    ASSERT_EQ(messages.size(), 1u) << result;
    EXPECT_TRUE(contains_nocase(messages[0], "usage")) << messages[0];
  }
}

TEST(Usage, NanEpsIsAUsageErrorNotASilentlyWrongNumber) {
  // NaN passes a "not negative" check (every comparison with NaN is false) but is no epsilon.
  const RunResult result = run_rankme(1, {"--format", "jsonl", "--eps", "nan", formats_file().file + ":/x"});
  EXPECT_EQ(result.exit_code, 2) << result;
  EXPECT_EQ(result.out, "") << result;
  const std::vector<std::string> messages = lines_starting_with(result.err, "rankme:");
  ASSERT_EQ(messages.size(), 1u) << result;
  EXPECT_TRUE(contains_nocase(messages[0], "usage")) << messages[0];
}

TEST(Usage, HelpAndVersionExitZeroAndPrintOnce) {
  const RunResult help = run_rankme(3, {"--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  expect_no_crash(help);
  for (const char* option : {"--format", "--solver", "--block-rows", "--eps"}) {
    std::size_t count = 0;
    for (const std::string& line : lines_of(help.out)) count += contains(line, std::string(option) + " ") ? 1 : 0;
    EXPECT_EQ(count, 1u) << option << " documented once" << help;
  }
  EXPECT_EQ(lines_starting_with(help.err, "rankme:").size(), 0u) << help;

  const RunResult version = run_rankme(3, {"--version"});
  EXPECT_EQ(version.exit_code, 0) << version;
  expect_no_crash(version);
  const std::vector<std::string> lines = lines_of(version.out);
  ASSERT_EQ(lines.size(), 1u) << version;
  const bool has_digit =
      std::any_of(lines[0].begin(), lines[0].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  EXPECT_TRUE(contains(lines[0], "rankme") && has_digit) << lines[0];
}

// ------------------------------------------------------------------------------------------------
// FILE:DATASET

TEST(InputSpec, ColonsInFileAndDatasetNamesAndRelativeDatasetPaths) {
  TemporaryDirectory directory("rankme-cli-colons-");
  const std::string colon_file = directory.file("run:1.h5");
  const std::string plain_file = directory.file("file.h5");
  const ScoredMatrix colon = add_matrix(colon_file, "/emb:v2", plain_matrix(40, 7, 71), 40, 7, float32, "float32", 1e-6);
  const ScoredMatrix nested = add_matrix(colon_file, "/group/ds", plain_matrix(35, 5, 72), 35, 5, float64, "float64", 1e-9);
  const ScoredMatrix relative = add_matrix(plain_file, "/group/ds", plain_matrix(30, 6, 73), 30, 6, float64, "float64", 1e-9);
  const RunResult result = run_rankme(2, {"--format", "jsonl", colon_file + ":/emb:v2", colon_file + ":group/ds",
                                          plain_file + ":group/ds", colon_file});
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash(result);
  const std::vector<json> rows = parse_jsonl(result);
  // 3 named datasets; the whole-file scan of run:1.h5 reaches the same two again, and a dataset is
  // scored once however many inputs reach it.
  ASSERT_EQ(rows.size(), 3u) << result;
  for (const json& row : rows) EXPECT_EQ(row.value("status", json()), "ok") << row.dump();
  // File as given, dataset made absolute.
  const json colon_row = row_for(rows, "/emb:v2", colon_file);
  const json nested_row = row_for(rows, "/group/ds", colon_file);
  const json relative_row = row_for(rows, "/group/ds", plain_file);
  if (const auto value = ok_rankme(colon_row, "/emb:v2")) {
    EXPECT_RELATIVE_NEAR(*value, colon.expected, colon.tolerance);
  }
  if (const auto value = ok_rankme(nested_row, "/group/ds")) {
    EXPECT_RELATIVE_NEAR(*value, nested.expected, nested.tolerance);
  }
  if (const auto value = ok_rankme(relative_row, "/group/ds")) {
    EXPECT_RELATIVE_NEAR(*value, relative.expected, relative.tolerance);
  }
}

// ------------------------------------------------------------------------------------------------
// Options

struct OptionsFile {
  TemporaryDirectory directory{"rankme-cli-options-"};
  std::string file = directory.file("options.h5");
  std::vector<ScoredMatrix> matrices;
  OptionsFile() {
    Layout chunked;
    chunked.kind = Layout::Kind::chunked;
    chunked.chunk_rows = 10;
    chunked.chunk_cols = 20;
    matrices.push_back(add_matrix(file, "/chunked_float32", plain_matrix(101, 20, 81), 101, 20, float32, "float32", 1e-6, chunked));
    matrices.push_back(add_matrix(file, "/float64", testing::matrix_with_singular_values(97, 16, geometric_spectrum(16, 0.6), 82),
                                  97, 16, float64, "float64", 1e-9));
  }
};

const OptionsFile& options_file() {
  static const OptionsFile fixture;
  return fixture;
}

std::map<std::string, double> rankme_by_dataset(const RunResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result;
  expect_no_crash(result);
  std::map<std::string, double> values;
  for (const json& row : parse_jsonl(result)) {
    if (const auto value = ok_rankme(row, row.value("dataset", std::string()))) values[row["dataset"]] = *value;
  }
  return values;
}

TEST(Options, BlockRowsOneAndSevenGiveTheDefaultResult) {
  // In double the block size changes only the order of the sums (1e-12); float32 block products round
  // each block's sums, so there the block size moves the result within the float32 noise that auto's
  // criterion bounds (--precision auto promises 1e-6 against a float64 SVD).
  const OptionsFile& fixture = options_file();
  for (const char* precision : {"double", "auto"}) {
    SCOPED_TRACE(std::string("--precision ") + precision);
    const double tolerance = std::string(precision) == "double" ? 1e-12 : 1e-6;
    const auto by_default = rankme_by_dataset(run_rankme(3, {"--format", "jsonl", "--precision", precision, fixture.file}));
    ASSERT_EQ(by_default.size(), fixture.matrices.size());
    for (const ScoredMatrix& matrix : fixture.matrices) {
      // Double: the fixture's own tolerance; auto: its promise where that is looser.
      const double against_svd = std::string(precision) == "double" ? matrix.tolerance : std::max(matrix.tolerance, 1e-6);
      EXPECT_RELATIVE_NEAR(by_default.at(matrix.dataset), matrix.expected, against_svd);
    }
    for (const char* block_rows : {"1", "7"}) {
      SCOPED_TRACE(std::string("--block-rows ") + block_rows);
      const auto blocked = rankme_by_dataset(
          run_rankme(3, {"--format", "jsonl", "--precision", precision, "--block-rows", block_rows, fixture.file}));
      ASSERT_EQ(blocked.size(), fixture.matrices.size());
      for (const ScoredMatrix& matrix : fixture.matrices) {
        EXPECT_RELATIVE_NEAR(blocked.at(matrix.dataset), by_default.at(matrix.dataset), tolerance) << matrix.dataset;
      }
    }
  }
}

TEST(Options, PrecisionAndTimingsAreInTheJsonOfEveryRow) {
  // Which precision produced each number, whether auto fell back, and with --timings every phase.
  const OptionsFile& fixture = options_file();
  for (const char* precision : {"double", "mixed", "auto"}) {
    SCOPED_TRACE(std::string("--precision ") + precision);
    const RunResult result = run_rankme(2, {"--format", "jsonl", "--precision", precision, "--timings", fixture.file});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<json> rows = parse_jsonl(result);
    ASSERT_EQ(rows.size(), fixture.matrices.size()) << result;
    for (const json& row : rows) {
      SCOPED_TRACE(row.dump());
      const std::string used = row.value("precision", std::string());
      if (std::string(precision) == "auto") {
        EXPECT_TRUE(used == "mixed" || used == "double") << used;
        EXPECT_EQ(row.value("precision_fallback", json()).get<bool>(), used == "double");
      } else {
        EXPECT_EQ(used, precision);
        EXPECT_EQ(row.value("precision_fallback", json()), false);
      }
      ASSERT_TRUE(row.contains("timings") && row["timings"].is_object());
      for (const char* phase : {"open", "read", "convert", "read_wait", "gram", "reduce", "eigensolve", "metrics", "total"}) {
        ASSERT_TRUE(row["timings"].contains(phase)) << phase;
        EXPECT_GE(row["timings"][phase].get<double>(), 0.0) << phase;
        EXPECT_LE(row["timings"][phase].get<double>(), row["timings"]["total"].get<double>()) << phase;
      }
      EXPECT_GT(row["timings"].value("block_rows", 0), 0);
      // ... and one line on stderr per dataset, for readers of the table.
      EXPECT_NE(result.err.find("rankme: timings: '" + row.value("dataset", std::string()) + "'"), std::string::npos)
          << result.err;
    }
  }
  // Without --timings there is no timings key, and the table and CSV are unchanged by the new keys.
  const RunResult plain = run_rankme(1, {"--format", "jsonl", fixture.file});
  for (const json& row : parse_jsonl(plain)) EXPECT_FALSE(row.contains("timings"));
}

TEST(Options, VerboseSaysHowManyBlasThreadsAndWhy) {
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(2, {"--verbose", "--threads", "1", "--quiet", fixture.file});
  EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_NE(result.err.find("rankme: 1 BLAS thread per rank (--threads"), std::string::npos) << result.err;
}

TEST(Options, BlockRowsNearTheUint64LimitNeverGiveAWrongResult) {
  // Such a value may be refused as a usage error (exit 2) or honoured (one block holds every row); what
  // it must never do is report some other number as "ok".
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(2, {"--format", "jsonl", "--block-rows", "18446744073709551615", fixture.file});
  expect_no_crash(result);
  if (result.exit_code == 2) {
    EXPECT_EQ(result.out, "") << result;
    return;
  }
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<json> rows = parse_jsonl(result);
  EXPECT_EQ(rows.size(), fixture.matrices.size()) << result;
  for (const ScoredMatrix& matrix : fixture.matrices) {
    if (const auto value = ok_rankme(row_for(rows, matrix.dataset), matrix.dataset)) {
      EXPECT_RELATIVE_NEAR(*value, matrix.expected, matrix.tolerance) << matrix.dataset;
    }
  }
}

TEST(Options, ScalapackOnATwoByTwoGridMatchesTheReference) {
  // 4 ranks make a 2x2 process grid: a distribution in both dimensions, unlike 1x3.
  const OptionsFile& fixture = options_file();
  const RunResult result = run_rankme(4, {"--format", "jsonl", "--solver", "scalapack", fixture.file});
  const auto values = rankme_by_dataset(result);
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    ASSERT_EQ(values.count(matrix.dataset), 1u) << result;
    EXPECT_RELATIVE_NEAR(values.at(matrix.dataset), matrix.expected, matrix.tolerance);
  }
}

TEST(Options, LapackAndScalapackAgreeAtThreeRanks) {
  const OptionsFile& fixture = options_file();
  std::map<std::string, std::map<std::string, double>> by_solver;
  for (const std::string solver : {"lapack", "scalapack"}) {
    const RunResult result = run_rankme(3, {"--format", "jsonl", "--solver", solver, fixture.file});
    by_solver[solver] = rankme_by_dataset(result);
    for (const json& row : parse_jsonl(result)) {
      // The report says which solver ran.
      EXPECT_EQ(row.value("solver", std::string()).rfind(solver, 0), 0u) << row.dump();
    }
  }
  for (const ScoredMatrix& matrix : fixture.matrices) {
    SCOPED_TRACE(matrix.dataset);
    ASSERT_EQ(by_solver["lapack"].count(matrix.dataset), 1u);
    ASSERT_EQ(by_solver["scalapack"].count(matrix.dataset), 1u);
    EXPECT_RELATIVE_NEAR(by_solver["scalapack"][matrix.dataset], by_solver["lapack"][matrix.dataset], 1e-12);
    EXPECT_RELATIVE_NEAR(by_solver["scalapack"][matrix.dataset], matrix.expected, matrix.tolerance);
  }
}

TEST(Options, EpsZeroGivesThePlainEntropyRank) {
  TemporaryDirectory directory("rankme-cli-eps-");
  const std::string file = directory.file("eps.h5");
  const std::vector<double> stored = testing::write_matrix(file, "/m", plain_matrix(50, 10, 83), 50, 10, float64);
  // In double: the difference the option makes (1e-10 and more) must stand clear of the rounding.
  const auto values = rankme_by_dataset(run_rankme(2, {"--format", "jsonl", "--precision", "double", "--eps", "0", file}));
  ASSERT_EQ(values.count("/m"), 1u);
  EXPECT_RELATIVE_NEAR(values.at("/m"), reference_of(stored, 50, 10, 0.0), 1e-9);
  // and it differs from the default-eps value by more than rounding (the option has an effect)
  EXPECT_GT(relative_difference(values.at("/m"), reference_of(stored, 50, 10)), 1e-10);
}

// ------------------------------------------------------------------------------------------------
// Links

TEST(Links, DatasetReachedTwiceIsScoredOnceInAWholeFileScan) {
  TemporaryDirectory directory("rankme-cli-links-");
  const std::string file = directory.file("links.h5");
  const ScoredMatrix a = add_matrix(file, "/a", plain_matrix(40, 8, 91), 40, 8, float64, "float64", 1e-9);
  const ScoredMatrix b = add_matrix(file, "/b", plain_matrix(30, 5, 92), 30, 5, float64, "float64", 1e-9);
  make_hard_link(file, "/a", "/grp/hard_a");
  testing::make_soft_link(file, "/soft_a", "/a");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 2u) << "/a through /a, /grp/hard_a and /soft_a is one dataset" << result;
    std::size_t a_rows = 0;
    for (const json& row : rows) {
      const std::string dataset = row.value("dataset", std::string());
      if (dataset == "/a" || dataset == "/grp/hard_a" || dataset == "/soft_a") {
        ++a_rows;
        if (const auto value = ok_rankme(row, dataset)) {
          EXPECT_RELATIVE_NEAR(*value, a.expected, 1e-9);
        }
      }
    }
    EXPECT_EQ(a_rows, 1u) << result;
    if (const auto value = ok_rankme(row_for(rows, "/b"), "/b")) {
      EXPECT_RELATIVE_NEAR(*value, b.expected, 1e-9);
    }
  }
}

TEST(Links, DanglingSoftAndMissingExternalLinksNamedExplicitlyAreErrors) {
  TemporaryDirectory directory("rankme-cli-links-");
  const std::string file = directory.file("links.h5");
  const ScoredMatrix a = add_matrix(file, "/a", plain_matrix(40, 8, 93), 40, 8, float64, "float64", 1e-9);
  testing::make_soft_link(file, "/soft_a", "/a");
  testing::make_soft_link(file, "/dangling", "/nowhere");
  testing::make_external_link(file, "/external", directory.file("absent.h5"), "/m");
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result =
        run_rankme(ranks, {"--format", "jsonl", file + ":/soft_a", file + ":/dangling", file + ":/external", file + ":/a"});
    EXPECT_EQ(result.exit_code, 1) << result;
    expect_no_crash(result);
    const std::vector<json> rows = parse_jsonl(result);
    EXPECT_EQ(rows.size(), 4u) << result;
    for (const char* dataset : {"/soft_a", "/a"}) {
      if (const auto value = ok_rankme(row_for(rows, dataset), dataset)) {
        EXPECT_RELATIVE_NEAR(*value, a.expected, 1e-9);
      }
    }
    const std::vector<std::string> errors = lines_starting_with(result.err, "rankme: error:");
    EXPECT_EQ(errors.size(), 2u) << result;
    for (const char* dataset : {"/dangling", "/external"}) {
      EXPECT_EQ(row_for(rows, dataset).value("status", json()), "error") << dataset;
      EXPECT_EQ(std::count_if(errors.begin(), errors.end(), [&](const std::string& e) { return contains(e, dataset); }), 1)
          << dataset << result;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Unusual numbers

TEST(UnusualNumbers, HugeTinyAndSubnormalValuesScoreLikeNormalScale) {
  TemporaryDirectory directory("rankme-cli-unusual-");
  const std::string file = directory.file("unusual.h5");
  const std::uint64_t rows = 61, cols = 12;
  const std::vector<double> normal = plain_matrix(rows, cols, 101);
  const ScoredMatrix plain = add_matrix(file, "/normal", normal, rows, cols, float64, "float64", 1e-9);
  // Squares of 1e200 overflow double and squares of 1e-200 underflow to 0: a naive Gram matrix fails.
  const ScoredMatrix huge = add_matrix(file, "/huge", scaled(normal, 1e200), rows, cols, float64, "float64", 1e-9);
  const ScoredMatrix tiny = add_matrix(file, "/tiny", scaled(normal, 1e-200), rows, cols, float64, "float64", 1e-9);
  // A different scale on each rank's rows (at 3 ranks: rows 0-20, 21-40, 41-60), all beyond the range
  // whose squares are safe: the ranks must bring their Gram matrices to a common scale before summing.
  std::vector<double> mixed = normal;
  for (std::uint64_t row = 0; row < rows; ++row) {
    const double factor = row < 21 ? 1e160 : (row < 41 ? 1e150 : 1e155);
    for (std::uint64_t col = 0; col < cols; ++col) mixed[row * cols + col] *= factor;
  }
  const ScoredMatrix mixed_scales = add_matrix(file, "/mixed_scales", mixed, rows, cols, float64, "float64", 1e-9);
  // float32 subnormals (below 1.2e-38), with the few bits of precision they have.
  const ScoredMatrix subnormal = add_matrix(file, "/subnormal_float32", scaled(normal, 1e-40), rows, cols, float32, "float32", 1e-6);
  for (int ranks : {1, 3}) {
    SCOPED_TRACE("ranks = " + std::to_string(ranks));
    const RunResult result = run_rankme(ranks, {"--format", "jsonl", file});
    EXPECT_EQ(result.exit_code, 0) << result;
    expect_no_crash(result);
    const std::vector<json> rows_out = parse_jsonl(result);
    const auto normal_value = ok_rankme(row_for(rows_out, "/normal"), "/normal");
    if (normal_value) {
      EXPECT_RELATIVE_NEAR(*normal_value, plain.expected, 1e-9);
    }
    for (const ScoredMatrix* matrix : {&huge, &tiny}) {
      SCOPED_TRACE(matrix->dataset);
      const auto value = ok_rankme(row_for(rows_out, matrix->dataset), matrix->dataset);
      if (!value) continue;
      EXPECT_RELATIVE_NEAR(*value, matrix->expected, 1e-9);
      if (normal_value) {
        EXPECT_RELATIVE_NEAR(*value, *normal_value, 1e-9);
      }
    }
    if (const auto value = ok_rankme(row_for(rows_out, "/mixed_scales"), "/mixed_scales")) {
      EXPECT_RELATIVE_NEAR(*value, mixed_scales.expected, 1e-9);
    }
    const auto value = ok_rankme(row_for(rows_out, "/subnormal_float32"), "/subnormal_float32");
    if (value) {
      EXPECT_TRUE(std::isfinite(*value));
      EXPECT_GT(*value, 1.0);
      EXPECT_RELATIVE_NEAR(*value, subnormal.expected, 1e-6);
    }
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: warning:").empty()) << result;
    EXPECT_TRUE(lines_starting_with(result.err, "rankme: error:").empty()) << result;
  }
}

}  // namespace
}  // namespace rankme
