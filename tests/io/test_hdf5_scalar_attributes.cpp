// The scalar attributes of HDF5 objects as params (hdf5_scalar_attributes.hpp): every number class and
// string storage, one-element arrays, h5py's booleans, and what is left out (arrays, compounds, long text,
// NaN, names with control characters), on the root, a group and a dataset.
#include "rankme/io/hdf5_scalar_attributes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "support/hdf5_attributes.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::TextStorage;

double number(const ScalarAttributes& attributes, const std::string& name) {
  const auto found = attributes.find(name);
  if (found == attributes.end() || !std::holds_alternative<double>(found->second)) {
    ADD_FAILURE() << "no number " << name;
    return std::nan("");
  }
  return std::get<double>(found->second);
}

std::string text(const ScalarAttributes& attributes, const std::string& name) {
  const auto found = attributes.find(name);
  if (found == attributes.end() || !std::holds_alternative<std::string>(found->second)) {
    ADD_FAILURE() << "no text " << name;
    return {};
  }
  return std::get<std::string>(found->second);
}

ScalarAttributes attributes_of(const std::string& file, const std::string& object) {
  const SilenceHdf5Errors silence;
  Hdf5Handle handle = open_file_alone(file);
  Hdf5Handle opened(H5Oopen(handle.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
  EXPECT_TRUE(opened.valid()) << object;
  return read_scalar_attributes(opened.get());
}

TEST(Hdf5ScalarAttributes, NumbersOfEveryClass) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("numbers.h5");
  testing::write_number_attribute(file, "/", "lr", 1e-3);
  testing::write_number_attribute(file, "/", "f32", 0.5, H5T_IEEE_F32BE);
  testing::write_number_attribute(file, "/", "i8", -7, H5T_STD_I8LE);
  testing::write_number_attribute(file, "/", "u16", 65535, H5T_STD_U16BE);
  testing::write_number_attribute(file, "/", "i64", -9007199254740992.0, H5T_STD_I64LE);
  testing::write_number_attribute(file, "/", "u64", 18446744073709549568.0, H5T_STD_U64LE);
  testing::write_number_attribute(file, "/", "one_element", 256, H5T_STD_I32LE, {1});
  testing::write_number_attribute(file, "/", "one_by_one", 3, H5T_IEEE_F64LE, {1, 1});
  const ScalarAttributes a = attributes_of(file, "/");
  EXPECT_EQ(a.size(), 8u);
  EXPECT_DOUBLE_EQ(number(a, "lr"), 1e-3);
  EXPECT_DOUBLE_EQ(number(a, "f32"), 0.5);
  EXPECT_DOUBLE_EQ(number(a, "i8"), -7);
  EXPECT_DOUBLE_EQ(number(a, "u16"), 65535);
  EXPECT_DOUBLE_EQ(number(a, "i64"), -9007199254740992.0);
  EXPECT_DOUBLE_EQ(number(a, "u64"), 18446744073709549568.0);
  EXPECT_DOUBLE_EQ(number(a, "one_element"), 256) << "MATLAB and Julia write scalars as one-element arrays";
  EXPECT_DOUBLE_EQ(number(a, "one_by_one"), 3);
}

TEST(Hdf5ScalarAttributes, TextOfEveryStorage) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("text.h5");
  testing::write_matrix(file, "/run/z", {1, 2, 3, 4}, 2, 2, {testing::StoredType::Kind::floating, 8});
  testing::write_text_attribute(file, "/run/z", "opt", "adamw");
  testing::write_text_attribute(file, "/run/z", "fixed", "sgd", TextStorage::fixed_null_terminated, H5T_CSET_ASCII, 16);
  testing::write_text_attribute(file, "/run/z", "padded", "lamb", TextStorage::fixed_space_padded, H5T_CSET_ASCII, 10);
  testing::write_text_attribute(file, "/run/z", "caf\xc3\xa9", "\xe5\xad\xa6\xe7\xbf\x92");  // UTF-8 name and value
  testing::write_text_attribute(file, "/run/z", "empty", "");
  testing::write_text_attribute(file, "/run/z", "longest", std::string(max_attribute_text_bytes, 'x'),
                                TextStorage::fixed_null_terminated);
  testing::write_text_attribute(file, "/run/z", "config_dump", std::string(max_attribute_text_bytes + 1, 'x'));
  testing::write_text_attribute(file, "/run/z", "fixed_dump", std::string(max_attribute_text_bytes + 1, 'y'),
                                TextStorage::fixed_null_terminated);
  const ScalarAttributes a = attributes_of(file, "/run/z");
  EXPECT_EQ(text(a, "opt"), "adamw");
  EXPECT_EQ(text(a, "fixed"), "sgd") << "a fixed-length string ends at its first NUL";
  EXPECT_EQ(text(a, "padded"), "lamb") << "trailing spaces of a space-padded string are padding";
  EXPECT_EQ(text(a, "caf\xc3\xa9"), "\xe5\xad\xa6\xe7\xbf\x92");
  EXPECT_EQ(text(a, "empty"), "");
  EXPECT_EQ(text(a, "longest"), std::string(max_attribute_text_bytes, 'x'));
  EXPECT_EQ(a.count("config_dump"), 0u) << "text longer than max_attribute_text_bytes is no hyperparameter";
  EXPECT_EQ(a.count("fixed_dump"), 0u);
  EXPECT_EQ(a.size(), 6u);
}

TEST(Hdf5ScalarAttributes, BooleansAndWhatIsLeftOut) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("other.h5");
  testing::write_bool_attribute(file, "/g", "augment", true);
  testing::write_bool_attribute(file, "/g", "frozen", false);
  testing::write_number_attribute(file, "/g", "pair", 1, H5T_IEEE_F64LE, {2});
  testing::write_number_attribute(file, "/g", "none", 1, H5T_IEEE_F64LE, {0});
  testing::write_number_attribute(file, "/g", "diverged", std::nan(""));
  testing::write_number_attribute(file, "/g", "blown_up", INFINITY, H5T_IEEE_F32LE);
  testing::write_compound_attribute(file, "/g", "record");
  testing::write_number_attribute(file, "/g", "line\nbreak", 1);
  testing::write_number_attribute(file, "/g", "kept", 2);
  const ScalarAttributes a = attributes_of(file, "/g");
  EXPECT_DOUBLE_EQ(number(a, "augment"), 1) << "h5py's numpy booleans are an enum FALSE/TRUE";
  EXPECT_DOUBLE_EQ(number(a, "frozen"), 0);
  EXPECT_DOUBLE_EQ(number(a, "kept"), 2);
  EXPECT_EQ(a.size(), 3u) << "arrays, empty arrays, NaN, infinity, compounds and control characters are left out";
}

TEST(Hdf5ScalarAttributes, AnObjectWithoutAttributesHasNone) {
  const testing::TemporaryDirectory directory;
  const std::string file = directory.file("plain.h5");
  testing::write_matrix(file, "/z", {1, 2, 3, 4}, 2, 2, {testing::StoredType::Kind::floating, 8});
  EXPECT_TRUE(attributes_of(file, "/").empty());
  EXPECT_TRUE(attributes_of(file, "/z").empty());
}

}  // namespace
}  // namespace rankme
