#include "rankme/pipeline/dataset_target_json.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "rankme/pipeline/run_params_json.hpp"

namespace rankme {

namespace {

// DatasetTarget and DatasetResult carry the listed dataset in members of the same names.
template <typename Listed>
void write_listed(const Listed& listed, nlohmann::json& json) {
  json["file"] = listed.file;
  json["dataset"] = listed.dataset;
  json["rows"] = listed.rows;
  json["cols"] = listed.cols;
  json["dtype"] = listed.dtype;
  json["error"] = listed.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(listed.error);
}

template <typename Listed>
void write_file_identity(const Listed& listed, nlohmann::json& json) {
  json["file_size"] = listed.file_size;
  json["file_mtime_ns"] = listed.file_mtime_ns;
  json["canonical_file"] = listed.canonical_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(listed.canonical_file);
}

template <typename Listed>
void read_listed(const nlohmann::json& json, Listed& listed) {
  const auto text_or_empty = [&](const char* key) {
    return json.contains(key) && !json[key].is_null() ? json[key].template get<std::string>() : std::string();
  };
  listed.file = json.at("file").template get<std::string>();
  listed.dataset = json.at("dataset").template get<std::string>();
  listed.rows = json.at("rows").template get<std::uint64_t>();
  listed.cols = json.at("cols").template get<std::uint64_t>();
  listed.dtype = text_or_empty("dtype");
  listed.error = text_or_empty("error");
  listed.file_size = json.value("file_size", std::uint64_t{0});
  listed.file_mtime_ns = json.value("file_mtime_ns", std::int64_t{0});
  // Lines written before canonical_file have none: result_identity.hpp resolves their `file` instead.
  listed.canonical_file = text_or_empty("canonical_file");
}

nlohmann::json type_to_json(const std::optional<StoredType>& type) {
  if (!type) return nullptr;
  nlohmann::json json = {{"kind", static_cast<int>(type->kind)}, {"bytes", type->bytes},
                         {"big_endian", type->big_endian}, {"brain_float", type->brain_float}};
  if (type->fields) {
    const FloatFields& fields = *type->fields;
    json["fields"] = {{"sign_position", fields.sign_position},         {"exponent_position", fields.exponent_position},
                      {"exponent_bits", fields.exponent_bits},         {"mantissa_position", fields.mantissa_position},
                      {"mantissa_bits", fields.mantissa_bits},         {"exponent_bias", fields.exponent_bias},
                      {"implied_leading_bit", fields.implied_leading_bit}};
  }
  return json;
}

std::optional<StoredType> type_from_json(const nlohmann::json& json) {
  if (json.is_null()) return std::nullopt;
  StoredType type{static_cast<StoredType::Kind>(json.at("kind").get<int>()), json.at("bytes").get<int>(),
                  json.at("big_endian").get<bool>(), json.value("brain_float", false), std::nullopt};
  if (json.contains("fields")) {
    const nlohmann::json& fields = json.at("fields");
    // custom_float checks the fields again: a decoder must never be handed a layout it cannot decode.
    type = StoredType::custom_float(
        type.bytes, type.big_endian,
        FloatFields{fields.at("sign_position").get<int>(), fields.at("exponent_position").get<int>(),
                    fields.at("exponent_bits").get<int>(), fields.at("mantissa_position").get<int>(),
                    fields.at("mantissa_bits").get<int>(), fields.at("exponent_bias").get<std::int64_t>(),
                    fields.at("implied_leading_bit").get<bool>()});
  }
  return type;
}

std::string cbor_bytes(const nlohmann::json& json) {
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(json);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

void write_listed_keys(const DatasetTarget& target, nlohmann::json& json) { write_listed(target, json); }
void write_listed_keys(const DatasetResult& result, nlohmann::json& json) { write_listed(result, json); }
void write_file_identity_keys(const DatasetTarget& target, nlohmann::json& json) { write_file_identity(target, json); }
void write_file_identity_keys(const DatasetResult& result, nlohmann::json& json) { write_file_identity(result, json); }
void read_listed_keys(const nlohmann::json& json, DatasetTarget& target) { read_listed(json, target); }
void read_listed_keys(const nlohmann::json& json, DatasetResult& result) { read_listed(json, result); }

nlohmann::json target_to_json(const DatasetTarget& target) {
  nlohmann::json json;
  write_listed_keys(target, json);
  write_file_identity_keys(target, json);
  json["chunk"] = target.chunk_dims;
  json["type"] = type_to_json(target.type);
  json["object_identity"] = target.object_identity;
  json["through_external_link"] = target.through_external_link;
  json["named_explicitly"] = target.named_explicitly;
  json["format"] = target.format;
  json["shape"] = target.shape;
  json["pool"] = pool_mode_name(target.pool);
  json["params"] = params_to_json(target.params);
  json["parts"] = nlohmann::json::array();
  for (const DatasetTarget& part : target.parts) json["parts"].push_back(target_to_json(part));
  return json;
}

DatasetTarget target_from_json(const nlohmann::json& json) {
  DatasetTarget target;
  read_listed_keys(json, target);
  target.chunk_dims = json.at("chunk").get<std::vector<std::uint64_t>>();
  target.type = type_from_json(json.at("type"));
  target.object_identity = json.at("object_identity").get<std::string>();
  target.through_external_link = json.at("through_external_link").get<bool>();
  target.named_explicitly = json.at("named_explicitly").get<bool>();
  target.format = json.at("format").get<std::string>();
  target.shape = json.at("shape").get<std::vector<std::uint64_t>>();
  const auto pool = pool_mode_from_name(json.at("pool").get<std::string>());
  if (!pool) throw std::runtime_error("unknown pool mode " + json.at("pool").dump());
  target.pool = *pool;
  target.params = params_from_json(json.at("params"));
  for (const auto& part : json.at("parts")) target.parts.push_back(target_from_json(part));
  return target;
}

std::string serialise_discovery(const Discovery& discovery) {
  nlohmann::json json = {{"targets", nlohmann::json::array()}, {"notes", discovery.notes}};
  for (const DatasetTarget& target : discovery.targets) json["targets"].push_back(target_to_json(target));
  return cbor_bytes(json);
}

std::string serialise_discovery_failure(const std::string& message) {
  return cbor_bytes(nlohmann::json{{"fatal", message}});
}

std::optional<std::string> deserialise_discovery(const std::string& bytes, Discovery& into) {
  const nlohmann::json json = nlohmann::json::from_cbor(bytes);
  if (json.contains("fatal")) return json.at("fatal").get<std::string>();
  for (const auto& target : json.at("targets")) into.targets.push_back(target_from_json(target));
  for (const auto& note : json.at("notes")) into.notes.push_back(note.get<std::string>());
  return std::nullopt;
}

}  // namespace rankme
