#pragma once
// DatasetTarget as JSON, the one place its keys are spelled: the discovery messages carry every field
// (as CBOR, because HDF5 names are bytes, not necessarily UTF-8), and the --list lines and the results
// (sweep/dataset_result_json.hpp) write the keys they share with it through the same functions.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// The listed dataset, as every document that names one spells it: file, dataset, rows, cols, dtype, and
// error (null when none).
void write_listed_keys(const DatasetTarget& target, nlohmann::json& json);
void write_listed_keys(const DatasetResult& result, nlohmann::json& json);

// file_size and file_mtime_ns: the file as it was listed, which --resume compares.
void write_file_identity_keys(const DatasetTarget& target, nlohmann::json& json);
void write_file_identity_keys(const DatasetResult& result, nlohmann::json& json);

// Both groups back. file, dataset, rows and cols are required; dtype and error may be missing or null
// (empty), the file identity missing (zeros, which never match a real file). Throws
// nlohmann::json::exception for a required key missing or any key of the wrong type.
void read_listed_keys(const nlohmann::json& json, DatasetTarget& target);
void read_listed_keys(const nlohmann::json& json, DatasetResult& result);

// Every field: the listed keys, the file identity, and chunk, type (null, or kind, bytes and big_endian),
// object_identity, through_external_link, named_explicitly. The inverse throws nlohmann::json::exception
// when a key is missing or of the wrong type.
nlohmann::json target_to_json(const DatasetTarget& target);
DatasetTarget target_from_json(const nlohmann::json& json);

// A whole discovery as the bytes that carry it between processes (from an isolated child to its parent,
// from the root to every rank): CBOR of {"targets": [...], "notes": [...]}. A failure of the discovery
// itself travels as {"fatal": message}.
std::string serialise_discovery(const Discovery& discovery);
std::string serialise_discovery_failure(const std::string& message);
// Appends the targets and notes to `into`; returns the message of a serialised failure instead.
std::optional<std::string> deserialise_discovery(const std::string& bytes, Discovery& into);

}  // namespace rankme
