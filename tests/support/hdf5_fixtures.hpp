// Test-support library: writes HDF5 files for rankme's tests with the HDF5 C API, plus small
// independent numerical references (singular values, RankMe) to compare the product against.
//
// Everything here is deliberately independent of the product code in src/ and include/rankme/:
// a fixture that shared code with the thing under test could not catch that code's mistakes.
//
// Conventions shared by every function below:
//  * Files are written serially from one process with the default (sec2) file driver, never MPI-IO.
//    In an MPI test, write fixtures on one rank and barrier before the other ranks read them.
//  * Nothing is overwritten: adding a dataset, group or link at a path that already exists throws,
//    and so do the functions that create plain files (write_not_hdf5, copy_truncated) when the
//    destination exists. Intermediate groups of a path are created as needed.
//  * Every HDF5 failure throws std::runtime_error naming the file, the object and the operation,
//    followed by HDF5's own error stack. HDF5's automatic error printing is switched off while a
//    function runs and restored afterwards, so expected failures do not litter test output.
//  * Caller mistakes that are detected before HDF5 is involved (an unsupported StoredType, a
//    chunk larger than the matrix, NaN written to an integer type, ...) throw
//    std::invalid_argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rankme::testing {

// How values are stored on disk.
struct StoredType {
  enum class Kind { floating, signed_int, unsigned_int };
  Kind kind;
  int bytes;                // floating: 2 (IEEE half as h5py writes it), 4, 8; integers: 1, 2, 4, 8
  bool big_endian = false;  // ignored for 1-byte integers, which are always written as *8LE

  // e.g. "float16le", "float64be", "int32be", "uint8" (1-byte integers carry no byte order).
  std::string name() const;
};

// f16/f32/f64 and i8..i64, u8..u64, each little and big endian (1-byte integers once): 20 types.
std::vector<StoredType> all_supported_stored_types();

struct Layout {
  enum class Kind { contiguous, chunked, compact } kind = Kind::contiguous;
  std::uint64_t chunk_rows = 0, chunk_cols = 0;  // chunked only; each in [1, matrix dimension]
  bool gzip = false;                             // deflate level 4 (needs chunked)
  bool shuffle = false;  // shuffle filter, applied before deflate (needs chunked)

  // e.g. "contiguous", "compact", "chunked(7x3)+shuffle+gzip".
  std::string name() const;
};

// Writes a rows x cols matrix given row-major in doubles, converting each value to the stored type:
//  * integers: round to nearest, ties away from zero (std::round), then clamp to the type's range;
//    NaN throws std::invalid_argument. (int64/uint64 values beyond 2^53 cannot be returned exactly
//    as doubles; the returned value is then the nearest double.)
//  * float16: round-to-nearest-even straight from double (no double rounding through float),
//    including subnormals, overflow to infinity, signed zero, infinities; NaN is stored as the
//    quiet NaN 0x7e00 with the input's sign.
//  * float32: round-to-nearest-even as static_cast does; finite values beyond float's range become
//    +-FLT_MAX or +-inf exactly as IEEE rounding says (checked first, since that cast is UB in
//    C++).
//  * float64: stored as given.
// Big-endian types are byte-swapped here; the data are written with a memory type equal to the file
// type, so HDF5 performs no conversion of its own. Creates `file` if missing, otherwise opens it
// read-write and adds to it. Throws if anything already exists at dataset_path.
// Returns the values exactly as stored, converted back to double, so that a test can compute its
// reference on precisely the data the product will read.
std::vector<double> write_matrix(const std::string& file, const std::string& dataset_path,
                                 const std::vector<double>& row_major, std::uint64_t rows,
                                 std::uint64_t cols, const StoredType& type,
                                 const Layout& layout = {});

// The value `value` becomes when stored as `type` (the per-element conversion write_matrix uses).
double stored_value(double value, const StoredType& type);

// IEEE binary16 conversions used by write_matrix, exposed so tests can reason about float16 data.
std::uint16_t float16_bits_from_double(double value);  // round-to-nearest-even
double double_from_float16_bits(std::uint16_t bits);   // exact

// ---- Hostile or unsupported inputs. Each creates its object in `file` (created if missing). ----

// 2-D 3x2 fixed-length (8-byte, null-terminated, ASCII) strings "r0c0" .. "r2c1".
void write_string_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 compound {double a; int b;} with a = 1..6 and b = -1..-6.
void write_compound_dataset(const std::string& file, const std::string& path);
// float32 (little endian) of any rank, filled with 1..n in row-major order. `dims` may contain
// zeros (nothing is written then); empty `dims` gives a scalar dataspace holding 1. Contiguous
// layout.
void write_array_of_rank(const std::string& file, const std::string& path,
                         const std::vector<std::uint64_t>& dims);
// H5S_SCALAR float64 holding 42.
void write_scalar_dataset(const std::string& file, const std::string& path);
// float64 dataset with an H5S_NULL dataspace (no elements at all).
void write_null_dataspace_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 H5T_STD_B8LE bitfield holding 1..6.
void write_bitfield_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 enum {RED = 0, GREEN = 1, BLUE = 2} over a 32-bit little-endian integer base type.
void write_enum_dataset(const std::string& file, const std::string& path);
// 2x2 little-endian custom (non-IEEE-sized) float, built by copying H5T_IEEE_F32LE (or F64LE when
// size_bytes > 4) and setting the given bit fields, size and exponent bias; normalisation stays
// "implied" like IEEE. The values 1, 2, 3, 4 are written through HDF5's own soft conversion from
// native double, so a reader that converts with HDF5 sees 1..4.
// Examples: bfloat16 = (15, 7, 8, 0, 7, 2, 127); a 24-bit float = (23, 16, 7, 0, 16, 3, 63).
void write_float_type_dataset(const std::string& file, const std::string& path, std::size_t spos,
                              std::size_t epos, std::size_t esize, std::size_t mpos,
                              std::size_t msize, std::size_t size_bytes, std::size_t ebias);
// Chunked (chunks of at most 64x64) float32 of rows x cols (both >= 1), created but never written:
// no chunk is allocated, so readers see only the fill value (0).
void write_unallocated_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                               std::uint64_t cols);
// Soft link at link_path pointing to target_path (which need not exist: dangling links are
// allowed).
void make_soft_link(const std::string& file, const std::string& link_path,
                    const std::string& target_path);
// External link at link_path pointing to target_path inside target_file (neither need exist).
void make_external_link(const std::string& file, const std::string& link_path,
                        const std::string& target_file, const std::string& target_path);
// A group at group_path holding no datasets, only a 2x2 float64 attribute "matrix" = {1, 2, 3, 4}
// (matrix-shaped on purpose: a reader must not mistake an attribute for a dataset).
void write_attribute_only_group(const std::string& file, const std::string& group_path);
// A small text file that is not HDF5. Throws if `file` exists.
void write_not_hdf5(const std::string& file);
// Copies the first floor(size * keep_fraction) bytes of `from` to `to` (keep_fraction in [0, 1]).
// Throws if `to` exists.
void copy_truncated(const std::string& from, const std::string& to, double keep_fraction);

// ---- Numerical references. ----

// Z = U diag(s) V^T with U (rows x m) and V (cols x m) having orthonormal columns,
// m = s.size() <= min(rows, cols), returned row-major rows x cols. U then V are drawn from
// std::mt19937_64(seed) with std::normal_distribution<double> (column by column) and
// orthonormalised with LAPACK dgeqrf + dorgqr. Reproducible for a given seed with the same C++
// standard library (the normal distribution's algorithm is implementation-defined).
// The singular values of Z are s (in any order given, any non-negative values) padded with zeros.
std::vector<double> matrix_with_singular_values(std::uint64_t rows, std::uint64_t cols,
                                                const std::vector<double>& s, std::uint64_t seed);

// All min(rows, cols) singular values, descending, of a finite row-major matrix, by LAPACK dgesdd
// (JOBZ='N') in float64 with a workspace query. Empty for an empty matrix.
std::vector<double> reference_singular_values(const std::vector<double>& row_major,
                                              std::uint64_t rows, std::uint64_t cols);

// |value - reference| / |reference| (0 when they are equal, infinities and zero included; the
// denominator never drops below the smallest normal double).
double relative_difference(double value, double reference);

// RankMe as in the paper: p_k = s_k / sum(s) + eps; exp(-sum_k p_k log p_k); 0 when sum(s) == 0.
// Singular values must be finite and non-negative.
double reference_rankme(const std::vector<double>& singular_values, double eps = 1e-7);

// A unique, freshly created temporary directory that removes itself recursively when destroyed.
// Move-only. In an MPI test create it on one rank and broadcast path().
class TemporaryDirectory {
 public:
  // Creates <system temp dir>/<prefix>XXXXXX.
  explicit TemporaryDirectory(const std::string& prefix = "rankme-test-");
  ~TemporaryDirectory();
  TemporaryDirectory(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory& operator=(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name as a string, for the many APIs that take file names as strings.
  std::string file(const std::string& name) const;

 private:
  std::filesystem::path path_;  // empty once moved from
};

// ---- Never fully written and linked datasets (appended for test_hostile_inputs). ----

// Chunked float32 rows x cols in chunks of chunk_rows x cols (gzip optional), of which only the first
// written_rows rows (0 <= written_rows <= rows) are written: the chunks below them are never allocated
// (incremental allocation) and read back as the fill value 0. Returns the written rows' values as stored
// (1 + ((7 row + 3 col) mod 11) / 8), row-major.
std::vector<double> write_partially_written_dataset(const std::string& file, const std::string& path,
                                                    std::uint64_t rows, std::uint64_t cols,
                                                    std::uint64_t chunk_rows, std::uint64_t written_rows,
                                                    bool gzip);
// Contiguous float32 rows x cols with late allocation, created and never written: its storage is never
// allocated.
void write_unwritten_contiguous_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                        std::uint64_t cols);
// float32 rows x cols with early allocation (contiguous, or chunked in chunk_rows x cols when
// chunk_rows > 0) and fill value `fill` (NaN allowed), created and never written: every chunk exists and
// reads back as `fill`, indistinguishable from written data.
void write_early_allocated_unwritten_dataset(const std::string& file, const std::string& path,
                                             std::uint64_t rows, std::uint64_t cols, double fill,
                                             std::uint64_t chunk_rows = 0);
// An appendable float32 dataset (unlimited rows) of `rows` x cols in chunks of chunk_rows x cols (which may
// exceed rows), every row written, then grown to grown_rows (>= rows) without writing the new rows, as a
// writer that crashed while appending leaves it. Returns the written rows' values as stored, row-major.
std::vector<double> write_appended_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                           std::uint64_t cols, std::uint64_t chunk_rows, std::uint64_t grown_rows);
// A second hard link at link_path to the existing object target_path (h5py's f[link] = f[target]).
void make_hard_link(const std::string& file, const std::string& link_path, const std::string& target_path);

}  // namespace rankme::testing
