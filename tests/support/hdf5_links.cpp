#include "support/hdf5_links.hpp"

#include <hdf5.h>

#include "support/hdf5_writer_core.hpp"

namespace rankme::testing {

using hdf5_writer::absolute_object_path;
using hdf5_writer::check;
using hdf5_writer::describe;
using hdf5_writer::ensure_absent;
using hdf5_writer::Handle;
using hdf5_writer::intermediate_groups_lcpl;
using hdf5_writer::with_file;


void make_soft_link(const std::string& file, const std::string& link_path,
                    const std::string& target_path) {
  const std::string where =
      describe("make_soft_link", file, "link", link_path) + " -> '" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_soft(target_path.c_str(), file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_soft failed");
  });
}

void make_external_link(const std::string& file, const std::string& link_path,
                        const std::string& target_file, const std::string& target_path) {
  const std::string where = describe("make_external_link", file, "link", link_path) + " -> '" +
                            target_file + "':'" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_external(target_file.c_str(), target_path.c_str(), file_id, absolute.c_str(),
                             lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_external failed");
  });
}

void make_hard_link(const std::string& file, const std::string& link_path, const std::string& target_path) {
  const std::string where = describe("make_hard_link", file, "link", link_path) + " -> '" + target_path + "'";
  const std::string absolute = absolute_object_path(link_path, where);
  with_file(file, where, [&](hid_t file_id) {
    ensure_absent(file_id, absolute, where);
    Handle lcpl = intermediate_groups_lcpl(where);
    check(H5Lcreate_hard(file_id, target_path.c_str(), file_id, absolute.c_str(), lcpl.get(), H5P_DEFAULT),
          where + ": H5Lcreate_hard failed");
  });
}

}  // namespace rankme::testing
