// The HDF5 machinery shared by the fixture writers (hdf5_matrix_writer, hdf5_unusual_objects, hdf5_links,
// hdf5_unwritten_datasets): owned identifiers, quiet error handling, opening files and creating objects.
// Internal to rankme_test_fixtures; tests include the writers, not this.
//
// Everything in the test support is deliberately independent of the product code in src/ and
// include/rankme/: a fixture that shared code with the thing under test could not catch that code's
// mistakes.
//
// Conventions shared by every fixture writer:
//  * Files are written serially from one process with the default (sec2) file driver, never MPI-IO.
//    In an MPI test, write fixtures on one rank and barrier before the other ranks read them.
//  * Nothing is overwritten: adding a dataset, group or link at a path that already exists throws.
//    Intermediate groups of a path are created as needed.
//  * Every HDF5 failure throws std::runtime_error naming the file, the object and the operation,
//    followed by HDF5's own error stack. HDF5's automatic error printing is switched off while a
//    function runs and restored afterwards, so expected failures do not litter test output.
//  * Caller mistakes that are detected before HDF5 is involved (an unsupported StoredType, a
//    chunk larger than the matrix, NaN written to an integer type, ...) throw
//    std::invalid_argument.
//
// Implementation notes
//  * Every hid_t lives in a Handle so that it is closed on every path, including exceptions.
//  * HDF5 work happens inside with_file(), which silences HDF5's error printing for its duration,
//    opens or creates the file, lets the caller add objects (whose handles are closed when the
//    caller's lambda returns) and finally closes the file with its status checked, since closing
//    is when HDF5 flushes metadata and a failure there would otherwise go unnoticed.
#pragma once

#include <hdf5.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rankme::testing::hdf5_writer {

// Switches off HDF5's automatic error printing for one scope: failures are reported through the
// exceptions below (with the error stack in the message), and tests that expect failures should not
// flood the log. The previous handler is restored, so callers' own settings survive.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors();
  ~QuietHdf5Errors();
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t old_function_ = nullptr;
  void* old_data_ = nullptr;
  bool restore_ = false;
};

// Throws std::runtime_error with `what` followed by the current HDF5 error stack (which it clears).
[[noreturn]] void fail(const std::string& what);
// fail(what) when status < 0.
void check(herr_t status, const std::string& what);

// Move-only owner of one HDF5 identifier, closed with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  // Takes ownership of `id`, or throws naming `what` if the call that produced it failed.
  Handle(hid_t id, Closer closer, const std::string& what);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }

  // Closes now and throws if HDF5 reports a failure (for files: the final flush).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// "rankme::testing::<function>: file '<file>', <kind> '<path>'", the prefix of every message.
std::string describe(const char* function, const std::string& file, const char* kind, const std::string& path);

// Runs add_objects(file_id) on `file` (opened read-write, or created) and closes it, checked.
// `where` names the calling function, file and object for every message.
void with_file(const std::string& file, const std::string& where, const std::function<void(hid_t)>& add_objects);

// "/a/b/c" for "a/b/c" or "/a/b/c"; rejects paths naming no object at all.
std::string absolute_object_path(const std::string& path, const std::string& where);

// Throws unless nothing (no object, no link, not even a dangling one) exists at `path`.
void ensure_absent(hid_t file_id, const std::string& path, const std::string& where);

// Link creation property list that creates missing intermediate groups.
Handle intermediate_groups_lcpl(const std::string& where);
Handle copy_type(hid_t predefined, const std::string& where);
Handle simple_space(const std::vector<hsize_t>& dims, const std::string& where);

// Creates a dataset at an absent `path` (with intermediate groups) and, if data is non-null,
// writes all of it from memory described by mem_type. The dataset is closed, checked, on return.
void create_dataset(hid_t file_id, const std::string& path, hid_t file_type, hid_t space, hid_t dcpl,
                    hid_t mem_type, const void* data, const std::string& where);

}  // namespace rankme::testing::hdf5_writer
