#include "rankme/formats/pickled_tensors.hpp"

#include <cstdio>
#include <set>
#include <stdexcept>

#include "rankme/formats/torch_pickle.hpp"

namespace rankme {

namespace {

using Kind = PickleValue::Kind;

std::string key_text(const PickleValue& key, int depth) {
  switch (key.kind) {
    case Kind::text:
    case Kind::bytes: return key.text;
    case Kind::integer: return std::to_string(key.integer);
    case Kind::boolean: return key.integer != 0 ? "True" : "False";
    case Kind::none: return "None";
    case Kind::floating: {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", key.floating);
      return text;
    }
    case Kind::tuple: {
      if (depth > 4) return "(...)";
      std::string text = "(";
      for (std::size_t i = 0; i < key.items.size(); ++i) {
        text += (i > 0 ? ", " : "") + key_text(*key.items[i], depth + 1);
      }
      return text + (key.items.size() == 1 ? ",)" : ")");
    }
    default: return describe(key);
  }
}

bool may_hold_tensors(const PickleValue& value) {
  return value.kind == Kind::tensor || value.kind == Kind::dict || value.kind == Kind::list || value.kind == Kind::tuple;
}

// Depth first, with one path buffer that grows and shrinks as the walk goes down and up: a hostile pickle
// can make the walk long (shared containers) and keys long, so neither a path copy per value nor an
// unbounded path is affordable.
class TensorWalk {
 public:
  std::vector<PickledTensor> tensors;

  void visit(const PickleValue& value, std::size_t depth) {
    if (++visits_ > max_pickle_values) {
      throw std::runtime_error("the object's containers are shared so often that walking them visits more than " +
                               std::to_string(max_pickle_values) + " values");
    }
    if (depth > max_pickle_nesting) {
      throw std::runtime_error("containers nest deeper than " + std::to_string(max_pickle_nesting) + " levels at '" +
                               path_.substr(0, 200) + "...' (or a container holds itself)");
    }
    switch (value.kind) {
      case Kind::tensor: {
        const std::string name = path_.empty() ? "/" : path_;
        if (!names_.insert(name).second) {
          throw std::runtime_error("two tensors are named '" + name + "' (a key that contains '/'?)");
        }
        tensors.push_back({name, value.tensor.get()});
        return;
      }
      case Kind::dict:
        for (std::size_t i = 0; i + 1 < value.items.size(); i += 2) {
          visit_child(*value.items[i + 1], pickle_key_text(*value.items[i]), depth);
        }
        return;
      case Kind::list:
      case Kind::tuple:
        for (std::size_t i = 0; i < value.items.size(); ++i) visit_child(*value.items[i], std::to_string(i), depth);
        return;
      default:
        return;  // not a tensor, and not a container torch dumps hold tensors in
    }
  }

 private:
  static constexpr std::size_t max_name_bytes = 4096;

  void visit_child(const PickleValue& child, const std::string& key, std::size_t depth) {
    if (!may_hold_tensors(child)) return;
    const std::size_t parent_length = path_.size();
    if (parent_length + 1 + key.size() > max_name_bytes) {
      throw std::runtime_error("a tensor's name (its path of keys) would be longer than " +
                               std::to_string(max_name_bytes) + " bytes: '" + path_.substr(0, 200) + "...'");
    }
    path_ += '/';
    path_ += key;
    visit(child, depth + 1);
    path_.resize(parent_length);
  }

  std::string path_;  // "/feats/0": the keys from the root to the value being visited
  std::size_t visits_ = 0;
  std::set<std::string> names_;
};

}  // namespace

std::string pickle_key_text(const PickleValue& key) { return key_text(key, 0); }

std::vector<PickledTensor> pickled_tensors(const PickleValue& root) {
  TensorWalk walk;
  walk.visit(root, 0);
  return std::move(walk.tensors);
}

}  // namespace rankme
