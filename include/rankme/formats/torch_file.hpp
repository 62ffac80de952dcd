#pragma once
// A PyTorch torch.save file (.pt, .pth) as a tensor file: the zip format torch has written since 1.6,
// "<prefix>/data.pkl" (the pickled object, read by the restricted unpickler of torch_pickle.hpp) and one
// member "<prefix>/data/<key>" per storage. Every tensor reachable through dicts, OrderedDicts, lists and
// tuples is an entry named by its path of keys (pickled_tensors.hpp): a view of its storage member with the
// tensor's offset and strides, so transposed and sliced tensors are read as saved. 0-d tensors (scalars
// such as a loss or a step count) are values, not datasets, and are left out like other scalars.
#include <string_view>
#include <vector>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"

namespace rankme {

// The largest data.pkl read (it is read whole; a checkpoint's pickle is kilobytes to a few megabytes).
inline constexpr std::uint64_t max_torch_pickle_bytes = std::uint64_t{64} << 20;

// Whether `first_bytes` (the file's first 32 bytes or fewer) start like the legacy torch.save format of torch
// < 1.6: a pickle (any protocol, maybe framed) whose first value is torch's magic number 0x1950a86a20f9469cfc6c.
bool looks_like_legacy_torch(std::string_view first_bytes);

// One entry per tensor, in the order the object holds them. A tensor whose dtype rankme does not read (bool,
// complex, quantized, float8) or whose storage member is compressed with a method other than deflate is an
// entry without a type. Throws std::runtime_error naming the file for: the legacy format (with what to do),
// a zip that is not a torch.save archive, a pickle the unpickler refuses, a storage member that is missing
// or smaller than its storage, a tensor reaching outside its storage.
std::vector<TensorEntry> list_torch_file(const ReadOnlyFile& file);

}  // namespace rankme
