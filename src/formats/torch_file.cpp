#include "rankme/formats/torch_file.hpp"

#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "rankme/formats/inflating_stream.hpp"
#include "rankme/formats/pickled_tensors.hpp"
#include "rankme/formats/torch_pickle.hpp"
#include "rankme/formats/zip_archive.hpp"

namespace rankme {

namespace {

// A torch dtype as rankme sees it: its element size, and the stored type when rankme reads it.
struct TorchDtype {
  std::string name;  // torch's name: "float32", "bool", ...
  int bytes = 0;
  std::optional<StoredType> type;
};

std::optional<TorchDtype> dtype_named(const std::string& name) {
  using K = StoredType::Kind;
  static const std::map<std::string, TorchDtype> dtypes = [] {
    std::map<std::string, TorchDtype> table;
    const auto readable = [&](const std::string& dtype, K kind, int bytes, std::vector<std::string> aliases = {}) {
      aliases.push_back(dtype);
      for (const std::string& alias : aliases) table[alias] = {dtype, bytes, StoredType{kind, bytes, false}};
    };
    const auto unreadable = [&](const std::string& dtype, int bytes, std::vector<std::string> aliases = {}) {
      aliases.push_back(dtype);
      for (const std::string& alias : aliases) table[alias] = {dtype, bytes, std::nullopt};
    };
    readable("float32", K::floating, 4, {"float"});
    readable("float64", K::floating, 8, {"double"});
    readable("float16", K::floating, 2, {"half"});
    table["bfloat16"] = {"bfloat16", 2, StoredType::bfloat16()};
    readable("int64", K::signed_int, 8, {"long"});
    readable("int32", K::signed_int, 4, {"int"});
    readable("int16", K::signed_int, 2, {"short"});
    readable("int8", K::signed_int, 1);
    readable("uint8", K::unsigned_int, 1);
    readable("uint16", K::unsigned_int, 2);
    readable("uint32", K::unsigned_int, 4);
    readable("uint64", K::unsigned_int, 8);
    unreadable("bool", 1);
    unreadable("complex32", 4, {"chalf"});
    unreadable("complex64", 8, {"cfloat"});
    unreadable("complex128", 16, {"cdouble"});
    for (const char* unread : {"float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
                             "float4_e2m1fn_x2", "bits8", "bits1x8", "bits2x4", "bits4x2", "qint8", "quint8",
                             "quint4x2", "quint2x4"}) {
      unreadable(unread, 1);
    }
    unreadable("bits16", 2);
    unreadable("qint32", 4);
    return table;
  }();
  const auto found = dtypes.find(name);
  if (found == dtypes.end()) return std::nullopt;
  return found->second;
}

// The dtype of a torch.<Type>Storage ("FloatStorage" -> "float32"); an UntypedStorage holds bytes.
std::string storage_dtype_name(const std::string& storage_type) {
  static const std::map<std::string, std::string> names = {
      {"FloatStorage", "float32"},   {"DoubleStorage", "float64"},  {"HalfStorage", "float16"},
      {"BFloat16Storage", "bfloat16"}, {"LongStorage", "int64"},    {"IntStorage", "int32"},
      {"ShortStorage", "int16"},     {"CharStorage", "int8"},       {"ByteStorage", "uint8"},
      {"BoolStorage", "bool"},       {"ComplexFloatStorage", "complex64"}, {"ComplexDoubleStorage", "complex128"},
      {"QInt8Storage", "qint8"},     {"QUInt8Storage", "quint8"},   {"QInt32Storage", "qint32"},
      {"QUInt4x2Storage", "quint4x2"}, {"QUInt2x4Storage", "quint2x4"}, {"UntypedStorage", "uint8"}};
  const auto found = names.find(storage_type);
  return found == names.end() ? std::string() : found->second;
}

std::uint64_t checked_product(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t product;
  if (__builtin_mul_overflow(a, b, &product)) throw std::runtime_error(what + ": a size that overflows 64 bits");
  return product;
}

// The archive's members that matter: data.pkl, byteorder and the storages, under one top folder.
class TorchArchive {
 public:
  explicit TorchArchive(const ReadOnlyFile& file) : file_(file), what_("'" + file.path() + "'") {
    for (ZipMember& member : list_zip_members(file)) {
      const std::size_t slash = member.name.find('/');
      if (slash == std::string::npos) continue;
      const std::string prefix = member.name.substr(0, slash);
      const std::string rest = member.name.substr(slash + 1);
      if (rest == "data.pkl") {
        if (pickle_) {
          fail("two pickles, '" + pickle_->name + "' and '" + member.name + "': not one torch.save archive");
        }
        pickle_ = member;
        prefix_ = prefix;
      }
      members_.emplace(member.name, std::move(member));
    }
    if (!pickle_) {
      fail("a zip archive without '<folder>/data.pkl': not a torch.save file (torch >= 1.6 writes one)");
    }
  }

  const std::string& what() const { return what_; }
  std::string member_what(const std::string& name) const { return what_ + ": member '" + name + "'"; }
  [[noreturn]] void fail(const std::string& problem) const { throw std::runtime_error(what_ + ": " + problem); }

  const ZipMember& pickle_member() const { return *pickle_; }
  const ZipMember* member(const std::string& under_prefix) const {
    const auto found = members_.find(prefix_ + "/" + under_prefix);
    return found == members_.end() ? nullptr : &found->second;
  }
  std::string member_name(const std::string& under_prefix) const { return prefix_ + "/" + under_prefix; }

  // A small member's bytes, whole (data.pkl, byteorder), refused beyond `cap` before anything is allocated.
  std::string read_whole(const ZipMember& member, std::uint64_t cap) const {
    const std::string what = member_what(member.name);
    if (member.inflated_bytes > cap) {
      throw std::runtime_error(what + ": " + std::to_string(member.inflated_bytes) + " bytes, more than the " +
                               std::to_string(cap) + " rankme reads for it");
    }
    std::string bytes(static_cast<std::size_t>(member.inflated_bytes), '\0');
    if (member.method == zip_stored) {
      file_.read_exactly(member.data_offset, bytes.data(), bytes.size());
    } else if (member.method == zip_deflated) {
      const DeflatedStream deflated{member.data_offset, member.compressed_bytes, member.inflated_bytes, member.crc32, member.name};
      InflatingStream stream(file_, deflated, what);
      stream.read(0, bytes.size(), reinterpret_cast<unsigned char*>(bytes.data()));
    } else {
      throw std::runtime_error(what + ": zip compression method " + std::to_string(member.method) +
                               " (rankme reads members stored or compressed with deflate)");
    }
    return bytes;
  }

  bool big_endian() const {
    const ZipMember* order = member("byteorder");
    if (order == nullptr) return false;  // torch < 2.1 wrote none, and only little-endian machines matter
    const std::string text = read_whole(*order, 16);
    if (text == "little") return false;
    if (text == "big") return true;
    throw std::runtime_error(member_what(order->name) + ": '" + text.substr(0, 16) + "', expected 'little' or 'big'");
  }

 private:
  const ReadOnlyFile& file_;
  std::string what_;
  std::optional<ZipMember> pickle_;
  std::string prefix_;
  std::map<std::string, ZipMember> members_;
};

// The entry of one tensor: its dtype, and its layout in the storage member, checked against the storage and
// the member.
TensorEntry tensor_entry(const TorchArchive& archive, const PickledTensor& pickled, bool big_endian) {
  const TorchTensorReference& tensor = *pickled.tensor;
  const TorchStorageReference& storage = *tensor.storage->storage;
  const std::string what = archive.what() + ": tensor '" + pickled.name + "'";
  const std::string storage_dtype_text = storage_dtype_name(storage.type_name);
  const std::optional<TorchDtype> storage_dtype = dtype_named(storage_dtype_text);
  const std::optional<TorchDtype> dtype = dtype_named(tensor.dtype.empty() ? storage_dtype_text : tensor.dtype);
  if (!storage_dtype || !dtype) {
    throw std::runtime_error(what + ": unknown storage type torch." + storage.type_name +
                             (tensor.dtype.empty() ? std::string() : " or dtype torch." + tensor.dtype));
  }
  TensorEntry entry;
  entry.name = pickled.name;
  entry.shape = tensor.size;
  entry.dtype = dtype->name;
  if (!dtype->type) return entry;  // listed, so that the user hears why it is not read

  const std::string member_name = archive.member_name("data/" + storage.key);
  const ZipMember* member = archive.member("data/" + storage.key);
  if (member == nullptr) {
    throw std::runtime_error(what + ": its storage '" + storage.key + "' has no member '" + member_name +
                             "' in the archive (a truncated or hand-edited file)");
  }
  const std::uint64_t storage_bytes =
      checked_product(storage.numel, static_cast<std::uint64_t>(storage_dtype->bytes), what);
  if (member->inflated_bytes < storage_bytes) {
    throw std::runtime_error(what + ": its storage holds " + std::to_string(storage.numel) + " " + storage_dtype->name +
                             " values (" + std::to_string(storage_bytes) + " bytes), but member '" + member_name +
                             "' has only " + std::to_string(member->inflated_bytes) + " bytes");
  }
  if (member->method != zip_stored && member->method != zip_deflated) {
    entry.type.reset();
    entry.dtype = "zip compression method " + std::to_string(member->method) + " of member '" + member_name +
                  "' (rankme reads members stored or compressed with deflate)";
    return entry;
  }
  StoredType type = *dtype->type;
  type.big_endian = big_endian;
  entry.type = type;
  const std::uint64_t start = checked_product(tensor.storage_offset, static_cast<std::uint64_t>(dtype->bytes), what);
  entry.layout = ArrayLayout{type, tensor.size, tensor.stride, start};
  // Inside its storage (a view may not reach past it), counted from the member's first byte.
  entry.layout.check_inside(storage_bytes, what + " in storage '" + storage.key + "'");
  if (member->method == zip_stored) {
    entry.layout.offset += member->data_offset;  // no overflow: the member lies inside the file
  } else {
    entry.deflated =
        DeflatedStream{member->data_offset, member->compressed_bytes, member->inflated_bytes, member->crc32, member->name};
  }
  return entry;
}

}  // namespace

bool looks_like_legacy_torch(std::string_view first_bytes) {
  static const unsigned char magic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  if (first_bytes.size() < 2 || static_cast<unsigned char>(first_bytes[0]) != 0x80 ||
      static_cast<unsigned char>(first_bytes[1]) < 2 || static_cast<unsigned char>(first_bytes[1]) > 5) {
    return false;
  }
  std::size_t at = 2;
  if (first_bytes.size() > at && static_cast<unsigned char>(first_bytes[at]) == 0x95) at += 9;  // FRAME (protocol 4+)
  return first_bytes.size() >= at + sizeof magic && std::memcmp(first_bytes.data() + at, magic, sizeof magic) == 0;
}

std::vector<TensorEntry> list_torch_file(const ReadOnlyFile& file) {
  if (looks_like_legacy_torch(file.read_at_most(0, 32))) {
    throw std::runtime_error("'" + file.path() +
                             "': legacy torch.save format (before torch 1.6): re-save it with a current torch "
                             "(torch.save(torch.load(f), f))");
  }
  const TorchArchive archive(file);
  const std::string pickle_what = archive.member_what(archive.pickle_member().name);
  const std::string pickle = archive.read_whole(archive.pickle_member(), max_torch_pickle_bytes);
  const bool big_endian = archive.big_endian();

  std::vector<PickledTensor> tensors;
  UnpickledObject object;
  try {
    object = unpickle_torch_pickle(pickle);
    tensors = pickled_tensors(object.root());
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(pickle_what + ": " + error.what());
  }
  // One key is one storage: two persistent ids that disagree about it describe no file torch wrote.
  std::map<std::string, const TorchStorageReference*> storages;
  std::vector<TensorEntry> entries;
  for (const PickledTensor& pickled : tensors) {
    const TorchStorageReference& storage = *pickled.tensor->storage->storage;
    const auto [known, inserted] = storages.emplace(storage.key, &storage);
    if (!inserted && (known->second->type_name != storage.type_name || known->second->numel != storage.numel)) {
      throw std::runtime_error(pickle_what + ": storage '" + storage.key +
                               "' is named twice with different types or sizes");
    }
    if (pickled.tensor->size.empty()) continue;  // a 0-d tensor: a scalar, not a dataset
    entries.push_back(tensor_entry(archive, pickled, big_endian));
  }
  return entries;
}

}  // namespace rankme
