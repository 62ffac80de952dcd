#include "rankme/app/spectrum_file.hpp"

#include <filesystem>
#include <stdexcept>

#include "rankme/io/hdf5_error.hpp"

namespace rankme {

namespace {

Hdf5Handle scalar_space() { return Hdf5Handle(check_hdf5(H5Screate(H5S_SCALAR), "H5Screate(scalar)"), H5Sclose); }

void write_double_attribute(hid_t object, const std::string& name, double value) {
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute(check_hdf5(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                        "cannot create attribute '" + name + "'"),
                             H5Aclose);
  check_hdf5(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value), "cannot write attribute '" + name + "'");
}

void write_uint64_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute(check_hdf5(H5Acreate2(object, name.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                        "cannot create attribute '" + name + "'"),
                             H5Aclose);
  check_hdf5(H5Awrite(attribute.get(), H5T_NATIVE_UINT64, &value), "cannot write attribute '" + name + "'");
}

void write_int_attribute(hid_t object, const std::string& name, int value) {
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute(check_hdf5(H5Acreate2(object, name.c_str(), H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                        "cannot create attribute '" + name + "'"),
                             H5Aclose);
  check_hdf5(H5Awrite(attribute.get(), H5T_NATIVE_INT, &value), "cannot write attribute '" + name + "'");
}

// A variable-length UTF-8 string (h5py reads it as str).
void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  const Hdf5Handle type(check_hdf5(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check_hdf5(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size");
  check_hdf5(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset");
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute(check_hdf5(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                        "cannot create attribute '" + name + "'"),
                             H5Aclose);
  const char* text = value.c_str();
  check_hdf5(H5Awrite(attribute.get(), type.get(), &text), "cannot write attribute '" + name + "'");
}

// Whether the link `path` exists, walking it component by component (H5Lexists wants every
// intermediate group to exist).
bool link_exists(hid_t file, const std::string& path) {
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    if (check_hdf5(H5Lexists(file, prefix.c_str(), H5P_DEFAULT), "cannot look up '" + prefix + "'") <= 0) return false;
  }
  return true;
}

}  // namespace

std::string spectrum_group_name(const std::string& file) {
  std::string name;
  for (const char c : file) {
    if (c == '%') {
      name += "%25";
    } else if (c == '/') {
      name += "%2F";
    } else {
      name += c;
    }
  }
  return name;
}

std::string spectrum_path(const std::string& file, const std::string& dataset) {
  // A bare .npy holds one array, named "/": its spectrum is the file's entry itself, not a group.
  if (dataset == "/") return "/" + spectrum_group_name(file);
  return "/" + spectrum_group_name(file) + dataset;
}

SpectrumFile SpectrumFile::open(const std::string& path) {
  try {
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    if (exists && std::filesystem::is_directory(path, error)) throw std::runtime_error("is a directory");
    const hid_t file = exists ? H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                              : H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    return SpectrumFile(path, Hdf5Handle(check_hdf5(file, exists ? "cannot open for writing" : "cannot create"), H5Fclose));
  } catch (const std::runtime_error& failure) {
    throw std::runtime_error("spectrum file '" + path + "': " + failure.what());
  }
}

void SpectrumFile::write(const DatasetResult& result, const std::vector<double>& singular_values, double eps,
                         bool centered) {
  const std::string where = result.dataset.empty() ? "" : spectrum_path(result.file, result.dataset);
  try {
    if (result.dataset.empty() || result.dataset.front() != '/') {
      throw std::runtime_error("no absolute dataset path for a result of '" + result.file + "'");
    }
    const hid_t file = file_.get();
    // A resumed re-score replaces what an earlier run wrote (the space is not reclaimed; h5repack does).
    if (link_exists(file, where)) check_hdf5(H5Ldelete(file, where.c_str(), H5P_DEFAULT), "cannot delete the earlier spectrum");
    const Hdf5Handle link_properties(check_hdf5(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate(link create)"), H5Pclose);
    check_hdf5(H5Pset_create_intermediate_group(link_properties.get(), 1), "H5Pset_create_intermediate_group");
    const hsize_t count = singular_values.size();
    const Hdf5Handle space(check_hdf5(H5Screate_simple(1, &count, nullptr), "H5Screate_simple"), H5Sclose);
    const Hdf5Handle dataset(check_hdf5(H5Dcreate2(file, where.c_str(), H5T_IEEE_F64LE, space.get(), link_properties.get(),
                                                   H5P_DEFAULT, H5P_DEFAULT),
                                        "cannot create the dataset"),
                             H5Dclose);
    if (count > 0) {
      check_hdf5(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, singular_values.data()),
                 "cannot write the singular values");
    }
    const hid_t object = dataset.get();
    if (result.rankme) write_double_attribute(object, "rankme", *result.rankme);
    for (const auto& [name, value] : result.metrics) write_double_attribute(object, name, value);
    write_uint64_attribute(object, "rows", result.rows);
    write_uint64_attribute(object, "rows_used", result.rows_used);
    write_uint64_attribute(object, "cols", result.cols);
    // The solver names the route: "tsqr" for the accurate mode, an eigensolver name for the Gram route.
    write_string_attribute(object, "method", result.solver == "tsqr" ? "tsqr" : "gram");
    write_double_attribute(object, "eps", eps);
    write_int_attribute(object, "centered", centered ? 1 : 0);
    write_string_attribute(object, "status", status_name(result.status));
    check_hdf5(H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot flush");
  } catch (const std::runtime_error& failure) {
    throw std::runtime_error("spectrum file '" + path_ + "'" + (where.empty() ? "" : ", dataset '" + where + "'") + ": " +
                             failure.what());
  }
}

}  // namespace rankme
