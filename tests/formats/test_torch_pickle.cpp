// The restricted unpickler on pickles written byte by byte: what torch.save writes for a tensor in a
// state_dict, and every kind of hostile pickle (forbidden globals and opcodes, truncation, lying lengths,
// memo and stack abuse, deep nesting) refused with one clear std::runtime_error.
#include "rankme/formats/torch_pickle.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "rankme/formats/pickled_tensors.hpp"

namespace rankme {
namespace {

// Pickle opcodes and their arguments, as bytes.
std::string le(std::uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}
std::string op(unsigned char opcode) { return std::string(1, static_cast<char>(opcode)); }
std::string proto(int version) { return op(0x80) + op(static_cast<unsigned char>(version)); }
std::string global(const std::string& module, const std::string& name) { return "c" + module + "\n" + name + "\n"; }
std::string unicode(const std::string& text) { return "X" + le(text.size(), 4) + text; }
std::string short_unicode(const std::string& text) { return op(0x8c) + le(text.size(), 1) + text; }
std::string int1(int value) { return "K" + le(static_cast<std::uint64_t>(value), 1); }
std::string put(int index) { return "q" + le(static_cast<std::uint64_t>(index), 1); }
std::string get(int index) { return "h" + le(static_cast<std::uint64_t>(index), 1); }
const std::string mark = "(";
const std::string tuple = "t";
const std::string reduce = "R";
const std::string stop = ".";
const std::string empty_tuple = ")";
const std::string newfalse = op(0x89);

// What torch 1.13's torch.save writes for OrderedDict(weight=<2 x 3 float32 view at storage offset 1>).
std::string state_dict_pickle() {
  return proto(2) + global("collections", "OrderedDict") + put(0) + empty_tuple + reduce + put(1) + mark +
         unicode("weight") + global("torch._utils", "_rebuild_tensor_v2") + mark + mark + unicode("storage") +
         global("torch", "FloatStorage") + unicode("0") + unicode("cpu") + int1(7) + tuple + "Q" + int1(1) +
         int1(2) + int1(3) + op(0x86) + int1(3) + int1(1) + op(0x86) + newfalse + get(0) + empty_tuple + reduce +
         tuple + reduce + "u" + "}" + unicode("_metadata") + get(0) + empty_tuple + reduce + "s" + "b" + stop;
}

std::string error_of(const std::string& pickle) {
  try {
    unpickle_torch_pickle(pickle);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "the pickle was accepted";
  return "";
}

#define EXPECT_REFUSED(pickle, text)                                   \
  do {                                                                  \
    const std::string message = error_of(pickle);                       \
    EXPECT_NE(message.find(text), std::string::npos) << message;        \
  } while (false)

TEST(TorchPickle, BuildsTheTensorOfAStateDict) {
  const UnpickledObject object = unpickle_torch_pickle(state_dict_pickle());
  const PickleValue& root = object.root();
  ASSERT_EQ(root.kind, PickleValue::Kind::dict);
  EXPECT_TRUE(root.ordered_dict);
  ASSERT_EQ(root.items.size(), 2u);
  EXPECT_EQ(root.items[0]->text, "weight");
  ASSERT_EQ(root.items[1]->kind, PickleValue::Kind::tensor);
  const TorchTensorReference& tensor = *root.items[1]->tensor;
  EXPECT_EQ(tensor.storage_offset, 1u);
  EXPECT_EQ(tensor.size, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(tensor.stride, (std::vector<std::uint64_t>{3, 1}));
  EXPECT_EQ(tensor.dtype, "");
  ASSERT_EQ(tensor.storage->kind, PickleValue::Kind::storage);
  EXPECT_EQ(tensor.storage->storage->type_name, "FloatStorage");
  EXPECT_EQ(tensor.storage->storage->key, "0");
  EXPECT_EQ(tensor.storage->storage->location, "cpu");
  EXPECT_EQ(tensor.storage->storage->numel, 7u);

  const std::vector<PickledTensor> tensors = pickled_tensors(root);
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].name, "/weight");
  EXPECT_EQ(tensors[0].tensor, &tensor);
}

TEST(TorchPickle, ReadsProtocolFourAndFiveOpcodes) {
  // FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, EMPTY_SET/ADDITEMS, BINBYTES8, LONG1 < 0, BINFLOAT, a
  // _rebuild_tensor_v3 with an UntypedStorage and a uint16 dtype.
  const std::string pickle =
      proto(4) + op(0x95) + le(0, 8) + "}" + op(0x94) + mark + short_unicode("n") + op(0x8a) + le(2, 1) +
      le(0xff85, 2) + short_unicode("x") + "G" + std::string("\x3f\xf8\x00\x00\x00\x00\x00\x00", 8) +
      short_unicode("b") + op(0x8e) + le(2, 8) + "ab" + short_unicode("s") + op(0x8f) + mark + int1(4) + op(0x90) +
      short_unicode("t") + short_unicode("torch._utils") + short_unicode("_rebuild_tensor_v3") + op(0x93) + mark +
      mark + short_unicode("storage") + short_unicode("torch") + short_unicode("UntypedStorage") + op(0x93) +
      short_unicode("k") + short_unicode("cpu") + int1(8) + tuple + "Q" + int1(0) + int1(4) + op(0x85) + int1(1) +
      op(0x85) + newfalse + "}" + short_unicode("torch") + short_unicode("uint16") + op(0x93) + tuple + reduce +
      "u" + stop;
  const UnpickledObject object = unpickle_torch_pickle(pickle);
  const PickleValue& root = object.root();
  ASSERT_EQ(root.items.size(), 10u);
  EXPECT_EQ(root.items[1]->integer, -123);
  EXPECT_EQ(root.items[3]->floating, 1.5);
  EXPECT_EQ(root.items[5]->kind, PickleValue::Kind::bytes);
  EXPECT_EQ(root.items[5]->text, "ab");
  EXPECT_EQ(root.items[7]->kind, PickleValue::Kind::set);
  EXPECT_EQ(root.items[7]->items.size(), 1u);
  ASSERT_EQ(root.items[9]->kind, PickleValue::Kind::tensor);
  EXPECT_EQ(root.items[9]->tensor->dtype, "uint16");
  EXPECT_EQ(root.items[9]->tensor->storage->storage->type_name, "UntypedStorage");
  EXPECT_EQ(root.items[9]->tensor->storage->storage->numel, 8u);
  const std::vector<PickledTensor> tensors = pickled_tensors(root);
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].name, "/t");
}

TEST(TorchPickle, RefusesGlobalsOutsideTheAllowList) {
  EXPECT_REFUSED(proto(2) + global("os", "system") + unicode("ls") + op(0x85) + reduce + stop,
                 "refuses global 'os.system'");
  EXPECT_REFUSED(proto(4) + short_unicode("os") + short_unicode("system") + op(0x93) + stop,
                 "refuses global 'os.system'");
  EXPECT_REFUSED(proto(2) + global("__builtin__", "eval") + stop, "refuses global 'builtins.eval'");
  EXPECT_REFUSED(proto(4) + short_unicode("builtins") + short_unicode("eval") + op(0x93) + stop,
                 "refuses global 'builtins.eval'");
  EXPECT_REFUSED(proto(2) + global("torch", "load") + stop, "refuses global 'torch.load'");
  EXPECT_REFUSED(proto(2) + global("numpy.core.multiarray", "_reconstruct") + stop,
                 "refuses global 'numpy.core.multiarray._reconstruct'");
  // Allowed names used the wrong way: calling a type, a storage type as a function.
  EXPECT_REFUSED(proto(2) + global("torch", "FloatStorage") + empty_tuple + reduce + stop, "refuses to call");
  EXPECT_REFUSED(proto(2) + global("torch", "float32") + empty_tuple + reduce + stop, "REDUCE calls a dtype");
}

TEST(TorchPickle, RefusesOpcodesThatTorchSaveDoesNotWrite) {
  EXPECT_REFUSED(proto(2) + mark + "ios\nsystem\n" + stop, "refuses opcode 0x69 (INST)");
  EXPECT_REFUSED(proto(2) + mark + global("os", "system") + "o" + stop, "refuses global 'os.system'");
  EXPECT_REFUSED(proto(2) + mark + empty_tuple + "o" + stop, "refuses opcode 0x6f (OBJ)");
  EXPECT_REFUSED(proto(2) + "Pxyz\n" + stop, "refuses opcode 0x50 (PERSID)");
  EXPECT_REFUSED(proto(2) + op(0x82) + le(1, 1) + stop, "refuses opcode 0x82 (EXT1)");
  EXPECT_REFUSED(proto(2) + "I12\n" + stop, "refuses opcode 0x49 (INT)");
  EXPECT_REFUSED(proto(2) + op(0xff) + stop, "refuses opcode 0xff (not a pickle opcode)");
  EXPECT_REFUSED(proto(6) + stop, "protocol 6");
  // BUILD would call __setstate__ or set attributes: only on an OrderedDict or a tensor.
  EXPECT_REFUSED(proto(2) + "]" + "}" + "b" + stop, "BUILD on a list");
  EXPECT_REFUSED(proto(2) + "}" + "}" + "b" + stop, "BUILD on a dict");
  // NEWOBJ only for the allowed containers.
  EXPECT_REFUSED(proto(2) + global("torch._utils", "_rebuild_tensor_v2") + empty_tuple + op(0x81) + stop, "NEWOBJ of");
}

TEST(TorchPickle, RefusesEveryTruncationOfAValidPickle) {
  const std::string pickle = state_dict_pickle();
  ASSERT_NO_THROW(unpickle_torch_pickle(pickle));
  for (std::size_t length = 0; length < pickle.size(); ++length) {
    EXPECT_THROW(unpickle_torch_pickle(pickle.substr(0, length)), std::runtime_error) << length;
  }
  EXPECT_REFUSED(proto(2) + "N", "before its STOP opcode (truncated)");
}

TEST(TorchPickle, RefusesLengthsBeyondTheDataBeforeAllocating) {
  EXPECT_REFUSED(proto(2) + "X" + le(0xfffffff0u, 4) + "abc", "needs 4294967280 bytes but the pickle has 3 left");
  EXPECT_REFUSED(proto(4) + op(0x8d) + le(std::uint64_t{1} << 62, 8) + "abc", "BINUNICODE8 needs");
  EXPECT_REFUSED(proto(4) + op(0x8e) + le(~std::uint64_t{0}, 8), "BINBYTES8 needs");
  EXPECT_REFUSED(proto(2) + "T" + le(0x80000000u, 4), "negative length");
  EXPECT_REFUSED(proto(2) + op(0x8b) + le(1000, 4), "beyond 64 bits");
  EXPECT_REFUSED(proto(2) + "cos", "GLOBAL without its newline-terminated names");
}

TEST(TorchPickle, RefusesStackAndMemoAbuse) {
  EXPECT_REFUSED(proto(2) + get(5) + stop, "memo index 5 is not defined");
  EXPECT_REFUSED(proto(2) + "N" + put(1) + "j" + le(1000000, 4) + stop, "memo index 1000000 is not defined");
  EXPECT_REFUSED(proto(2) + stop, "stack underflow");
  EXPECT_REFUSED(proto(2) + "N" + op(0x86) + stop, "stack underflow");
  EXPECT_REFUSED(proto(2) + put(0) + stop, "stack underflow");
  // An opcode may not reach below the MARK that opened its frame.
  EXPECT_REFUSED(proto(2) + "]" + mark + "N" + "a" + "a" + stop, "stack underflow");
  EXPECT_REFUSED(proto(2) + "N" + "t" + stop, "TUPLE without a MARK");
  EXPECT_REFUSED(proto(2) + "N" + "N" + "s" + stop, "stack underflow");
  EXPECT_REFUSED(proto(2) + "N" + "N" + "N" + "s" + stop, "SETITEM on a None");
  EXPECT_REFUSED(proto(2) + "}" + mark + "N" + "u" + stop, "odd number of items");
  EXPECT_REFUSED(proto(2) + std::string(5000, '(') + stop, "nested MARKs");
}

TEST(TorchPickle, RefusesAllowedFunctionsCalledWithTheWrongArguments) {
  const std::string rebuild = global("torch._utils", "_rebuild_tensor_v2");
  const std::string storage = mark + unicode("storage") + global("torch", "FloatStorage") + unicode("0") +
                              unicode("cpu") + int1(4) + tuple + "Q";
  const std::string sizes = int1(2) + int1(2) + op(0x86) + int1(2) + int1(1) + op(0x86);
  EXPECT_REFUSED(proto(2) + rebuild + mark + int1(3) + int1(0) + sizes + newfalse + "}" + tuple + reduce + stop,
                 "expected a storage, not int");
  EXPECT_REFUSED(proto(2) + rebuild + mark + storage + int1(0) + sizes + tuple + reduce + stop,
                 "called with 4 arguments, expected 6 to 7");
  EXPECT_REFUSED(proto(2) + rebuild + mark + storage + "J" + le(0xffffffffu, 4) + sizes + newfalse + "}" + tuple +
                     reduce + stop,
                 "storage_offset must be an int >= 0");
  EXPECT_REFUSED(proto(2) + rebuild + mark + storage + int1(0) + int1(2) + op(0x85) + int1(2) + int1(1) + op(0x86) +
                     newfalse + "}" + tuple + reduce + stop,
                 "1 sizes but 2 strides");
  EXPECT_REFUSED(proto(2) + rebuild + mark + storage + int1(0) + unicode("2") + op(0x85) + int1(1) + op(0x85) +
                     newfalse + "}" + tuple + reduce + stop,
                 "size must be an int >= 0, not str");
  EXPECT_REFUSED(proto(2) + rebuild + int1(1) + reduce + stop, "REDUCE with int for arguments");
  EXPECT_REFUSED(proto(2) + mark + unicode("storage") + global("collections", "OrderedDict") + unicode("0") +
                     unicode("cpu") + int1(4) + tuple + "Q" + stop,
                 "expected a torch storage type");
  EXPECT_REFUSED(proto(2) + int1(1) + "Q" + stop, "BINPERSID: expected ('storage'");
  EXPECT_REFUSED(proto(2) + global("torch._utils", "_rebuild_parameter") + mark + int1(1) + newfalse + "}" + tuple +
                     reduce + stop,
                 "expected a tensor, not int");
  EXPECT_REFUSED(proto(2) + global("torch._tensor", "_rebuild_from_type_v2") + mark +
                     global("torch._utils", "_rebuild_tensor_v2") + global("collections", "OrderedDict") +
                     empty_tuple + "N" + tuple + reduce + stop,
                 "refuses tensor type global collections.OrderedDict");
}

TEST(TorchPickle, ReadsPlainValuesAsTorchFilesHoldThem) {
  // {'epoch': 3, b: _codecs.encode('\xe9', 'latin1'), 'set': set([1, 2]), 'shape': torch.Size([2, 3])}
  const std::string pickle = proto(2) + "}" + mark + unicode("epoch") + int1(3) + unicode("b") +
                             global("_codecs", "encode") + unicode("\xc3\xa9") + unicode("latin1") + op(0x86) +
                             reduce + unicode("set") + global("__builtin__", "set") + "]" + mark + int1(1) + int1(2) +
                             "e" + op(0x85) + reduce + unicode("shape") + global("torch", "Size") + "]" + int1(2) +
                             "a" + int1(3) + "a" + op(0x85) + reduce + unicode("epoch") + int1(4) + "u" + stop;
  const UnpickledObject object = unpickle_torch_pickle(pickle);
  const PickleValue& root = object.root();
  ASSERT_EQ(root.items.size(), 8u);  // 'epoch' set twice keeps its place and takes the last value
  EXPECT_EQ(root.items[1]->integer, 4);
  EXPECT_EQ(root.items[3]->kind, PickleValue::Kind::bytes);
  EXPECT_EQ(root.items[3]->text, "\xe9");
  EXPECT_EQ(root.items[5]->kind, PickleValue::Kind::set);
  EXPECT_EQ(root.items[5]->items.size(), 2u);
  EXPECT_EQ(root.items[7]->kind, PickleValue::Kind::tuple);
  EXPECT_EQ(root.items[7]->items[1]->integer, 3);
  EXPECT_TRUE(pickled_tensors(root).empty());
}

TEST(TorchPickle, SetsManyDictItemsInLinearTime) {
  // 300,000 distinct keys and one set again: a linear search per SETITEM would take minutes.
  std::string pickle = proto(2) + "}" + mark;
  for (std::uint64_t key = 0; key < 300000; ++key) pickle += "J" + le(key, 4) + "N";
  pickle += "J" + le(12345, 4) + newfalse + "u" + stop;
  const UnpickledObject object = unpickle_torch_pickle(pickle);
  ASSERT_EQ(object.root().items.size(), 600000u);
  EXPECT_EQ(object.root().items[2 * 12345 + 1]->kind, PickleValue::Kind::boolean);
}

// The tree walk over what was unpickled: names, nesting, cycles, sharing.
std::string tensor_pickle(int key) {
  return global("torch._utils", "_rebuild_tensor_v2") + mark + mark + unicode("storage") +
         global("torch", "FloatStorage") + unicode(std::to_string(key)) + unicode("cpu") + int1(4) + tuple + "Q" +
         int1(0) + int1(4) + op(0x85) + int1(1) + op(0x85) + newfalse + "}" + tuple + reduce;
}

TEST(PickledTensors, NamesTensorsByTheirPathThroughContainers) {
  // {'feats': [t0, t1], 7: (t2,), 'epoch': 3} and a bare tensor.
  const std::string pickle = proto(2) + "}" + mark + unicode("feats") + "]" + mark + tensor_pickle(0) +
                             tensor_pickle(1) + "e" + int1(7) + tensor_pickle(2) + op(0x85) + unicode("epoch") +
                             int1(3) + "u" + stop;
  const UnpickledObject object = unpickle_torch_pickle(pickle);
  const std::vector<PickledTensor> tensors = pickled_tensors(object.root());
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "/feats/0");
  EXPECT_EQ(tensors[1].name, "/feats/1");
  EXPECT_EQ(tensors[2].name, "/7/0");
  EXPECT_EQ(tensors[1].tensor->storage->storage->key, "1");

  const UnpickledObject bare = unpickle_torch_pickle(proto(2) + tensor_pickle(0) + stop);
  ASSERT_EQ(pickled_tensors(bare.root()).size(), 1u);
  EXPECT_EQ(pickled_tensors(bare.root())[0].name, "/");
}

TEST(PickledTensors, RefusesDeepNestingCyclesAndDuplicateNames) {
  std::string deep = proto(2);
  for (int level = 0; level < 100; ++level) deep += "]";
  for (int level = 0; level < 99; ++level) deep += "a";
  EXPECT_THROW(
      {
        try {
          pickled_tensors(unpickle_torch_pickle(deep + stop).root());
        } catch (const std::runtime_error& error) {
          EXPECT_NE(std::string(error.what()).find("deeper than 64"), std::string::npos) << error.what();
          throw;
        }
      },
      std::runtime_error);
  // A list that holds itself: l = []; l.append(l).
  const std::string cycle = proto(2) + "]" + put(0) + get(0) + "a" + stop;
  EXPECT_THROW(pickled_tensors(unpickle_torch_pickle(cycle).root()), std::runtime_error);
  // Sharing that doubles at every level: 2^60 paths from 60 lists.
  std::string doubling = proto(2) + tensor_pickle(0);
  for (int level = 0; level < 60; ++level) doubling += put(0) + "]" + get(0) + "a" + get(0) + "a";
  EXPECT_THROW(pickled_tensors(unpickle_torch_pickle(doubling + stop).root()), std::runtime_error);
  // {'a/b': t, 'a': {'b': t}} would name two tensors /a/b.
  const std::string duplicate = proto(2) + "}" + unicode("a/b") + tensor_pickle(0) + "s" + unicode("a") + "}" +
                                unicode("b") + tensor_pickle(1) + "s" + "s" + stop;
  EXPECT_THROW(pickled_tensors(unpickle_torch_pickle(duplicate).root()), std::runtime_error);
}

}  // namespace
}  // namespace rankme
