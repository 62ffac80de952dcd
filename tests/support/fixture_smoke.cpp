// Smoke check of the fixture library (the HDF5 writer and the reference side), CMake target
// test_fixtures_match_h5py; by hand:
//
//   mpicxx -std=c++17 -I/usr/include/hdf5/openmpi -Itests tests/support/*.cpp ... (the files of
//       rankme_test_reference and rankme_test_fixtures in tests/CMakeLists.txt, and this one)
//       -L/usr/lib/x86_64-linux-gnu/hdf5/openmpi -lhdf5 -lopenblas -llapack
//   /tmp/fixture_smoke            # exit status 0 when everything checks out
//
// The C++ part writes every stored type in every layout plus the hostile inputs and checks what
// can be checked in-process (float16 rounding, error messages, error-handler restoration, SVD).
// It then writes a manifest and runs an embedded Python script with /usr/bin/python3, h5py, numpy
// and h5dump, which read the files independently of this library.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/float16_encoding.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/lapack_reference.hpp"
#include "support/plain_files.hpp"
#include "support/stored_value_encoding.hpp"
#include "support/temporary_directory.hpp"

namespace rt = rankme::testing;

namespace {

int failures = 0;

#define EXPECT(condition)                                                         \
  do {                                                                            \
    if (!(condition)) {                                                           \
      ++failures;                                                                 \
      std::fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #condition); \
    }                                                                             \
  } while (0)

// Runs `action`, expecting an exception of type E whose message contains every `needles` entry.
template <typename E>
void expect_throw(const char* label, const std::function<void()>& action,
                  const std::vector<std::string>& needles) {
  try {
    action();
  } catch (const E& error) {
    const std::string message = error.what();
    for (const auto& needle : needles) {
      if (message.find(needle) == std::string::npos) {
        ++failures;
        std::fprintf(stderr, "FAILED %s: message lacks '%s':\n%s\n", label, needle.c_str(),
                     message.c_str());
      }
    }
    std::printf("[expected error] %s:\n  %s\n", label, message.c_str());
    return;
  } catch (const std::exception& error) {
    ++failures;
    std::fprintf(stderr, "FAILED %s: wrong exception type: %s\n", label, error.what());
    return;
  }
  ++failures;
  std::fprintf(stderr, "FAILED %s: no exception\n", label);
}

// Counts calls of HDF5's automatic error handler: the fixtures must never trigger it.
int handler_calls = 0;
herr_t counting_handler(hid_t, void*) {
  ++handler_calls;
  return 0;
}

void save_doubles(const std::string& file, const std::vector<double>& values) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(double)));
  if (!out) throw std::runtime_error("cannot write " + file);
}

std::string slug(const std::string& text) {
  std::string out;
  for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// Values that exercise every conversion rule: ties, range limits, overflow, subnormals.
std::vector<double> tricky_values() {
  const double inf = std::numeric_limits<double>::infinity();
  return {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, 127.5, 128, -128.5, -129,
          255.5, 256, 32767.5, -32768.5, 65535.5, 65536, 2147483647.5, -2147483648.5, 4294967295.5,
          4294967296.0, 9.2233720368547758e18, -9.2233720368547758e18, -9.3e18,
          1.8446744073709552e19, 1e30, -1e30, inf, -inf,
          // float16 limits and ties
          65504, 65519.99, 65520, -65520, std::ldexp(1.0, -24), std::ldexp(1.0, -25),
          3 * std::ldexp(1.0, -25), std::ldexp(1.0, -14) - std::ldexp(1.0, -25),
          1 + std::ldexp(1.0, -11), 1 + 3 * std::ldexp(1.0, -11), -(1 + 3 * std::ldexp(1.0, -11)),
          6.1e-5, 5.96e-8, 2.98e-8, 1e-10,
          // float32 limits and ties
          1 + std::ldexp(1.0, -24), 1 + 3 * std::ldexp(1.0, -24), 3.4028234663852886e38,
          std::ldexp(1.0, 128) - std::ldexp(1.0, 103),
          std::ldexp(1.0, 128) - std::ldexp(1.0, 103) - std::ldexp(1.0, 75),
          -(std::ldexp(1.0, 128) - std::ldexp(1.0, 103)), 1e39, 1.4e-45, 7e-46, 1e-300};
}

std::vector<double> common_matrix(std::size_t count) {
  std::vector<double> values = tricky_values();
  std::mt19937_64 generator(12345);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> decade(-9.0, 21.0);
  while (values.size() < count)
    values.push_back(normal(generator) * std::pow(10.0, decade(generator)));
  values.resize(count);
  std::shuffle(values.begin(), values.end(), generator);
  return values;
}

// Many values aimed at float16's and float32's rounding edges, checked against numpy's casts.
std::vector<double> float_stress_matrix(std::size_t count) {
  std::mt19937_64 generator(777);
  std::uniform_int_distribution<int> mantissa(1024, 2047), sub_mantissa(0, 1023), half_exp(-14, 15),
      kind(0, 5), float_exp(-149, 127);
  std::uniform_real_distribution<double> log2_magnitude(-40.0, 20.0), unit(0.0, 1.0);
  std::vector<double> values;
  while (values.size() < count) {
    double x = 0;
    switch (kind(generator)) {
      case 0:
        x = (mantissa(generator) + 0.5) * std::ldexp(1.0, half_exp(generator) - 10);
        break;
      case 1:
        x = (sub_mantissa(generator) + 0.5) * std::ldexp(1.0, -24);
        break;
      case 2:
        x = std::exp2(log2_magnitude(generator));
        break;
      case 3:
        x = 65504 + 32 * unit(generator);
        break;
      case 4: {  // float32 ties: odd multiples of half a float ulp
        const int e = float_exp(generator);
        x = (std::ldexp(1.0, 23) + 2 * std::floor(unit(generator) * 4194304.0) + 1) *
            std::ldexp(1.0, std::max(e, -126) - 24);
        break;
      }
      default:
        x = (unit(generator) - 0.5) * 1e-4;
        break;
    }
    values.push_back(unit(generator) < 0.5 ? -x : x);
  }
  values[0] = std::numeric_limits<double>::quiet_NaN();
  values[1] = -std::numeric_limits<double>::quiet_NaN();
  values[2] = std::numeric_limits<double>::infinity();
  values[3] = -std::numeric_limits<double>::infinity();
  return values;
}

void check_float16_conversion() {
  EXPECT(rt::float16_bits_from_double(1.0) == 0x3c00);
  EXPECT(rt::float16_bits_from_double(-2.0) == 0xc000);
  EXPECT(rt::float16_bits_from_double(65504) == 0x7bff);
  EXPECT(rt::float16_bits_from_double(65519.99) == 0x7bff);
  EXPECT(rt::float16_bits_from_double(65520) == 0x7c00);
  EXPECT(rt::float16_bits_from_double(-1e300) == 0xfc00);
  EXPECT(rt::float16_bits_from_double(std::ldexp(1.0, -24)) == 0x0001);
  EXPECT(rt::float16_bits_from_double(std::ldexp(1.0, -25)) == 0x0000);  // tie to even (0)
  EXPECT(rt::float16_bits_from_double(std::ldexp(1.0, -25) * 1.0000001) == 0x0001);
  EXPECT(rt::float16_bits_from_double(3 * std::ldexp(1.0, -25)) == 0x0002);  // tie to even (2)
  EXPECT(rt::float16_bits_from_double(std::ldexp(1.0, -14) - std::ldexp(1.0, -25)) == 0x0400);
  EXPECT(rt::float16_bits_from_double(1 + std::ldexp(1.0, -11)) == 0x3c00);
  EXPECT(rt::float16_bits_from_double(1 + 3 * std::ldexp(1.0, -11)) == 0x3c02);
  EXPECT(rt::float16_bits_from_double(2047.5) == 0x6800);  // 2047.5 -> 2048 (mantissa carry)
  EXPECT(rt::float16_bits_from_double(-0.0) == 0x8000);
  EXPECT(rt::float16_bits_from_double(std::nan("")) == 0x7e00);
  EXPECT(std::isnan(rt::double_from_float16_bits(0x7e01)));
  EXPECT(rt::double_from_float16_bits(0x7c00) == std::numeric_limits<double>::infinity());
  EXPECT(rt::double_from_float16_bits(0x0001) == std::ldexp(1.0, -24));
  EXPECT(rt::double_from_float16_bits(0x7bff) == 65504.0);
  // Every non-NaN half survives a round trip through double.
  int mismatches = 0;
  for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const double value = rt::double_from_float16_bits(half);
    if (!std::isnan(value) && rt::float16_bits_from_double(value) != half) ++mismatches;
  }
  EXPECT(mismatches == 0);
}

void check_names() {
  const auto types = rt::all_supported_stored_types();
  EXPECT(types.size() == 20);
  std::vector<std::string> names;
  for (const auto& type : types) names.push_back(type.name());
  const std::vector<std::string> expected = {
      "float16le", "float16be", "float32le", "float32be", "float64le", "float64be", "int8",
      "int16le",   "int16be",   "int32le",   "int32be",   "int64le",   "int64be",   "uint8",
      "uint16le",  "uint16be",  "uint32le",  "uint32be",  "uint64le",  "uint64be"};
  EXPECT(names == expected);
  rt::Layout layout{rt::Layout::Kind::chunked, 7, 3, true, true};
  EXPECT(layout.name() == "chunked(7x3)+shuffle+gzip");
  EXPECT(rt::Layout{}.name() == "contiguous");
  EXPECT(rt::Layout{rt::Layout::Kind::compact}.name() == "compact");
}

void check_references(const rt::TemporaryDirectory& dir, std::ofstream& manifest) {
  struct Case {
    std::uint64_t rows, cols;
    std::vector<double> s;
    std::uint64_t seed;
  };
  const std::vector<Case> cases = {
      {40, 17, {9, 7, 5, 3, 2, 1, 0.75, 0.5}, 1},
      {12, 30, {4, 4, 4, 1, 1, 0.5, 0.5, 2, 3, 3.5, 0.6, 0.7}, 2},  // wide, full rank, repeats
      {25, 25, {10, 1}, 3},
      {1, 1, {3.5}, 4},
  };
  int index = 0;
  for (const auto& c : cases) {
    const auto z = rt::matrix_with_singular_values(c.rows, c.cols, c.s, c.seed);
    EXPECT(z == rt::matrix_with_singular_values(c.rows, c.cols, c.s, c.seed));  // reproducible
    // (a 1x1 result is +-s, so another seed may well give the same one)
    if (c.rows * c.cols > 1)
      EXPECT(z != rt::matrix_with_singular_values(c.rows, c.cols, c.s, c.seed + 1));
    const auto sv = rt::reference_singular_values(z, c.rows, c.cols);
    std::vector<double> expected = c.s;
    expected.resize(std::min(c.rows, c.cols), 0.0);
    std::sort(expected.rbegin(), expected.rend());
    EXPECT(sv.size() == expected.size());
    const double largest = expected.front();
    double worst = 0;
    for (std::size_t i = 0; i < sv.size() && i < expected.size(); ++i) {
      const double scale = expected[i] > 0 ? expected[i] : largest;
      worst = std::max(worst, std::fabs(sv[i] - expected[i]) / scale);
      EXPECT(std::fabs(sv[i] - expected[i]) <= 1e-12 * scale);
      if (i > 0) EXPECT(sv[i] <= sv[i - 1]);
    }
    std::printf("matrix_with_singular_values %llux%llu: worst relative error %.3g\n",
                static_cast<unsigned long long>(c.rows), static_cast<unsigned long long>(c.cols),
                worst);
    const std::string path = "/svd/case" + std::to_string(index);
    const std::string s_file = dir.file("svd" + std::to_string(index) + ".bin");
    rt::write_matrix(dir.file("svd.h5"), path, z, c.rows, c.cols,
                     {rt::StoredType::Kind::floating, 8, false});
    save_doubles(s_file, expected);
    manifest << "svd " << path << ' ' << s_file << '\n';
    ++index;
  }
  EXPECT(rt::matrix_with_singular_values(3, 4, {}, 9) == std::vector<double>(12, 0.0));
  EXPECT(rt::reference_singular_values({}, 0, 5).empty());

  // RankMe: uniform spectrum of k values -> about k; one value -> about 1; all zero -> 0.
  const double k = 10;
  const double p = 1 / k + 1e-7;
  EXPECT(std::fabs(rt::reference_rankme(std::vector<double>(10, 2.5)) -
                   std::exp(-k * p * std::log(p))) <= 1e-12);
  EXPECT(std::fabs(rt::reference_rankme(std::vector<double>(10, 2.5)) - 10) < 1e-4);
  EXPECT(std::fabs(rt::reference_rankme({3, 0, 0}) - 1) < 1e-4);
  EXPECT(rt::reference_rankme({0, 0, 0}) == 0.0);
  EXPECT(rt::reference_rankme({}) == 0.0);
  EXPECT(std::fabs(rt::reference_rankme({1, 1}, 0.0) - 2) < 1e-15);
}

}  // namespace

int main() {
  // Install a counting handler: the fixtures must silence it while they run and restore it after.
  H5Eset_auto2(H5E_DEFAULT, counting_handler, nullptr);

  check_float16_conversion();
  check_names();

  rt::TemporaryDirectory dir;
  std::printf("temporary directory: %s\n", dir.path().c_str());
  std::ofstream manifest(dir.file("manifest.txt"));
  const std::string matrices = dir.file("matrices.h5");

  // ---- every stored type in every layout ----
  const std::uint64_t rows = 23, cols = 11;
  const auto values = common_matrix(rows * cols);
  save_doubles(dir.file("common_input.bin"), values);
  const std::vector<rt::Layout> layouts = {
      rt::Layout{},
      rt::Layout{rt::Layout::Kind::chunked, 7, 3},
      rt::Layout{rt::Layout::Kind::chunked, rows, 1},
      rt::Layout{rt::Layout::Kind::chunked, 5, 5, /*gzip=*/true, /*shuffle=*/true},
      rt::Layout{rt::Layout::Kind::compact},
  };
  int written = 0;
  for (const auto& layout : layouts) {
    for (const auto& type : rt::all_supported_stored_types()) {
      const std::string path = "/matrices/" + slug(layout.name()) + "/" + type.name();
      const auto stored = rt::write_matrix(matrices, path, values, rows, cols, type, layout);
      EXPECT(stored.size() == values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        const double again = rt::stored_value(values[i], type);
        EXPECT(again == stored[i] || (std::isnan(again) && std::isnan(stored[i])));
      }
      const std::string stored_file = dir.file("stored_" + std::to_string(written++) + ".bin");
      save_doubles(stored_file, stored);
      manifest << "matrix " << path << ' ' << type.name() << ' ' << rows << ' ' << cols << ' '
               << static_cast<int>(layout.kind) << ' ' << layout.chunk_rows << ' '
               << layout.chunk_cols << ' ' << layout.shuffle << ' ' << layout.gzip << ' '
               << dir.file("common_input.bin") << ' ' << stored_file << '\n';
    }
  }

  // ---- float16/float32 rounding stress, NaN included, compared against numpy's casts ----
  const std::uint64_t stress_rows = 400, stress_cols = 100;
  const auto stress = float_stress_matrix(stress_rows * stress_cols);
  save_doubles(dir.file("stress_input.bin"), stress);
  for (const auto& type : rt::all_supported_stored_types()) {
    if (type.kind != rt::StoredType::Kind::floating) continue;
    const std::string path = "stress/" + type.name();  // relative path on purpose
    const auto stored = rt::write_matrix(matrices, path, stress, stress_rows, stress_cols, type,
                                         {rt::Layout::Kind::chunked, 64, 16, /*gzip=*/true});
    const std::string stored_file = dir.file("stored_" + std::to_string(written++) + ".bin");
    save_doubles(stored_file, stored);
    manifest << "matrix /" << path << ' ' << type.name() << ' ' << stress_rows << ' ' << stress_cols
             << " 1 64 16 0 1 " << dir.file("stress_input.bin") << ' ' << stored_file << '\n';
  }
  // Zero-sized matrices are legal HDF5 and must be writable.
  rt::write_matrix(matrices, "/empty/rows0", {}, 0, 4, {rt::StoredType::Kind::floating, 4});
  rt::write_matrix(matrices, "/empty/cols0", {}, 4, 0, {rt::StoredType::Kind::floating, 8, true});

  // ---- hostile inputs ----
  const std::string hostile = dir.file("hostile.h5");
  rt::write_string_dataset(hostile, "/bad/strings");
  rt::write_compound_dataset(hostile, "/bad/compound");
  rt::write_array_of_rank(hostile, "/rank/r1", {5});
  rt::write_array_of_rank(hostile, "/rank/r3", {2, 3, 4});
  rt::write_array_of_rank(hostile, "/rank/zero_rows", {0, 3});
  rt::write_array_of_rank(hostile, "/rank/zero_middle", {4, 0, 2});
  rt::write_array_of_rank(hostile, "/rank/r0", {});
  rt::write_scalar_dataset(hostile, "/bad/scalar");
  rt::write_null_dataspace_dataset(hostile, "/bad/null");
  rt::write_bitfield_dataset(hostile, "/bad/bitfield");
  rt::write_enum_dataset(hostile, "/bad/enum");
  rt::write_float_type_dataset(hostile, "/bad/bfloat16", 15, 7, 8, 0, 7, 2, 127);
  rt::write_float_type_dataset(hostile, "/bad/float24", 23, 16, 7, 0, 16, 3, 63);
  rt::write_float_type_dataset(hostile, "/bad/float80", 79, 64, 15, 0, 64, 10, 16383);
  rt::write_unallocated_dataset(hostile, "/bad/unallocated", 100, 30);
  rt::make_soft_link(hostile, "/links/soft", "/rank/r3");
  rt::make_soft_link(hostile, "/links/dangling", "/does/not/exist");
  rt::make_external_link(hostile, "/links/external", matrices, "/matrices/contiguous/float64le");
  rt::make_external_link(hostile, "/links/external_missing", dir.file("missing.h5"), "/x");
  rt::write_attribute_only_group(hostile, "/attribute_only");
  rt::write_not_hdf5(dir.file("not_hdf5.h5"));
  rt::copy_truncated(matrices, dir.file("truncated.h5"), 0.5);
  rt::copy_truncated(matrices, dir.file("truncated_empty.h5"), 0.0);
  manifest << "hostile " << hostile << ' ' << dir.file("not_hdf5.h5") << ' '
           << dir.file("truncated.h5") << ' ' << dir.file("truncated_empty.h5") << ' ' << matrices
           << '\n';

  // ---- failures must be clear exceptions, never HDF5 console noise ----
  const rt::StoredType f32{rt::StoredType::Kind::floating, 4};
  const std::vector<double> four = {1, 2, 3, 4};
  expect_throw<std::runtime_error>(
      "existing dataset",
      [&] { rt::write_matrix(matrices, "/matrices/compact/int8", four, 2, 2, f32); },
      {matrices, "/matrices/compact/int8", "already exists"});
  expect_throw<std::runtime_error>(
      "path through a dataset",
      [&] { rt::write_matrix(hostile, "/bad/scalar/child", four, 2, 2, f32); },
      {hostile, "/bad/scalar"});
  expect_throw<std::runtime_error>(
      "not an HDF5 file", [&] { rt::write_matrix(dir.file("not_hdf5.h5"), "/x", four, 2, 2, f32); },
      {dir.file("not_hdf5.h5"), "dataset '/x'", "HDF5 error stack"});
  expect_throw<std::runtime_error>(
      "compact too large",
      [&] {
        rt::write_matrix(matrices, "/too_big", std::vector<double>(200 * 100, 1.0), 200, 100,
                         {rt::StoredType::Kind::floating, 8}, {rt::Layout::Kind::compact});
      },
      {matrices, "/too_big", "compact", "H5Dcreate2"});
  expect_throw<std::runtime_error>("soft link over an existing object",
                                   [&] { rt::make_soft_link(hostile, "/bad/enum", "/x"); },
                                   {hostile, "already exists"});
  expect_throw<std::runtime_error>(
      "unwritable directory",
      [&] { rt::write_matrix(dir.file("no/such/dir/x.h5"), "/x", four, 2, 2, f32); },
      {"no/such/dir/x.h5", "dataset '/x'", "cannot create"});
  expect_throw<std::invalid_argument>(
      "unsupported stored type",
      [&] {
        rt::write_matrix(matrices, "/bad_type", four, 2, 2, {rt::StoredType::Kind::floating, 3});
      },
      {"float24le"});
  expect_throw<std::invalid_argument>("chunk larger than matrix",
                                      [&] {
                                        rt::write_matrix(matrices, "/big_chunk", four, 2, 2, f32,
                                                         {rt::Layout::Kind::chunked, 3, 1});
                                      },
                                      {"chunked(3x1)"});
  expect_throw<std::invalid_argument>("gzip without chunks",
                                      [&] {
                                        rt::write_matrix(
                                            matrices, "/gzip", four, 2, 2, f32,
                                            {rt::Layout::Kind::contiguous, 0, 0, true});
                                      },
                                      {"contiguous+gzip"});
  expect_throw<std::invalid_argument>("NaN into an integer",
                                      [&] {
                                        rt::write_matrix(matrices, "/nan_int",
                                                         {1, std::nan(""), 3, 4}, 2, 2,
                                                         {rt::StoredType::Kind::signed_int, 4});
                                      },
                                      {"NaN", "int32le"});
  expect_throw<std::invalid_argument>(
      "wrong value count", [&] { rt::write_matrix(matrices, "/count", four, 3, 2, f32); }, {"3x2"});
  expect_throw<std::invalid_argument>(
      "root path", [&] { rt::write_matrix(matrices, "/", four, 2, 2, f32); }, {"below the root"});
  expect_throw<std::runtime_error>("not_hdf5 over an existing file",
                                   [&] { rt::write_not_hdf5(matrices); }, {matrices});
  expect_throw<std::runtime_error>("copy_truncated over an existing file",
                                   [&] { rt::copy_truncated(hostile, matrices, 0.5); }, {matrices});
  expect_throw<std::invalid_argument>("too many singular values",
                                      [&] {
                                        rt::matrix_with_singular_values(2, 3, {1, 2, 3}, 0);
                                      },
                                      {"2x3"});

  // ---- references ----
  check_references(dir, manifest);
  manifest.close();

  // ---- TemporaryDirectory cleans up and moves ----
  {
    std::filesystem::path kept;
    {
      rt::TemporaryDirectory outer;
      std::ofstream(outer.file("a.txt")) << "x";
      rt::TemporaryDirectory moved(std::move(outer));
      kept = moved.path();
      EXPECT(outer.path().empty());
      EXPECT(std::filesystem::exists(kept / "a.txt"));
    }
    EXPECT(!kept.empty() && !std::filesystem::exists(kept));
  }

  // ---- the handler survived and was never called ----
  H5E_auto2_t function = nullptr;
  void* data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &function, &data);
  EXPECT(function == counting_handler);
  EXPECT(handler_calls == 0);

  // ---- independent checks with h5py, numpy and h5dump ----
  static const char* const script = R"PY(
import math, os, re, subprocess, sys
import numpy as np, h5py
from h5py import h5d, h5t, h5z, h5s

tmp = sys.argv[1]
failures = []
def check(condition, message):
    if not condition:
        failures.append(message)

def np_dtype(name):
    kind, bits, order = re.fullmatch(r'(float|int|uint)(\d+)(le|be)?', name).groups()
    code = {'float': 'f', 'int': 'i', 'uint': 'u'}[kind] + str(int(bits) // 8)
    return np.dtype(('>' if order == 'be' else '<') + code)

def expected_int(x, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if math.isinf(x):
        return hi if x > 0 else lo
    a = abs(x)
    r = math.floor(a)
    if a - r >= 0.5:
        r += 1
    r = -r if x < 0 else r
    return min(max(r, lo), hi)

lines = [l.split() for l in open(os.path.join(tmp, 'manifest.txt'))]
matrices = [l for l in lines if l[0] == 'matrix']
matrix_file = os.path.join(tmp, 'matrices.h5')

# h5py's own float16 types, to compare ours against.
reference = os.path.join(tmp, 'h5py_float16.h5')
with h5py.File(reference, 'w') as f:
    f['float16le'] = np.arange(6, dtype='<f2').reshape(3, 2)
    f['float16be'] = np.arange(6, dtype='>f2').reshape(3, 2)
    f['float32be'] = np.arange(6, dtype='>f4').reshape(3, 2)

layout_codes = {0: h5d.CONTIGUOUS, 1: h5d.CHUNKED, 2: h5d.COMPACT}
checked_values = 0
with h5py.File(matrix_file, 'r') as f, h5py.File(reference, 'r') as ref:
    for _, path, name, rows, cols, kind, crow, ccol, shuffle, gzip, inputs, stored in matrices:
        rows, cols, kind, crow, ccol = map(int, (rows, cols, kind, crow, ccol))
        d = f[path]
        dtype = np_dtype(name)
        check(d.dtype == dtype, f'{path}: dtype {d.dtype} != {dtype}')
        check(d.shape == (rows, cols), f'{path}: shape {d.shape}')
        raw = d[()]
        x = np.fromfile(inputs, dtype='=f8').reshape(rows, cols)
        s = np.fromfile(stored, dtype='=f8').reshape(rows, cols)
        as_f8 = raw.astype(np.float64)
        check(np.array_equal(as_f8, s, equal_nan=True), f'{path}: h5py values != returned values')
        check(np.array_equal(np.signbit(as_f8), np.signbit(s)), f'{path}: signs differ (zeros/NaNs)')
        if dtype.kind == 'f':
            with np.errstate(all='ignore'):
                expected = x.astype(dtype.newbyteorder('='))
            native = raw.astype(dtype.newbyteorder('='))
            ui = np.dtype('u%d' % dtype.itemsize)
            nan = np.isnan(expected)
            check(np.array_equal(nan, np.isnan(native)), f'{path}: NaN positions differ from numpy')
            bad = (native.view(ui) != expected.view(ui)) & ~nan
            check(not bad.any(), f'{path}: {bad.sum()} values differ from numpy cast, e.g. '
                  f'{x[bad][:3]} -> {native[bad][:3]} vs {expected[bad][:3]}')
            if dtype.itemsize == 2:
                mine, theirs = d.id.get_type(), ref[name].id.get_type()
                check(mine.equal(theirs), f'{path}: float16 type differs from h5py (H5Tequal)')
                check(mine.get_fields() == (15, 10, 5, 0, 10) and mine.get_ebias() == 15
                      and mine.get_precision() == 16 and mine.get_offset() == 0
                      and mine.get_norm() == theirs.get_norm(), f'{path}: float16 properties')
        else:
            bits = dtype.itemsize * 8
            want = [expected_int(v, bits, dtype.kind == 'i') for v in x.ravel().tolist()]
            check(raw.ravel().tolist() == want, f'{path}: integers differ from independent rounding')
        checked_values += raw.size
        plist = d.id.get_create_plist()
        check(plist.get_layout() == layout_codes[kind], f'{path}: layout {plist.get_layout()}')
        if kind == 1:
            check(d.chunks == (crow, ccol), f'{path}: chunks {d.chunks}')
            filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
            want_filters = [h5z.FILTER_SHUFFLE] * (shuffle == '1') + [h5z.FILTER_DEFLATE] * (gzip == '1')
            check(filters == want_filters, f'{path}: filters {filters}')
            if gzip == '1':
                check(d.compression == 'gzip' and d.compression_opts == 4, f'{path}: gzip level')
        else:
            check(d.chunks is None, f'{path}: unexpected chunks')
    check(f['/empty/rows0'].shape == (0, 4) and f['/empty/cols0'].shape == (4, 0), 'empty shapes')
    check(f['/empty/cols0'].dtype == np.dtype('>f8'), 'empty BE dtype')
print(f'h5py: {len(matrices)} matrix datasets, {checked_values} values compared exactly')

# h5dump -H: byte order as h5dump reports it, and our float16 line equal to h5py's.
def h5dump_types(file, paths):
    args = ['h5dump', '-H'] + [a for p in paths for a in ('-d', p)] + [file]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    types, current = {}, None
    for line in out.splitlines():
        m = re.match(r'\s*DATASET "([^"]+)"', line)
        if m:
            current = m.group(1)
        m = re.match(r'\s*DATATYPE\s+(.*)', line)
        if m and current:
            types[current] = m.group(1).strip()
            current = None
    return types

dumped = h5dump_types(matrix_file, [m[1] for m in matrices])
check(len(dumped) == len(matrices), f'h5dump listed {len(dumped)} datasets')
for _, path, name, *rest in matrices:
    line = dumped.get(path, '')
    if name.endswith('be'):
        check('BE' in line or 'big-endian' in line, f'{path}: h5dump says "{line}"')
    else:
        check(('LE' in line or 'little-endian' in line) and 'big' not in line, f'{path}: h5dump says "{line}"')
ref_dump = h5dump_types(reference, ['/float16le', '/float16be', '/float32be'])
for order in ('le', 'be'):
    ours = dumped[f'/matrices/contiguous/float16{order}']
    check(ours == ref_dump[f'/float16{order}'], f'float16{order}: h5dump "{ours}" vs h5py "{ref_dump["/float16" + order]}"')
    print(f'h5dump float16{order}: ours "{ours}" / h5py "{ref_dump["/float16" + order]}"')
print(f'h5dump float32be: ours "{dumped["/matrices/contiguous/float32be"]}" / h5py "{ref_dump["/float32be"]}"')

# Singular values with numpy.
for l in lines:
    if l[0] != 'svd':
        continue
    _, path, s_file = l
    with h5py.File(os.path.join(tmp, 'svd.h5'), 'r') as f:
        z = f[path][()]
    s = np.fromfile(s_file, dtype='=f8')
    sv = np.linalg.svd(z, compute_uv=False)
    err = np.max(np.abs(sv - s) / np.where(s > 0, s, s.max()))
    check(err <= 1e-12, f'{path}: numpy singular values off by {err}')
    print(f'numpy svd {path} {z.shape}: worst relative error {err:.3g}')

# Hostile inputs.
hostile_line = next(l for l in lines if l[0] == 'hostile')
_, hostile, not_hdf5, truncated, truncated_empty, matrix_file = hostile_line
with h5py.File(hostile, 'r') as f:
    d = f['/bad/strings']
    check(d.dtype == np.dtype('S8') and d.shape == (3, 2) and d[2, 1] == b'r2c1', 'strings')
    check(d.id.get_type().get_strpad() == h5t.STR_NULLTERM, 'strings: padding')
    d = f['/bad/compound']
    check(d.dtype.names == ('a', 'b') and d.shape == (3, 2) and d[1, 0]['a'] == 3 and d[1, 0]['b'] == -3, 'compound')
    check(d.dtype.itemsize == 12 and d.dtype['a'] == np.dtype('<f8') and d.dtype['b'] == np.dtype('<i4'), f'compound layout {d.dtype}')
    check(f['/rank/r1'].shape == (5,) and f['/rank/r1'][()].tolist() == [1, 2, 3, 4, 5], 'rank 1')
    r3 = f['/rank/r3']
    check(r3.shape == (2, 3, 4) and r3.dtype == np.dtype('<f4') and r3[1, 2, 3] == 24 and r3[0, 0, 0] == 1, 'rank 3')
    check(f['/rank/zero_rows'].shape == (0, 3) and f['/rank/zero_middle'].shape == (4, 0, 2), 'zero dims')
    check(f['/rank/r0'].shape == () and f['/rank/r0'][()] == 1, 'rank 0')
    check(f['/bad/scalar'].shape == () and f['/bad/scalar'][()] == 42.0, 'scalar')
    check(f['/bad/scalar'].id.get_space().get_simple_extent_type() == h5s.SCALAR, 'scalar space')
    check(f['/bad/null'].shape is None and f['/bad/null'].id.get_space().get_simple_extent_type() == h5s.NULL, 'null space')
    bitfield = f['/bad/bitfield'].id.get_type()
    check(bitfield.get_class() == h5t.BITFIELD and bitfield.get_size() == 1 and f['/bad/bitfield'].shape == (3, 2), 'bitfield')
    enum = f['/bad/enum']
    check(enum.id.get_type().get_class() == h5t.ENUM and enum.shape == (3, 2), 'enum class')
    check(h5t.check_enum_dtype(enum.dtype) == {'RED': 0, 'GREEN': 1, 'BLUE': 2}, f'enum members {h5t.check_enum_dtype(enum.dtype)}')
    check(enum[()].ravel().tolist() == [0, 1, 2, 2, 1, 0], 'enum values')
    check(enum.id.get_type().get_super().get_order() == h5t.ORDER_LE and enum.id.get_type().get_super().get_size() == 4, 'enum base')
    for name, fields, size, bias in (('bfloat16', (15, 7, 8, 0, 7), 2, 127),
                                      ('float24', (23, 16, 7, 0, 16), 3, 63),
                                      ('float80', (79, 64, 15, 0, 64), 10, 16383)):
        d = f['/bad/' + name]
        t = d.id.get_type()
        check(t.get_class() == h5t.FLOAT and t.get_fields() == fields and t.get_size() == size
              and t.get_ebias() == bias and t.get_precision() == 8 * size, f'{name}: type {t.get_fields()} {t.get_size()} {t.get_ebias()}')
        out = np.zeros((2, 2), dtype='f8')
        d.id.read(h5s.ALL, h5s.ALL, out)  # HDF5 converts the custom float to double
        check(out.ravel().tolist() == [1, 2, 3, 4], f'{name}: values {out.ravel().tolist()}')
    d = f['/bad/unallocated']
    check(d.shape == (100, 30) and d.chunks is not None and d.id.get_storage_size() == 0, 'unallocated: storage')
    check(not d[()].any(), 'unallocated: reads as zeros')
    soft = f.get('/links/soft', getlink=True)
    check(isinstance(soft, h5py.SoftLink) and soft.path == '/rank/r3' and f['/links/soft'].shape == (2, 3, 4), 'soft link')
    check(isinstance(f.get('/links/dangling', getlink=True), h5py.SoftLink) and f.get('/links/dangling') is None, 'dangling link')
    ext = f.get('/links/external', getlink=True)
    check(isinstance(ext, h5py.ExternalLink) and ext.filename == matrix_file and ext.path == '/matrices/contiguous/float64le', 'external link')
    check(f['/links/external'].shape == (23, 11), 'external link resolves')
    group = f['/attribute_only']
    check(isinstance(group, h5py.Group) and len(group) == 0 and list(group.attrs) == ['matrix'], 'attribute-only group')
    check(group.attrs['matrix'].tolist() == [[1, 2], [3, 4]], 'attribute values')
check(not h5py.is_hdf5(not_hdf5) and open(not_hdf5).read().startswith('This is a plain text file'), 'not hdf5')
size = os.path.getsize(matrix_file)
check(os.path.getsize(truncated) == size // 2, f'truncated size {os.path.getsize(truncated)} vs {size}')
check(os.path.getsize(truncated_empty) == 0, 'truncated to zero bytes')
with open(matrix_file, 'rb') as a, open(truncated, 'rb') as b:
    check(a.read(size // 2) == b.read(), 'truncated prefix')
try:
    with h5py.File(truncated, 'r') as f:
        f['/matrices/contiguous/float64le'][()]
        f['/stress/float64be'][()]
    check(False, 'truncated file read completely')
except Exception as e:
    print(f'truncated file fails in h5py as it should: {type(e).__name__}: {str(e)[:100]}')

if failures:
    print('PYTHON CHECK FAILURES:\n  ' + '\n  '.join(failures))
    sys.exit(1)
print('python checks passed')
)PY";
  { std::ofstream(dir.file("check.py")) << script; }
  const std::string command =
      "/usr/bin/python3 '" + dir.file("check.py") + "' '" + dir.path().string() + "'";
  std::fflush(stdout);
  const int status = std::system(command.c_str());
  EXPECT(status == 0);

  if (failures != 0) {
    std::fprintf(stderr, "%d check(s) FAILED\n", failures);
    return 1;
  }
  std::printf("fixture smoke: all checks passed\n");
  return 0;
}
