#include "rankme/pipeline/hdf5_attribute_params.hpp"

#include <set>

#include "rankme/io/hdf5_handle.hpp"
#include "rankme/io/hdf5_scalar_attributes.hpp"

namespace rankme {

namespace {

bool is_reserved(const std::string& name) {
  static const std::set<std::string> reserved = {"CLASS", "VERSION", "TITLE", "NAME", "PYTABLES_FORMAT_VERSION"};
  return name.front() == '_' || reserved.count(name) > 0;
}

void add_attributes_of(hid_t object, Params& params) {
  for (auto& [name, value] : read_scalar_attributes(object)) {
    if (!is_reserved(name)) params[name] = value;
  }
}

}  // namespace

const Params& Hdf5AttributeParams::of_group(const std::string& group_path) {
  const auto found = groups_.find(group_path);
  if (found != groups_.end()) return found->second;
  // The parent's first (cached too), then this group's own over them.
  Params params;
  if (group_path != "/") {
    const std::size_t slash = group_path.rfind('/');
    params = of_group(slash == 0 ? "/" : group_path.substr(0, slash));
  }
  Hdf5Handle group(H5Gopen2(file_, group_path.c_str(), H5P_DEFAULT), H5Gclose);
  if (group.valid()) add_attributes_of(group.get(), params);
  return groups_.emplace(group_path, std::move(params)).first->second;
}

Params Hdf5AttributeParams::of(hid_t dataset, const std::string& path) {
  // "/a/b/z" -> "/a/b"; "z" or "/z" -> "/". Repeated slashes name no group of their own.
  std::string group = path;
  while (group.size() > 1 && group.back() == '/') group.pop_back();
  const std::size_t slash = group.rfind('/');
  group = slash == std::string::npos || slash == 0 ? "/" : group.substr(0, slash);
  while (group.size() > 1 && group.back() == '/') group.pop_back();
  if (group.front() != '/') group = "/" + group;
  Params params = of_group(group);
  add_attributes_of(dataset, params);
  return params;
}

}  // namespace rankme
