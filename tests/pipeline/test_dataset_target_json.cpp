// DatasetTarget as JSON: every field survives the discovery message (CBOR) byte for byte, names that are
// not UTF-8 included; the keys the --list lines and the results share with it are spelled alike; a whole
// discovery and a failure travel as one message.
#include "rankme/pipeline/dataset_target_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace rankme {
namespace {

using nlohmann::json;

// Every field set to something other than its default.
DatasetTarget every_field_set() {
  DatasetTarget target;
  target.file = "sweep/run \xff\xfe:1.h5";  // not UTF-8: HDF5 and file names are bytes
  target.dataset = "/runs/caf\xc3\xa9/\x80 epoch/embeddings";
  target.rows = (std::uint64_t{1} << 40) + 3;
  target.cols = 4097;
  target.dtype = "float16be";
  target.type = StoredType{StoredType::Kind::floating, 2, true};
  target.chunk_dims = {64, 4097};
  target.error = "dataset '/x' in 'y': incomplete \xff";
  target.file_size = (std::uint64_t{1} << 50) + 7;
  target.file_mtime_ns = -1234567890123456789;  // before the epoch: signed survives
  target.canonical_file = "/scratch/sweep/run \xff\xfe:1.h5";
  target.object_identity = "2049:1234567:8192";
  target.through_external_link = true;
  target.named_explicitly = true;
  return target;
}

void expect_same(const DatasetTarget& back, const DatasetTarget& target) {
  EXPECT_EQ(back.file, target.file);
  EXPECT_EQ(back.dataset, target.dataset);
  EXPECT_EQ(back.rows, target.rows);
  EXPECT_EQ(back.cols, target.cols);
  EXPECT_EQ(back.dtype, target.dtype);
  EXPECT_EQ(back.type.has_value(), target.type.has_value());
  if (back.type && target.type) {
    EXPECT_TRUE(*back.type == *target.type) << back.type->name();
  }
  EXPECT_EQ(back.chunk_dims, target.chunk_dims);
  EXPECT_EQ(back.error, target.error);
  EXPECT_EQ(back.file_size, target.file_size);
  EXPECT_EQ(back.file_mtime_ns, target.file_mtime_ns);
  EXPECT_EQ(back.canonical_file, target.canonical_file);
  EXPECT_EQ(back.object_identity, target.object_identity);
  EXPECT_EQ(back.through_external_link, target.through_external_link);
  EXPECT_EQ(back.named_explicitly, target.named_explicitly);
}

DatasetTarget through_cbor(const DatasetTarget& target) {
  return target_from_json(json::from_cbor(json::to_cbor(target_to_json(target))));
}

TEST(DatasetTargetJson, EveryFieldRoundTripsThroughCborByteForByte) {
  const DatasetTarget target = every_field_set();
  expect_same(through_cbor(target), target);
  expect_same(target_from_json(target_to_json(target)), target);
}

TEST(DatasetTargetJson, EveryStoredTypeRoundTrips) {
  for (const StoredType::Kind kind : {StoredType::Kind::floating, StoredType::Kind::signed_int,
                                      StoredType::Kind::unsigned_int}) {
    for (const int bytes : {1, 2, 4, 8}) {
      for (const bool big_endian : {false, true}) {
        DatasetTarget target;
        target.type = StoredType{kind, bytes, big_endian};
        const DatasetTarget back = through_cbor(target);
        ASSERT_TRUE(back.type.has_value());
        EXPECT_TRUE(*back.type == *target.type) << target.type->name() << " came back as " << back.type->name();
      }
    }
  }
}

TEST(DatasetTargetJson, BfloatAndCustomFloatLayoutsRoundTrip) {
  // A 24-bit float with a bias of its own and its fields in an unusual order, and one that stores its
  // leading bit: every field of the description must come back, or rank 0 and the others would decode
  // the same bytes differently.
  const std::vector<StoredType> types = {
      StoredType::bfloat16(false), StoredType::bfloat16(true),
      StoredType::custom_float(3, true, FloatFields{0, 1, 7, 8, 16, 60, true}),
      StoredType::custom_float(8, false, FloatFields{63, 52, 11, 0, 52, 1023, false}),
  };
  for (const StoredType& type : types) {
    DatasetTarget target;
    target.type = type;
    const DatasetTarget back = through_cbor(target);
    ASSERT_TRUE(back.type.has_value());
    EXPECT_TRUE(*back.type == type) << type.name() << " came back as " << back.type->name();
    EXPECT_EQ(back.type->name(), type.name());
  }
  // A description no decoder could follow is refused on arrival, not decoded.
  json written = target_to_json([] {
    DatasetTarget target;
    target.type = StoredType::custom_float(3, false, FloatFields{23, 16, 7, 0, 16, 63, true});
    return target;
  }());
  written["type"]["fields"]["mantissa_bits"] = 60;
  EXPECT_ANY_THROW(target_from_json(written));
}

TEST(DatasetTargetJson, DefaultsRoundTripAndAnEmptyErrorIsNull) {
  DatasetTarget target;  // no type (an input that failed), no chunks, no error text
  target.file = "a.h5";
  const json written = target_to_json(target);
  EXPECT_TRUE(written.at("error").is_null());
  EXPECT_TRUE(written.at("type").is_null());
  const DatasetTarget back = through_cbor(target);
  expect_same(back, target);
  EXPECT_FALSE(back.type.has_value());
  EXPECT_TRUE(back.scorable());
}

TEST(DatasetTargetJson, AMissingKeyIsAnErrorNotADefault) {
  for (const char* key : {"file", "dataset", "rows", "cols", "chunk", "type", "object_identity",
                          "through_external_link", "named_explicitly"}) {
    json written = target_to_json(every_field_set());
    written.erase(key);
    EXPECT_THROW(target_from_json(written), json::exception) << key;
  }
  json wrong = target_to_json(every_field_set());
  wrong["rows"] = "many";
  EXPECT_THROW(target_from_json(wrong), json::exception);
}

// The keys --list prints and the results carry: spelled in one place for both.
TEST(DatasetTargetJson, ListedKeysAreTheSameForATargetAndAResult) {
  const DatasetTarget target = every_field_set();
  json from_target;
  write_listed_keys(target, from_target);
  std::set<std::string> keys;
  for (const auto& item : from_target.items()) keys.insert(item.key());
  EXPECT_EQ(keys, (std::set<std::string>{"file", "dataset", "rows", "cols", "dtype", "error"}));
  EXPECT_EQ(from_target.at("file"), target.file);
  EXPECT_EQ(from_target.at("dataset"), target.dataset);
  EXPECT_EQ(from_target.at("rows"), target.rows);
  EXPECT_EQ(from_target.at("cols"), target.cols);
  EXPECT_EQ(from_target.at("dtype"), target.dtype);
  EXPECT_EQ(from_target.at("error"), target.error);

  DatasetResult result;
  result.file = target.file;
  result.dataset = target.dataset;
  result.rows = target.rows;
  result.cols = target.cols;
  result.dtype = target.dtype;
  result.error = target.error;
  result.file_size = target.file_size;
  result.file_mtime_ns = target.file_mtime_ns;
  result.canonical_file = target.canonical_file;
  json from_result;
  write_listed_keys(result, from_result);
  EXPECT_EQ(from_result, from_target);

  json identity_of_target, identity_of_result;
  write_file_identity_keys(target, identity_of_target);
  write_file_identity_keys(result, identity_of_result);
  EXPECT_EQ(identity_of_target, (json{{"file_size", target.file_size},
                                      {"file_mtime_ns", target.file_mtime_ns},
                                      {"canonical_file", target.canonical_file}}));
  EXPECT_EQ(identity_of_result, identity_of_target);

  result.error.clear();
  write_listed_keys(result, from_result);
  EXPECT_TRUE(from_result.at("error").is_null());
}

TEST(DatasetTargetJson, ReadingListedKeysOfAResult) {
  json written;
  DatasetResult result;
  result.file = "x.h5";
  result.dataset = "/emb";
  result.rows = 5;
  result.cols = 2;
  result.dtype = "int8";
  result.error = "broken";
  result.file_size = 99;
  result.file_mtime_ns = 42;
  result.canonical_file = "/data/x.h5";
  write_listed_keys(result, written);
  write_file_identity_keys(result, written);
  DatasetResult back;
  read_listed_keys(written, back);
  EXPECT_EQ(back.file, "x.h5");
  EXPECT_EQ(back.dataset, "/emb");
  EXPECT_EQ(back.rows, 5u);
  EXPECT_EQ(back.cols, 2u);
  EXPECT_EQ(back.dtype, "int8");
  EXPECT_EQ(back.error, "broken");
  EXPECT_EQ(back.file_size, 99u);
  EXPECT_EQ(back.file_mtime_ns, 42);
  EXPECT_EQ(back.canonical_file, "/data/x.h5");

  // Older reports: no file identity, null dtype and error.
  const json older = {{"file", "x.h5"}, {"dataset", "/emb"}, {"rows", 5},
                      {"cols", 2},       {"dtype", nullptr},  {"error", nullptr}};
  DatasetResult old_result;
  old_result.file_size = 7;
  read_listed_keys(older, old_result);
  EXPECT_EQ(old_result.dtype, "");
  EXPECT_EQ(old_result.error, "");
  EXPECT_EQ(old_result.file_size, 0u);
  EXPECT_EQ(old_result.file_mtime_ns, 0);
  EXPECT_EQ(old_result.canonical_file, "");  // result_identity.hpp resolves `file` for such lines
  for (const char* required : {"file", "dataset", "rows", "cols"}) {
    json missing = older;
    missing.erase(required);
    DatasetResult ignored;
    EXPECT_THROW(read_listed_keys(missing, ignored), json::exception) << required;
  }
}

TEST(DiscoveryMessage, TargetsAndNotesArriveAsTheyWereAppendedToWhatIsThere) {
  Discovery discovery;
  discovery.targets = {every_field_set(), failed_target("missing \xff.h5", "/runs/*", "no such file")};
  discovery.notes = {"skipped '/labels' \xfe", "another note"};
  const std::string bytes = serialise_discovery(discovery);

  Discovery into;
  into.targets.push_back(failed_target("earlier.h5", "", "kept"));
  into.notes.push_back("earlier note");
  EXPECT_FALSE(deserialise_discovery(bytes, into).has_value());
  ASSERT_EQ(into.targets.size(), 3u);
  EXPECT_EQ(into.targets[0].file, "earlier.h5");
  expect_same(into.targets[1], discovery.targets[0]);
  expect_same(into.targets[2], discovery.targets[1]);
  EXPECT_EQ(into.notes, (std::vector<std::string>{"earlier note", "skipped '/labels' \xfe", "another note"}));

  Discovery empty;
  EXPECT_FALSE(deserialise_discovery(serialise_discovery(Discovery{}), empty).has_value());
  EXPECT_TRUE(empty.targets.empty());
  EXPECT_TRUE(empty.notes.empty());
}

TEST(DiscoveryMessage, AFailureArrivesAsItsMessageAndAddsNothing) {
  Discovery into;
  const auto failure = deserialise_discovery(serialise_discovery_failure("walk failed \xff"), into);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(*failure, "walk failed \xff");
  EXPECT_TRUE(into.targets.empty());
  EXPECT_TRUE(into.notes.empty());
}

}  // namespace
}  // namespace rankme
