// Attributes as training code leaves them beside its embeddings (h5py's attrs, MATLAB's and Julia's
// one-element arrays), written with the HDF5 C API on the root ("/"), a group or a dataset. An object path
// that does not exist yet becomes a group (with its intermediate groups). Conventions: see
// hdf5_writer_core.hpp.
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

namespace rankme::testing {

// A number stored as `file_type` (H5T_STD_I8LE, H5T_STD_U64BE, H5T_IEEE_F32LE, ...), converted by HDF5
// from a double; `dims` empty: a scalar dataspace, else a simple one of these dimensions, every element
// `value`.
void write_number_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                            double value, hid_t file_type = H5T_IEEE_F64LE, const std::vector<hsize_t>& dims = {});

enum class TextStorage { fixed_null_terminated, fixed_space_padded, variable };

// A scalar string attribute (fixed length: exactly text.size() bytes, or `fixed_size` when larger).
void write_text_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                          const std::string& text, TextStorage storage = TextStorage::variable,
                          H5T_cset_t cset = H5T_CSET_UTF8, std::size_t fixed_size = 0);

// h5py's numpy bool: an enum {FALSE = 0, TRUE = 1} over int8.
void write_bool_attribute(const std::string& file, const std::string& object_path, const std::string& name,
                          bool value);

// A scalar compound {double a; int32 b} attribute (not a param).
void write_compound_attribute(const std::string& file, const std::string& object_path, const std::string& name);

}  // namespace rankme::testing
