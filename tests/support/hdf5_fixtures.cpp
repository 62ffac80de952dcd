// Implementation notes
//  * Every hid_t lives in a Handle so that it is closed on every path, including exceptions.
//  * HDF5 work happens inside with_file(), which silences HDF5's error printing for its duration,
//    opens or creates the file, lets the caller add objects (whose handles are closed when the
//    caller's lambda returns) and finally closes the file with its status checked, since closing
//    is when HDF5 flushes metadata and a failure there would otherwise go unnoticed.
//  * Conversions to the stored types are done here, not by HDF5, so that the returned "as stored"
//    values are known exactly and big-endian data are byte-swapped by code the tests can trust.
#include "hdf5_fixtures.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <stdexcept>
#include <system_error>
#include <utility>

// Fortran LAPACK/BLAS entry points (LP64: Fortran INTEGER is a C int). gfortran passes the length
// of each CHARACTER argument as a hidden trailing size_t; declaring those keeps the calls correct
// with LAPACK builds that rely on them.
extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
             int* iwork, int* info, std::size_t jobz_length);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t transa_length,
            std::size_t transb_length);
}

namespace rankme::testing {
namespace {

// ------------------------------------------------------------------------------------------------
// HDF5 error handling

// Switches off HDF5's automatic error printing for one scope: failures are reported through the
// exceptions below (with the error stack in the message), and tests that expect failures should not
// flood the log. The previous handler is restored, so callers' own settings survive.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    restore_ = H5Eget_auto2(H5E_DEFAULT, &old_function_, &old_data_) >= 0;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() {
    if (restore_) H5Eset_auto2(H5E_DEFAULT, old_function_, old_data_);
  }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t old_function_ = nullptr;
  void* old_data_ = nullptr;
  bool restore_ = false;
};

herr_t append_error_record(unsigned n, const H5E_error2_t* record, void* client_data) {
  // Called from C: no exception may escape.
  try {
    auto& text = *static_cast<std::string*>(client_data);
    text += "\n    #" + std::to_string(n) + " " + (record->func_name ? record->func_name : "?") +
            "(): " + (record->desc ? record->desc : "");
    char minor[256] = {};
    if (H5Eget_msg(record->min_num, nullptr, minor, sizeof minor) > 0) {
      text += std::string(" [") + minor + "]";
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

// The current HDF5 error stack as text (then cleared), so that messages say *why* a call failed.
std::string take_hdf5_error_stack() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, append_error_record, &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? std::string() : "\n  HDF5 error stack:" + text;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + take_hdf5_error_stack());
}

void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

// Move-only owner of one HDF5 identifier, closed with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  // Takes ownership of `id`, or throws naming `what` if the call that produced it failed.
  Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
    if (id_ < 0) fail(what);
  }
  ~Handle() {
    // Destructors cannot report; close() is used where the status matters.
    if (id_ >= 0) closer_(id_);
  }
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      if (id_ >= 0) closer_(id_);
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }

  // Closes now and throws if HDF5 reports a failure (for files: the final flush).
  void close(const std::string& what) {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    check(closer_(id), what);
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// ------------------------------------------------------------------------------------------------
// Files, paths and property lists

std::string describe(const char* function, const std::string& file, const char* kind,
                     const std::string& path) {
  return std::string("rankme::testing::") + function + ": file '" + file + "', " + kind + " '" +
         path + "'";
}

Handle open_or_create_file(const std::string& file, const std::string& where) {
  std::error_code error;
  const bool exists = std::filesystem::exists(file, error);
  if (error) {
    throw std::runtime_error(where + ": cannot check whether the file exists: " + error.message());
  }
  if (exists) {
    return Handle(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose,
                  where +
                      ": cannot open the existing file read-write as HDF5"
                      " (not HDF5, not writable, or locked by another open?)");
  }
  // EXCL: never clobber a file that appeared since the check above.
  return Handle(H5Fcreate(file.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                where + ": cannot create the HDF5 file");
}

// Runs add_objects(file_id) on `file` (opened read-write, or created) and closes it, checked.
// `where` names the calling function, file and object for every message.
void with_file(const std::string& file, const std::string& where,
               const std::function<void(hid_t)>& add_objects) {
  QuietHdf5Errors quiet;
  Handle handle = open_or_create_file(file, where);
  add_objects(handle.get());
  handle.close(where + ": closing (flushing) the file failed");
}

// "/a/b/c" for "a/b/c" or "/a/b/c"; rejects paths naming no object at all.
std::string absolute_object_path(const std::string& path, const std::string& where) {
  const auto first = path.find_first_not_of('/');
  if (first == std::string::npos) {
    throw std::invalid_argument(where + ": the object path must name something below the root");
  }
  return "/" + path.substr(first);
}

// Throws unless nothing (no object, no link, not even a dangling one) exists at `path`. H5Lexists
// cannot test "a/b/c" when "a" is missing, so each prefix is tested in turn.
void ensure_absent(hid_t file_id, const std::string& path, const std::string& where) {
  std::string prefix;
  std::size_t start = 1;  // path is absolute
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) {
      prefix += "/" + path.substr(start, end - start);
      const htri_t exists = H5Lexists(file_id, prefix.c_str(), H5P_DEFAULT);
      if (exists < 0) {
        fail(where + ": cannot check whether '" + prefix +
             "' exists (is a parent not a group, or a dangling link?)");
      }
      if (exists == 0) return;
    }
    start = end + 1;
  }
  throw std::runtime_error(where + ": something already exists at '" + path +
                           "' and fixtures never overwrite");
}

// Link creation property list that creates missing intermediate groups.
Handle intermediate_groups_lcpl(const std::string& where) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, where + ": H5Pcreate(H5P_LINK_CREATE) failed");
  check(H5Pset_create_intermediate_group(lcpl.get(), 1),
        where + ": H5Pset_create_intermediate_group failed");
  return lcpl;
}

Handle copy_type(hid_t predefined, const std::string& where) {
  return Handle(H5Tcopy(predefined), H5Tclose, where + ": H5Tcopy failed");
}

Handle simple_space(const std::vector<hsize_t>& dims, const std::string& where) {
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                where + ": H5Screate_simple failed");
}

// Creates a dataset at an absent `path` (with intermediate groups) and, if data is non-null,
// writes all of it from memory described by mem_type. The dataset is closed, checked, on return.
void create_dataset(hid_t file_id, const std::string& path, hid_t file_type, hid_t space,
                    hid_t dcpl, hid_t mem_type, const void* data, const std::string& where) {
  ensure_absent(file_id, path, where);
  Handle lcpl = intermediate_groups_lcpl(where);
  Handle dataset(H5Dcreate2(file_id, path.c_str(), file_type, space, lcpl.get(), dcpl, H5P_DEFAULT),
                 H5Dclose, where + ": H5Dcreate2 failed");
  if (data != nullptr) {
    check(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
          where + ": H5Dwrite failed");
  }
  dataset.close(where + ": closing the dataset failed");
}

// ------------------------------------------------------------------------------------------------
// Stored types and value conversion

void validate_stored_type(const StoredType& type, const std::string& where) {
  const int b = type.bytes;
  const bool ok = type.kind == StoredType::Kind::floating ? (b == 2 || b == 4 || b == 8)
                                                          : (b == 1 || b == 2 || b == 4 || b == 8);
  if (!ok) {
    throw std::invalid_argument(where + ": unsupported stored type " + type.name() + " (" +
                                std::to_string(b) + " bytes)");
  }
}

// Round half to even of a non-negative x below 2^31, independent of the FPU rounding mode.
std::uint32_t round_half_even(double x) {
  const double whole = std::floor(x);
  const double fraction = x - whole;  // exact: x has no bits below those of its fraction
  auto n = static_cast<std::uint32_t>(whole);
  if (fraction > 0.5 || (fraction == 0.5 && (n & 1u) != 0)) ++n;
  return n;
}

struct Encoded {
  std::uint64_t bits;  // the stored bit pattern, in the low `bytes` bytes
  double value;        // the stored value, back as a double
};

float to_float32(double value) {
  // Casting a finite double beyond float's range is undefined behaviour in C++, so IEEE's rule is
  // applied by hand: magnitudes from FLT_MAX + half an ulp (2^128 - 2^103) up round to infinity
  // (the tie goes to the even neighbour, 2^128), smaller ones to FLT_MAX.
  if (std::isfinite(value) && std::fabs(value) > static_cast<double>(FLT_MAX)) {
    const double overflow_threshold = std::ldexp(2.0 - std::ldexp(1.0, -24), 127);
    const float magnitude =
        std::fabs(value) >= overflow_threshold ? std::numeric_limits<float>::infinity() : FLT_MAX;
    return value < 0 ? -magnitude : magnitude;
  }
  return static_cast<float>(value);
}

Encoded encode_integer(double value, const StoredType& type, const std::string& where) {
  if (std::isnan(value)) {
    throw std::invalid_argument(where + ": NaN cannot be stored as " + type.name());
  }
  const int bits = 8 * type.bytes;
  const double rounded = std::round(value);  // ties away from zero
  if (type.kind == StoredType::Kind::signed_int) {
    const double limit = std::ldexp(1.0, bits - 1);  // 2^(bits-1), exact
    const std::int64_t max = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1);
    const std::int64_t min = -max - 1;
    std::int64_t stored;
    if (rounded >= limit) {
      stored = max;
    } else if (rounded < -limit) {
      stored = min;
    } else {
      stored = static_cast<std::int64_t>(rounded);
    }
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    // int64 -> uint64 is two's complement by definition (modulo 2^64); masking keeps `bits` bits.
    return {static_cast<std::uint64_t>(stored) & mask, static_cast<double>(stored)};
  }
  const double limit = std::ldexp(1.0, bits);  // 2^bits, exact
  const std::uint64_t max = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  std::uint64_t stored;
  if (rounded <= 0.0) {
    stored = 0;
  } else if (rounded >= limit) {
    stored = max;
  } else {
    stored = static_cast<std::uint64_t>(rounded);
  }
  return {stored, static_cast<double>(stored)};
}

Encoded encode_value(double value, const StoredType& type, const std::string& where) {
  if (type.kind != StoredType::Kind::floating) return encode_integer(value, type, where);
  switch (type.bytes) {
    case 2: {
      const std::uint16_t bits = float16_bits_from_double(value);
      return {bits, double_from_float16_bits(bits)};
    }
    case 4: {
      const float stored = to_float32(value);
      std::uint32_t bits;
      std::memcpy(&bits, &stored, sizeof bits);
      return {bits, static_cast<double>(stored)};
    }
    default: {
      std::uint64_t bits;
      std::memcpy(&bits, &value, sizeof bits);
      return {bits, value};
    }
  }
}

// The float16 file type exactly as h5py builds it (h5py/h5t.pyx): an IEEE single copied and
// narrowed to sign bit 15, exponent bits 10-14, mantissa bits 0-9, bias 15. HDF5 has no predefined
// half type in 1.10, so readers recognise it only by these properties.
Handle make_float16_type(bool big_endian, const std::string& where) {
  Handle type = copy_type(big_endian ? H5T_IEEE_F32BE : H5T_IEEE_F32LE, where);
  check(H5Tset_fields(type.get(), 15, 10, 5, 0, 10), where + ": H5Tset_fields (float16) failed");
  check(H5Tset_size(type.get(), 2), where + ": H5Tset_size (float16) failed");
  check(H5Tset_ebias(type.get(), 15), where + ": H5Tset_ebias (float16) failed");
  return type;
}

Handle make_file_type(const StoredType& type, const std::string& where) {
  const bool be = type.big_endian;
  switch (type.kind) {
    case StoredType::Kind::floating:
      if (type.bytes == 2) return make_float16_type(be, where);
      if (type.bytes == 4) return copy_type(be ? H5T_IEEE_F32BE : H5T_IEEE_F32LE, where);
      return copy_type(be ? H5T_IEEE_F64BE : H5T_IEEE_F64LE, where);
    case StoredType::Kind::signed_int:
      switch (type.bytes) {
        case 1:
          return copy_type(H5T_STD_I8LE, where);  // byte order is meaningless for one byte
        case 2:
          return copy_type(be ? H5T_STD_I16BE : H5T_STD_I16LE, where);
        case 4:
          return copy_type(be ? H5T_STD_I32BE : H5T_STD_I32LE, where);
        default:
          return copy_type(be ? H5T_STD_I64BE : H5T_STD_I64LE, where);
      }
    case StoredType::Kind::unsigned_int:
      switch (type.bytes) {
        case 1:
          return copy_type(H5T_STD_U8LE, where);
        case 2:
          return copy_type(be ? H5T_STD_U16BE : H5T_STD_U16LE, where);
        case 4:
          return copy_type(be ? H5T_STD_U32BE : H5T_STD_U32LE, where);
        default:
          return copy_type(be ? H5T_STD_U64BE : H5T_STD_U64LE, where);
      }
  }
  throw std::invalid_argument(where + ": invalid StoredType::Kind");
}

// ------------------------------------------------------------------------------------------------
// Layouts

void validate_layout(const Layout& layout, std::uint64_t rows, std::uint64_t cols,
                     const std::string& where) {
  const std::string name = layout.name();
  if (layout.kind != Layout::Kind::chunked) {
    if (layout.gzip || layout.shuffle) {
      throw std::invalid_argument(where + ": layout " + name +
                                  ": gzip and shuffle filters need a chunked layout");
    }
    return;
  }
  if (layout.chunk_rows < 1 || layout.chunk_cols < 1 || layout.chunk_rows > rows ||
      layout.chunk_cols > cols) {
    // HDF5 refuses chunks larger than a fixed-size dataset; saying so here is clearer.
    throw std::invalid_argument(where + ": layout " + name + " does not fit a " +
                                std::to_string(rows) + "x" + std::to_string(cols) +
                                " matrix (each chunk dimension must be in [1, matrix dimension])");
  }
}

Handle make_dataset_creation_plist(const Layout& layout, const std::string& where) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
              where + ": H5Pcreate(H5P_DATASET_CREATE) failed");
  const std::string context = where + ", layout " + layout.name();
  switch (layout.kind) {
    case Layout::Kind::contiguous:
      check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), context + ": H5Pset_layout failed");
      break;
    case Layout::Kind::compact:
      check(H5Pset_layout(dcpl.get(), H5D_COMPACT), context + ": H5Pset_layout failed");
      break;
    case Layout::Kind::chunked: {
      const hsize_t chunk[2] = {layout.chunk_rows, layout.chunk_cols};
      check(H5Pset_chunk(dcpl.get(), 2, chunk), context + ": H5Pset_chunk failed");
      // Shuffle first: it regroups bytes so that deflate compresses better, the usual order.
      if (layout.shuffle) check(H5Pset_shuffle(dcpl.get()), context + ": H5Pset_shuffle failed");
      if (layout.gzip) {
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
          fail(context + ": this HDF5 build has no deflate filter");
        }
        check(H5Pset_deflate(dcpl.get(), 4), context + ": H5Pset_deflate failed");
      }
      break;
    }
  }
  return dcpl;
}

// ------------------------------------------------------------------------------------------------
// Linear algebra helpers

int lapack_int(std::uint64_t value, const char* what) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument(std::string("rankme::testing: ") + what + " = " +
                                std::to_string(value) + " is too large for LAPACK (32-bit int)");
  }
  return static_cast<int>(value);
}

std::size_t element_count(std::uint64_t rows, std::uint64_t cols, const std::string& where) {
  if (cols != 0 && rows > std::numeric_limits<std::size_t>::max() / cols) {
    throw std::invalid_argument(where + ": " + std::to_string(rows) + "x" + std::to_string(cols) +
                                " elements overflow size_t");
  }
  return static_cast<std::size_t>(rows * cols);
}

void check_lapack(int info, const char* what) {
  if (info != 0) {
    throw std::runtime_error(std::string("rankme::testing: LAPACK ") + what +
                             " failed (info=" + std::to_string(info) + ")");
  }
}

// n_rows x n_cols (n_cols <= n_rows) column-major matrix with orthonormal columns: Gaussian
// entries drawn column by column, then Q of their QR factorisation.
std::vector<double> orthonormal_columns(int n_rows, int n_cols, std::mt19937_64& generator,
                                        std::normal_distribution<double>& normal) {
  std::vector<double> a(static_cast<std::size_t>(n_rows) * static_cast<std::size_t>(n_cols));
  for (double& x : a) x = normal(generator);  // column-major storage: column by column
  std::vector<double> tau(static_cast<std::size_t>(n_cols));
  const int lda = std::max(1, n_rows);
  int info = 0;
  int lwork = -1;
  double query = 0.0;
  dgeqrf_(&n_rows, &n_cols, a.data(), &lda, tau.data(), &query, &lwork, &info);
  check_lapack(info, "dgeqrf workspace query");
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgeqrf_(&n_rows, &n_cols, a.data(), &lda, tau.data(), work.data(), &lwork, &info);
  check_lapack(info, "dgeqrf");
  lwork = -1;
  dorgqr_(&n_rows, &n_cols, &n_cols, a.data(), &lda, tau.data(), &query, &lwork, &info);
  check_lapack(info, "dorgqr workspace query");
  lwork = std::max(1, static_cast<int>(query));
  work.assign(static_cast<std::size_t>(lwork), 0.0);
  dorgqr_(&n_rows, &n_cols, &n_cols, a.data(), &lda, tau.data(), work.data(), &lwork, &info);
  check_lapack(info, "dorgqr");
  return a;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// StoredType and Layout

std::string StoredType::name() const {
  std::string base;
  switch (kind) {
    case Kind::floating:
      base = "float";
      break;
    case Kind::signed_int:
      base = "int";
      break;
    case Kind::unsigned_int:
      base = "uint";
      break;
  }
  base += std::to_string(8 * bytes);
  // A single byte has no byte order (and 1-byte integers are always written the same way).
  if (bytes > 1) base += big_endian ? "be" : "le";
  return base;
}

std::vector<StoredType> all_supported_stored_types() {
  std::vector<StoredType> types;
  for (const int bytes : {2, 4, 8}) {
    for (const bool be : {false, true}) types.push_back({StoredType::Kind::floating, bytes, be});
  }
  for (const auto kind : {StoredType::Kind::signed_int, StoredType::Kind::unsigned_int}) {
    types.push_back({kind, 1, false});
    for (const int bytes : {2, 4, 8}) {
      for (const bool be : {false, true}) types.push_back({kind, bytes, be});
    }
  }
  return types;
}

std::string Layout::name() const {
  std::string text;
  switch (kind) {
    case Kind::contiguous:
      text = "contiguous";
      break;
    case Kind::compact:
      text = "compact";
      break;
    case Kind::chunked:
      text = "chunked(" + std::to_string(chunk_rows) + "x" + std::to_string(chunk_cols) + ")";
      break;
  }
  // Listed in pipeline order; shown even on invalid (non-chunked) layouts so errors name them.
  if (shuffle) text += "+shuffle";
  if (gzip) text += "+gzip";
  return text;
}

// ------------------------------------------------------------------------------------------------
// float16

std::uint16_t float16_bits_from_double(double value) {
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0x0000;
  if (std::isnan(value)) return sign | 0x7e00;
  const double magnitude = std::fabs(value);
  // 65520 is halfway between the largest half (65504, odd significand) and 2^16: ties go to the
  // even neighbour, 2^16, which overflows. Infinity lands here too.
  if (magnitude >= 65520.0) return sign | 0x7c00;
  if (magnitude == 0.0) return sign;
  // Count in units of the half-precision spacing around `magnitude`: 2^(e-10) for normal halves,
  // and the fixed 2^-24 for subnormals (e clamped to -14). Scaling by a power of two is exact.
  const int exponent = std::max(std::ilogb(magnitude), -14);
  const std::uint32_t units = round_half_even(std::ldexp(magnitude, 10 - exponent));  // <= 2048
  // units in [1024, 2048] carries the implicit bit, so adding it to the biased exponent minus one
  // gives the right encoding even when rounding carries into the next binade; for subnormals
  // (exponent -14, units < 1024) the exponent field stays 0, and units == 1024 is the smallest
  // normal.
  return static_cast<std::uint16_t>(sign |
                                    ((static_cast<std::uint32_t>(exponent + 14) << 10) + units));
}

double double_from_float16_bits(std::uint16_t bits) {
  const bool negative = (bits & 0x8000) != 0;
  const int exponent_field = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent_field == 0) {
    magnitude = std::ldexp(mantissa, -24);  // zero or subnormal
  } else if (exponent_field == 0x1f) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(1024 + mantissa, exponent_field - 25);
  }
  return negative ? -magnitude : magnitude;
}

double stored_value(double value, const StoredType& type) {
  const std::string where = "rankme::testing::stored_value";
  validate_stored_type(type, where);
  return encode_value(value, type, where).value;
}

// ------------------------------------------------------------------------------------------------
// write_matrix

std::vector<double> write_matrix(const std::string& file, const std::string& dataset_path,
                                 const std::vector<double>& row_major, std::uint64_t rows,
                                 std::uint64_t cols, const StoredType& type, const Layout& layout) {
  const std::string where = describe("write_matrix", file, "dataset", dataset_path);
  validate_stored_type(type, where);
  validate_layout(layout, rows, cols, where);
  const std::string path = absolute_object_path(dataset_path, where);
  const std::size_t count = element_count(rows, cols, where);
  if (row_major.size() != count) {
    throw std::invalid_argument(where + ": got " + std::to_string(row_major.size()) +
                                " values for a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }

  // Encode into the file's byte order ourselves; HDF5 then copies the bytes untouched.
  const auto width = static_cast<std::size_t>(type.bytes);
  std::vector<unsigned char> raw(count * width);
  std::vector<double> stored(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Encoded encoded = encode_value(row_major[i], type, where);
    stored[i] = encoded.value;
    for (std::size_t byte = 0; byte < width; ++byte) {
      const std::size_t position = type.big_endian ? width - 1 - byte : byte;
      raw[i * width + position] = static_cast<unsigned char>((encoded.bits >> (8 * byte)) & 0xffu);
    }
  }

  const std::string context = where + " (" + type.name() + ", " + layout.name() + ")";
  with_file(file, context, [&](hid_t file_id) {
    Handle file_type = make_file_type(type, context);
    Handle space = simple_space({rows, cols}, context);
    Handle dcpl = make_dataset_creation_plist(layout, context);
    // Memory type == file type: no HDF5 conversion. Zero-element matrices get no write at all.
    create_dataset(file_id, path, file_type.get(), space.get(), dcpl.get(), file_type.get(),
                   count > 0 ? raw.data() : nullptr, context);
  });
  return stored;
}

// ------------------------------------------------------------------------------------------------
// Hostile / unsupported inputs

void write_string_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_string_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  constexpr std::size_t length = 8;
  const char values[6][length] = {"r0c0", "r0c1", "r1c0", "r1c1", "r2c0", "r2c1"};
  with_file(file, where, [&](hid_t file_id) {
    Handle type = copy_type(H5T_C_S1, where);
    check(H5Tset_size(type.get(), length), where + ": H5Tset_size failed");
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), where + ": H5Tset_strpad failed");
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, type.get(), space.get(), H5P_DEFAULT, type.get(), values,
                   where);
  });
}

void write_compound_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_compound_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  struct Record {
    double a;
    int b;
  };
  const Record values[6] = {{1, -1}, {2, -2}, {3, -3}, {4, -4}, {5, -5}, {6, -6}};
  with_file(file, where, [&](hid_t file_id) {
    // Memory layout has padding after b; the file layout is packed and little endian, so no
    // uninitialised padding bytes reach the file and the file is the same on every host.
    Handle memory_type(H5Tcreate(H5T_COMPOUND, sizeof(Record)), H5Tclose,
                       where + ": H5Tcreate failed");
    check(H5Tinsert(memory_type.get(), "a", offsetof(Record, a), H5T_NATIVE_DOUBLE),
          where + ": H5Tinsert(a) failed");
    check(H5Tinsert(memory_type.get(), "b", offsetof(Record, b), H5T_NATIVE_INT),
          where + ": H5Tinsert(b) failed");
    Handle file_type(H5Tcreate(H5T_COMPOUND, 8 + 4), H5Tclose, where + ": H5Tcreate failed");
    check(H5Tinsert(file_type.get(), "a", 0, H5T_IEEE_F64LE), where + ": H5Tinsert(a) failed");
    check(H5Tinsert(file_type.get(), "b", 8, H5T_STD_I32LE), where + ": H5Tinsert(b) failed");
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, file_type.get(), space.get(), H5P_DEFAULT, memory_type.get(),
                   values, where);
  });
}

void write_array_of_rank(const std::string& file, const std::string& path,
                         const std::vector<std::uint64_t>& dims) {
  const std::string where = describe("write_array_of_rank", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  std::size_t count = 1;
  for (const std::uint64_t d : dims) count = element_count(count, d, where);
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<float>(i + 1);
  with_file(file, where, [&](hid_t file_id) {
    Handle space = dims.empty()
                       ? Handle(H5Screate(H5S_SCALAR), H5Sclose, where + ": H5Screate failed")
                       : simple_space(std::vector<hsize_t>(dims.begin(), dims.end()), where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5T_NATIVE_FLOAT,
                   count > 0 ? values.data() : nullptr, where);
  });
}

void write_scalar_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_scalar_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const double value = 42.0;
  with_file(file, where, [&](hid_t file_id) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, where + ": H5Screate(H5S_SCALAR) failed");
    create_dataset(file_id, absolute, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   &value, where);
  });
}

void write_null_dataspace_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_null_dataspace_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle space(H5Screate(H5S_NULL), H5Sclose, where + ": H5Screate(H5S_NULL) failed");
    create_dataset(file_id, absolute, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   nullptr, where);
  });
}

void write_bitfield_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_bitfield_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const unsigned char values[6] = {1, 2, 3, 4, 5, 6};
  with_file(file, where, [&](hid_t file_id) {
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, H5T_STD_B8LE, space.get(), H5P_DEFAULT, H5T_NATIVE_B8, values,
                   where);
  });
}

void write_enum_dataset(const std::string& file, const std::string& path) {
  const std::string where = describe("write_enum_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  const char* const names[3] = {"RED", "GREEN", "BLUE"};
  const int values[6] = {0, 1, 2, 2, 1, 0};
  with_file(file, where, [&](hid_t file_id) {
    // The file type's member values must be given in its base type's (little-endian) layout, the
    // memory type's in native layout; HDF5 then converts between the two by member name.
    Handle file_type(H5Tenum_create(H5T_STD_I32LE), H5Tclose, where + ": H5Tenum_create failed");
    Handle memory_type(H5Tenum_create(H5T_NATIVE_INT), H5Tclose, where + ": H5Tenum_create failed");
    for (int i = 0; i < 3; ++i) {
      const unsigned char little_endian[4] = {static_cast<unsigned char>(i), 0, 0, 0};
      check(H5Tenum_insert(file_type.get(), names[i], little_endian),
            where + ": H5Tenum_insert failed");
      check(H5Tenum_insert(memory_type.get(), names[i], &i), where + ": H5Tenum_insert failed");
    }
    Handle space = simple_space({3, 2}, where);
    create_dataset(file_id, absolute, file_type.get(), space.get(), H5P_DEFAULT, memory_type.get(),
                   values, where);
  });
}

void write_float_type_dataset(const std::string& file, const std::string& path, std::size_t spos,
                              std::size_t epos, std::size_t esize, std::size_t mpos,
                              std::size_t msize, std::size_t size_bytes, std::size_t ebias) {
  const std::string where = describe("write_float_type_dataset", file, "dataset", path) +
                            " (fields " + std::to_string(spos) + "," + std::to_string(epos) + "," +
                            std::to_string(esize) + "," + std::to_string(mpos) + "," +
                            std::to_string(msize) + ", " + std::to_string(size_bytes) +
                            " bytes, bias " + std::to_string(ebias) + ")";
  const std::string absolute = absolute_object_path(path, where);
  const double values[4] = {1, 2, 3, 4};
  with_file(file, where, [&](hid_t file_id) {
    Handle type = copy_type(size_bytes > 4 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE, where);
    // HDF5 insists that the fields always fit in the current precision, so the order depends on
    // the direction: grow size and precision before moving the fields out, or move the fields in
    // before shrinking (which reduces the precision to the new size).
    if (size_bytes > H5Tget_size(type.get())) {
      check(H5Tset_size(type.get(), size_bytes), where + ": H5Tset_size failed");
      check(H5Tset_precision(type.get(), 8 * size_bytes), where + ": H5Tset_precision failed");
      check(H5Tset_fields(type.get(), spos, epos, esize, mpos, msize),
            where + ": H5Tset_fields failed");
    } else {
      check(H5Tset_fields(type.get(), spos, epos, esize, mpos, msize),
            where + ": H5Tset_fields failed");
      check(H5Tset_size(type.get(), size_bytes), where + ": H5Tset_size failed");
    }
    check(H5Tset_ebias(type.get(), ebias), where + ": H5Tset_ebias failed");
    Handle space = simple_space({2, 2}, where);
    create_dataset(file_id, absolute, type.get(), space.get(), H5P_DEFAULT, H5T_NATIVE_DOUBLE,
                   values, where);
  });
}

void write_unallocated_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                               std::uint64_t cols) {
  const std::string where = describe("write_unallocated_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0) {
    throw std::invalid_argument(where + ": a chunked dataset needs rows >= 1 and cols >= 1");
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {std::min<hsize_t>(rows, 64), std::min<hsize_t>(cols, 64)};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    // Incremental allocation (the serial default, made explicit): chunks only appear when
    // written, and nothing is ever written here.
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_INCR), where + ": H5Pset_alloc_time failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT,
                   nullptr, where);
  });
}

void make_soft_link(const std::string& file, const std::string& link_path,
                    const std::string& target_path) {
  const std::string where =
      describe("make_soft_link", file, "link", link_path) + " -> '" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_soft(target_path.c_str(), file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_soft failed");
  });
}

void make_external_link(const std::string& file, const std::string& link_path,
                        const std::string& target_file, const std::string& target_path) {
  const std::string where = describe("make_external_link", file, "link", link_path) + " -> '" +
                            target_file + "':'" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_external(target_file.c_str(), target_path.c_str(), file_id, absolute.c_str(),
                             lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_external failed");
  });
}

void write_attribute_only_group(const std::string& file, const std::string& group_path) {
  const std::string where = describe("write_attribute_only_group", file, "group", group_path);
  const std::string absolute = absolute_object_path(group_path, where);
  const double values[4] = {1, 2, 3, 4};
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    Handle group(H5Gcreate2(file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                 H5Gclose, where + ": H5Gcreate2 failed");
    Handle space = simple_space({2, 2}, where);
    Handle attribute(
        H5Acreate2(group.get(), "matrix", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose, where + ": H5Acreate2(\"matrix\") failed");
    check(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, values), where + ": H5Awrite failed");
    attribute.close(where + ": closing the attribute failed");
    group.close(where + ": closing the group failed");
  });
}

// ------------------------------------------------------------------------------------------------
// Plain files

namespace {

// fopen with C11's "x": fails instead of truncating an existing file.
std::FILE* create_new_file(const std::string& file, const std::string& where) {
  std::FILE* stream = std::fopen(file.c_str(), "wbx");
  if (stream == nullptr) {
    const int error = errno;
    throw std::runtime_error(where + ": cannot create '" + file +
                             "' (it must not exist yet): " + std::strerror(error));
  }
  return stream;
}

void write_and_close(std::FILE* stream, const char* data, std::size_t size, const std::string& file,
                     const std::string& where) {
  const bool written = size == 0 || std::fwrite(data, 1, size, stream) == size;
  const bool closed = std::fclose(stream) == 0;
  if (!written || !closed) throw std::runtime_error(where + ": writing '" + file + "' failed");
}

}  // namespace

void write_not_hdf5(const std::string& file) {
  const std::string where = "rankme::testing::write_not_hdf5";
  static const char text[] =
      "This is a plain text file, not HDF5.\n"
      "rankme's tests use it to check that non-HDF5 input is rejected cleanly.\n";
  write_and_close(create_new_file(file, where), text, sizeof text - 1, file, where);
}

void copy_truncated(const std::string& from, const std::string& to, double keep_fraction) {
  const std::string where = "rankme::testing::copy_truncated('" + from + "' -> '" + to + "')";
  if (!(keep_fraction >= 0.0 && keep_fraction <= 1.0)) {
    throw std::invalid_argument(where + ": keep_fraction must be in [0, 1]");
  }
  std::ifstream input(from, std::ios::binary);
  if (!input) throw std::runtime_error(where + ": cannot open '" + from + "' for reading");
  const std::vector<char> content((std::istreambuf_iterator<char>(input)),
                                  std::istreambuf_iterator<char>());
  if (input.bad()) throw std::runtime_error(where + ": reading '" + from + "' failed");
  const auto keep = std::min(
      content.size(),
      static_cast<std::size_t>(std::floor(static_cast<double>(content.size()) * keep_fraction)));
  write_and_close(create_new_file(to, where), content.data(), keep, to, where);
}

// ------------------------------------------------------------------------------------------------
// Numerical references

std::vector<double> matrix_with_singular_values(std::uint64_t rows, std::uint64_t cols,
                                                const std::vector<double>& s, std::uint64_t seed) {
  const std::string where = "rankme::testing::matrix_with_singular_values";
  if (s.size() > std::min(rows, cols)) {
    throw std::invalid_argument(where + ": " + std::to_string(s.size()) +
                                " singular values do not fit a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }
  for (const double value : s) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument(where + ": singular values must be finite and non-negative");
    }
  }
  const int m = lapack_int(rows, "rows");
  const int n = lapack_int(cols, "cols");
  const int k = static_cast<int>(s.size());
  std::vector<double> z(element_count(rows, cols, where), 0.0);
  if (k == 0) return z;

  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<double> u = orthonormal_columns(m, k, generator, normal);  // m x k
  std::vector<double> v = orthonormal_columns(n, k, generator, normal);        // n x k
  for (int j = 0; j < k; ++j) {  // V diag(s): scale column j
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(j) * n + i] *= s[j];
  }
  // Row-major Z (m x n) has the memory of column-major Z^T (n x m) = (V diag(s)) U^T.
  const char no = 'N', transpose = 'T';
  const double one = 1.0, zero = 0.0;
  const int ldv = std::max(1, n), ldu = std::max(1, m);
  dgemm_(&no, &transpose, &n, &m, &k, &one, v.data(), &ldv, u.data(), &ldu, &zero, z.data(), &ldv,
         1, 1);
  return z;
}

std::vector<double> reference_singular_values(const std::vector<double>& row_major,
                                              std::uint64_t rows, std::uint64_t cols) {
  const std::string where = "rankme::testing::reference_singular_values";
  const std::size_t count = element_count(rows, cols, where);
  if (row_major.size() != count) {
    throw std::invalid_argument(where + ": got " + std::to_string(row_major.size()) +
                                " values for a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }
  for (const double value : row_major) {
    if (!std::isfinite(value)) throw std::invalid_argument(where + ": the matrix must be finite");
  }
  if (count == 0) return {};
  // Row-major A is column-major A^T, which has the same singular values: no transpose needed.
  const int m = lapack_int(cols, "cols");
  const int n = lapack_int(rows, "rows");
  std::vector<double> a = row_major;  // dgesdd overwrites its input
  std::vector<double> s(static_cast<std::size_t>(std::min(m, n)));
  std::vector<int> iwork(8 * s.size());
  const char jobz = 'N';
  const int lda = std::max(1, m), ld_unused = 1;
  double unused = 0.0;  // U and VT are not referenced with JOBZ='N'
  int lwork = -1, info = 0;
  double query = 0.0;
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &unused, &ld_unused, &unused, &ld_unused, &query,
          &lwork, iwork.data(), &info, 1);
  check_lapack(info, "dgesdd workspace query");
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &unused, &ld_unused, &unused, &ld_unused,
          work.data(), &lwork, iwork.data(), &info, 1);
  if (info != 0) {
    throw std::runtime_error(where + ": dgesdd failed (info=" + std::to_string(info) +
                             (info > 0 ? ", did not converge)" : ", illegal argument)"));
  }
  return s;  // LAPACK returns them in descending order
}

double relative_difference(double value, double reference) {
  if (value == reference) return 0;
  return std::fabs(value - reference) / std::max(std::fabs(reference), std::numeric_limits<double>::min());
}

double reference_rankme(const std::vector<double>& singular_values, double eps) {
  double sum = 0.0;
  for (const double value : singular_values) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument(
          "rankme::testing::reference_rankme: singular values must be finite and non-negative");
    }
    sum += value;
  }
  if (sum == 0.0) return 0.0;
  double entropy = 0.0;
  for (const double value : singular_values) {
    const double p = value / sum + eps;
    if (p > 0.0) entropy -= p * std::log(p);  // p log p -> 0 as p -> 0 (only when eps == 0)
  }
  return std::exp(entropy);
}

// ------------------------------------------------------------------------------------------------
// TemporaryDirectory

TemporaryDirectory::TemporaryDirectory(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    const int error = errno;
    throw std::runtime_error("rankme::testing::TemporaryDirectory: mkdtemp('" + pattern +
                             "') failed: " + std::strerror(error));
  }
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty()) {
    std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
    std::filesystem::remove_all(path_, ignored);
  }
}

TemporaryDirectory::TemporaryDirectory(TemporaryDirectory&& other) noexcept
    : path_(std::exchange(other.path_, {})) {}

TemporaryDirectory& TemporaryDirectory::operator=(TemporaryDirectory&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

std::string TemporaryDirectory::file(const std::string& name) const {
  return (path_ / name).string();
}


// ------------------------------------------------------------------------------------------------
// Never fully written and linked datasets

std::vector<double> write_partially_written_dataset(const std::string& file, const std::string& path,
                                                    std::uint64_t rows, std::uint64_t cols,
                                                    std::uint64_t chunk_rows, std::uint64_t written_rows,
                                                    bool gzip) {
  const std::string where = describe("write_partially_written_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0 || chunk_rows == 0 || chunk_rows > rows || written_rows > rows) {
    throw std::invalid_argument(where + ": needs 1 <= chunk_rows <= rows, written_rows <= rows, cols >= 1");
  }
  std::vector<float> values(element_count(written_rows, cols, where));
  std::vector<double> stored(values.size());
  for (std::uint64_t row = 0; row < written_rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) {
      const std::size_t at = static_cast<std::size_t>(row * cols + col);
      values[at] = static_cast<float>(1.0 + static_cast<double>((row * 7 + col * 3) % 11) / 8.0);
      stored[at] = values[at];
    }
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {chunk_rows, cols};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_INCR), where + ": H5Pset_alloc_time failed");
    if (gzip) check(H5Pset_deflate(dcpl.get(), 4), where + ": H5Pset_deflate failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
    if (written_rows == 0) return;
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2 failed");
    Handle file_space(H5Dget_space(dataset.get()), H5Sclose, where + ": H5Dget_space failed");
    const hsize_t start[2] = {0, 0}, count[2] = {written_rows, cols};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
          where + ": H5Sselect_hyperslab failed");
    Handle memory_space = simple_space({written_rows, cols}, where);
    check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, values.data()),
          where + ": H5Dwrite failed");
    dataset.close(where + ": closing the dataset failed");
  });
  return stored;
}

void write_unwritten_contiguous_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                        std::uint64_t cols) {
  const std::string where = describe("write_unwritten_contiguous_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), where + ": H5Pset_layout failed");
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_LATE), where + ": H5Pset_alloc_time failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
  });
}

void write_early_allocated_unwritten_dataset(const std::string& file, const std::string& path,
                                             std::uint64_t rows, std::uint64_t cols, double fill,
                                             std::uint64_t chunk_rows) {
  const std::string where = describe("write_early_allocated_unwritten_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    if (chunk_rows > 0) {
      const hsize_t chunk[2] = {chunk_rows, cols};
      check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    }
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), where + ": H5Pset_alloc_time failed");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC), where + ": H5Pset_fill_time failed");
    const float fill_value = static_cast<float>(fill);
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &fill_value), where + ": H5Pset_fill_value failed");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, nullptr, where);
  });
}

std::vector<double> write_appended_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                           std::uint64_t cols, std::uint64_t chunk_rows, std::uint64_t grown_rows) {
  const std::string where = describe("write_appended_dataset", file, "dataset", path);
  const std::string absolute = absolute_object_path(path, where);
  if (rows == 0 || cols == 0 || chunk_rows == 0 || grown_rows < rows) {
    throw std::invalid_argument(where + ": needs rows, cols, chunk_rows >= 1 and grown_rows >= rows");
  }
  std::vector<float> values(element_count(rows, cols, where));
  std::vector<double> stored(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(std::sin(1.0 + 0.7 * static_cast<double>(i)) + (i % (cols + 1) == 0 ? 2.0 : 0.0));
    stored[i] = values[i];
  }
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const hsize_t chunk[2] = {chunk_rows, cols};
    check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk failed");
    const hsize_t dims[2] = {rows, cols}, max_dims[2] = {H5S_UNLIMITED, cols};
    Handle space(H5Screate_simple(2, dims, max_dims), H5Sclose, where + ": H5Screate_simple failed");
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, values.data(), where);
    if (grown_rows == rows) return;
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2 failed");
    const hsize_t grown[2] = {grown_rows, cols};
    check(H5Dset_extent(dataset.get(), grown), where + ": H5Dset_extent failed");
    dataset.close(where + ": closing the dataset failed");
  });
  return stored;
}

void make_hard_link(const std::string& file, const std::string& link_path, const std::string& target_path) {
  const std::string where = describe("make_hard_link", file, "link", link_path) + " -> '" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_hard(file_id, target_path.c_str(), file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_hard failed");
  });
}

}  // namespace rankme::testing
