#include "support/hdf5_writer_core.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace rankme::testing::hdf5_writer {
namespace {

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


}  // namespace

QuietHdf5Errors::QuietHdf5Errors() {
  restore_ = H5Eget_auto2(H5E_DEFAULT, &old_function_, &old_data_) >= 0;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietHdf5Errors::~QuietHdf5Errors() {
  if (restore_) H5Eset_auto2(H5E_DEFAULT, old_function_, old_data_);
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + take_hdf5_error_stack());
}

void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}


Handle::Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
  if (id_ < 0) fail(what);
}

Handle::~Handle() {
  // Destructors cannot report; close() is used where the status matters.
  if (id_ >= 0) closer_(id_);
}

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) closer_(id_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

void Handle::close(const std::string& what) {
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  check(closer_(id), what);
}

std::string describe(const char* function, const std::string& file, const char* kind,
                     const std::string& path) {
  return std::string("rankme::testing::") + function + ": file '" + file + "', " + kind + " '" +
         path + "'";
}

namespace {

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

}  // namespace

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

}  // namespace rankme::testing::hdf5_writer
