#include "rankme/pipeline/hdf5_link_walk.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_error.hpp"

namespace rankme {

namespace {

// The walk's state. A group is walked again only when reached in a new pattern state.
struct PatternWalk {
  const Hdf5PathPattern& pattern;
  const std::string& file;                // as given, for notes
  std::set<std::pair<haddr_t, Hdf5PathPattern::States>> walked;
  std::set<haddr_t> found;                // datasets, by address: one entry however many names match
  std::vector<std::string> soft_links;    // accepted soft links, resolved after the walk
  LinkWalk result;
};

struct LinkName {
  std::string name;
  H5L_type_t type;
};

herr_t collect_link(hid_t, const char* name, const H5L_info_t* info, void* names) {
  static_cast<std::vector<LinkName>*>(names)->push_back({name, info->type});
  return 0;
}

H5O_info_t object_info(hid_t location, const std::string& name, const std::string& path) {
  H5O_info_t info;
  check_hdf5(H5Oget_info_by_name2(location, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
             "cannot examine '" + path + "'");
  return info;
}

// HDF5 1.10.8 lists a compact group (links stored in its object header) through a table of as many entries
// as the header counted link messages, and when decoding one of them fails it frees every entry, the
// unfilled ones too: uninitialised pointers (found by tests/fuzz; ASan SEGV or "free(): invalid pointer").
// Looking up a name that is not there decodes every link message in turn without any table, so a damaged
// one fails it cleanly first, and the group is reported as unlistable instead of being listed.
void check_link_messages_decode(hid_t group, const std::string& path) {
  const char* absent_name = "rankme: a name no link has";  // a lookup; '/' and '.' would be traversals
  check_hdf5(H5Lexists(group, absent_name, H5P_DEFAULT), "cannot list group '" + (path.empty() ? "/" : path) + "'");
}

void walk_group(hid_t group, const std::string& path, const Hdf5PathPattern::States& states, PatternWalk& walk) {
  check_link_messages_decode(group, path);
  std::vector<LinkName> links;  // collected first: no HDF5 calls of our own inside H5Literate
  // Native order, sorted here, not H5_ITER_INC: for a group with dense link storage HDF5 1.10 gives name
  // order by building a table of as many links as the B-tree header claims, filling what it can read and
  // then freeing every entry, so a damaged file whose tree holds fewer links frees uninitialised pointers
  // ("free(): invalid pointer", found by tests/fuzz). Native order walks the tree itself, no table; the
  // sort (byte order, as HDF5's strcmp) gives the name order back.
  check_hdf5(H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_link, &links),
             "cannot list group '" + (path.empty() ? "/" : path) + "'");
  std::sort(links.begin(), links.end(), [](const LinkName& a, const LinkName& b) { return a.name < b.name; });
  for (const auto& [name, type] : links) {
    const Hdf5PathPattern::States next = walk.pattern.advance(states, name);
    if (Hdf5PathPattern::is_dead(next)) continue;  // nothing at or below this link can match
    const std::string child = path + "/" + name;
    if (type == H5L_TYPE_SOFT) {
      if (walk.pattern.accepts(next)) walk.soft_links.push_back(child);
      continue;
    }
    if (type == H5L_TYPE_EXTERNAL) {
      if (walk.pattern.accepts(next)) {
        walk.result.notes.push_back("skipped external link '" + child + "' in '" + walk.file + "' -> " +
                                    link_destination(group, name) +
                                    ": whole-file scans and patterns stay inside their file; to score it, name it ('" +
                                    walk.file + ":" + child + "') or its target file");
      }
      continue;
    }
    if (type != H5L_TYPE_HARD) continue;  // user-defined link classes
    const H5O_info_t info = object_info(group, name, child);
    if (info.type == H5O_TYPE_DATASET) {
      if (walk.pattern.accepts(next) && walk.found.insert(info.addr).second) {
        walk.result.dataset_paths.push_back(child);
      }
    } else if (info.type == H5O_TYPE_GROUP) {
      walk.result.matched_a_group = walk.result.matched_a_group || walk.pattern.accepts(next);
      if (!walk.walked.insert({info.addr, next}).second) continue;
      Hdf5Handle subgroup(check_hdf5(H5Gopen2(group, name.c_str(), H5P_DEFAULT), "cannot open group '" + child + "'"),
                          H5Gclose);
      walk_group(subgroup.get(), child, next, walk);
    }
  }
}

// The accepted soft links, after every hard link was walked (so a dataset keeps its hard name).
void resolve_soft_links(hid_t file, PatternWalk& walk) {
  for (const std::string& link : walk.soft_links) {
    H5O_info_t info;
    const herr_t resolved = H5Oget_info_by_name2(file, link.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (resolved < 0) {
      const std::string reason = hdf5_error_reason();
      const bool cycle = reason.find("too many links") != std::string::npos;
      walk.result.notes.push_back("skipped soft link '" + link + "' in '" + walk.file + "' -> " +
                                  link_destination(file, link) + ": it leads nowhere (" +
                                  (cycle ? "a cycle of soft links" : reason) + ")");
    } else if (info.type == H5O_TYPE_DATASET && walk.found.insert(info.addr).second) {
      walk.result.dataset_paths.push_back(link);
    }
  }
}

}  // namespace

LinkWalk walk_links(hid_t file, const std::string& file_name, const Hdf5PathPattern& pattern) {
  PatternWalk walk{pattern, file_name, {}, {}, {}, {}};
  const Hdf5PathPattern::States start = pattern.start();
  walk.walked.insert({object_info(file, "/", "/").addr, start});
  walk_group(file, "", start, walk);
  resolve_soft_links(file, walk);
  // Byte order of the whole path, the order --shard relies on (walk order puts "/a/b" before "/a b").
  std::sort(walk.result.dataset_paths.begin(), walk.result.dataset_paths.end());
  return walk.result;
}

}  // namespace rankme
