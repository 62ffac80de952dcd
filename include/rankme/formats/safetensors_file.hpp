#pragma once
// The tensors of a safetensors file (Hugging Face's format, as vLLM's hidden-state extraction writes it):
// an 8-byte little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte
// range, then the data buffer those ranges point into. The header is treated as hostile: its length is
// capped, its nesting is bounded before it is parsed, and every range must lie inside the buffer, match
// its shape and dtype exactly and not overlap another.
#include <vector>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"

namespace rankme {

// The safetensors reference implementation refuses headers longer than this; so does rankme.
constexpr std::uint64_t safetensors_header_limit = 100'000'000;

// Every tensor as "/<name>" (the name kept as written, '.' and '/' included), sorted by name; the
// "__metadata__" entry is not a tensor and is skipped. F64 F32 F16 BF16 and the little-endian integers
// I8..I64, U8..U64 get a type and a C-order layout at their byte offset in the file; other dtypes (BOOL,
// F8_E4M3, F8_E5M2, complex, ...) get type = nullopt and dtype = their safetensors name. A 0-d tensor (a
// scalar, shape []) is listed with shape [] and a one-element layout. Throws std::runtime_error naming
// the file (and the tensor) when the header is malformed or lies about the data.
std::vector<TensorEntry> list_safetensors_file(const ReadOnlyFile& file);

}  // namespace rankme
