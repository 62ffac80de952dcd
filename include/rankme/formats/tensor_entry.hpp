#pragma once
// One array a tensor file (.npy, .npz, safetensors, torch) holds, as its format's reader lists it:
// its name, shape and type, and where its values lie.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/formats/array_layout.hpp"

namespace rankme {

// A zip member stored with deflate (np.savez_compressed): its values are read by inflating it as a stream.
struct DeflatedStream {
  std::uint64_t data_offset = 0;       // where its compressed bytes start in the file
  std::uint64_t compressed_bytes = 0;
  std::uint64_t inflated_bytes = 0;    // as the zip directory declares (checked while inflating)
  std::uint32_t crc32 = 0;
  std::string member;                  // its name in the archive, for messages
};

struct TensorEntry {
  // "/" for a bare .npy; "/<key>" for an .npz member or a safetensors tensor; nested torch containers join
  // their keys and indices: {"feats": [t0, t1]} holds "/feats/0" and "/feats/1".
  std::string name;
  std::vector<std::uint64_t> shape;
  std::optional<StoredType> type;  // nothing: a type rankme does not read (dtype says which)
  std::string dtype;               // type->name(), or the format's own name of the type ("complex64", "|O")
  // Where the values are: in the file (layout.offset from its start), or, when `deflated` is set, in the
  // inflated bytes of that member. Meaningful only when `type` is set.
  ArrayLayout layout;
  std::optional<DeflatedStream> deflated;
};

}  // namespace rankme
