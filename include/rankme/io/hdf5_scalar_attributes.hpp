#pragma once
// The scalar attributes of one HDF5 object, numbers and short text: the hyperparameters training code
// leaves beside its embeddings (h5py's f.attrs["lr"] = 1e-3, f["epoch_10"].attrs["epoch"] = 10).
#include <hdf5.h>

#include <cstddef>
#include <map>
#include <string>
#include <variant>

namespace rankme {

// Name -> a number or a text; the same type as pipeline's Params (run_params.hpp), which io sits below.
using ScalarAttributes = std::map<std::string, std::variant<double, std::string>>;

// Longer text is not a hyperparameter (a config dump, a description) and is left out.
inline constexpr std::size_t max_attribute_text_bytes = 256;

// The attributes of `object` (an open file, group or dataset) that hold one value:
// - one element: a scalar dataspace, or a simple one of exactly one element (`attrs["lr"] = [1e-3]`, as
//   MATLAB and Julia write scalars);
// - a number of any integer or floating class, as a double (integers beyond 2^53 round); nonfinite floats
//   are left out (JSON cannot carry them, and a NaN is no setting);
// - text, fixed or variable length, ASCII or UTF-8, at most max_attribute_text_bytes: a fixed-length string
//   ends at its first NUL (and a space-padded one loses its trailing spaces);
// - an enum (h5py stores numpy booleans as one): FALSE/TRUE as 0/1, any other member by its name.
// Everything else (arrays, compounds, references, opaque, bitfields, an empty name or one holding control
// characters) is left out, and so is an attribute HDF5 fails to read: attributes add to what is known of a
// run, and a damaged one must not cost the dataset its score. Silence HDF5's error printing around it
// (SilenceHdf5Errors).
ScalarAttributes read_scalar_attributes(hid_t object);

}  // namespace rankme
