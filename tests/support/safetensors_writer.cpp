#include "support/safetensors_writer.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rankme::testing {

std::string safetensors_header(const std::vector<SafetensorsTensor>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const SafetensorsTensor& tensor : tensors) {
    const std::uint64_t begin = offset, end = offset + tensor.bytes.size();
    offset = end;
    const auto offsets = tensor.declared_offsets.value_or(std::make_pair(begin, end));
    header[tensor.name] = {{"dtype", tensor.dtype},
                           {"shape", tensor.shape},
                           {"data_offsets", {offsets.first, offsets.second}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

std::string safetensors_data(const std::vector<SafetensorsTensor>& tensors) {
  std::string data;
  for (const SafetensorsTensor& tensor : tensors) data += tensor.bytes;
  return data;
}

void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::string header = safetensors_header(tensors, metadata);
  write_safetensors_parts(path, header.size(), header, safetensors_data(tensors));
}

void write_safetensors_parts(const std::string& path, std::uint64_t declared_header_bytes, const std::string& header,
                             const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((declared_header_bytes >> (8 * i)) & 0xff);
  out.write(length, 8);
  out << header << data;
  if (!out.flush()) throw std::runtime_error("cannot write the safetensors test file '" + path + "'");
}

}  // namespace rankme::testing
