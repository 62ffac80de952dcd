#pragma once
// Selecting the datasets of a whole sweep: directories of HDF5 files, glob patterns over HDF5 paths, a
// deterministic order and --shard i/n.
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// Expands command-line arguments into inputs, in argument order:
//  * a directory becomes every *.h5 / *.hdf5 file below it (recursively; symbolic links to directories are
//    not followed, so a link loop cannot run forever), sorted by path;
//  * anything else goes through parse_input_spec (FILE, FILE:DATASET, FILE:PATTERN).
// Never throws for a bad argument: a directory with no HDF5 file, an unreadable directory, a missing
// "DIR/" or a "DIR:DATASET" becomes an InputSpec with `error` set, which discovery reports as an error
// target naming it (so it takes part in sorting and sharding like any other entry).
std::vector<InputSpec> expand_arguments(const std::vector<std::string>& arguments);

// Glob matching of an absolute HDF5 path against a pattern, component by component ('/' separates
// components, repeated and trailing '/' are ignored):
//   *      any characters within one component (never across '/')
//   ?      one character (a whole UTF-8 sequence)
//   [...]  one character of a set: ranges "a-z", negation with a leading '!' or '^', a ']' first is literal;
//          a '[' without its ']' is literal
//   **     as a whole component: zero or more components
//   \c     the character c itself (escapes a wildcard, '[' or '\')
bool hdf5_path_matches(const std::string& pattern, const std::string& path);

// True when `text` holds a wildcard ('*', '?', or a complete "[...]") that no backslash escapes.
bool has_unescaped_wildcards(const std::string& text);

// `text` with its escapes resolved: "\*" -> "*", "\\" -> "\" (a trailing lone backslash stays).
std::string unescape_hdf5_path(const std::string& text);

// A compiled pattern, walked one component at a time so that discovery can stop descending into groups
// that cannot lead to a match. States are the set of pattern positions that may come next.
class Hdf5PathPattern {
 public:
  using States = std::vector<bool>;

  explicit Hdf5PathPattern(const std::string& pattern);

  States start() const;
  States advance(const States& states, const std::string& component) const;
  bool accepts(const States& states) const { return states.back(); }
  static bool is_dead(const States& states);  // nothing below can match any more

 private:
  void close_over_globstars(States& states) const;
  std::vector<std::string> components_;
  std::vector<bool> is_globstar_;
};

// Targets in the order every --shard task agrees on: by file path (as expanded), then dataset path,
// byte-wise; equal entries keep their relative order. Error targets sort like any other entry.
void sort_targets(std::vector<DatasetTarget>& targets);

// Drops repeats of the same (file as given, dataset) from a sorted list: a dataset named on the command
// line and reached again by a whole-file scan or a pattern is scored once.
void remove_repeated_targets(std::vector<DatasetTarget>& sorted_targets);

// --shard i/n: the entries at positions i, i + n, i + 2n, ... of an already sorted list, in order.
// Throws std::invalid_argument unless index < count.
std::vector<DatasetTarget> select_shard(const std::vector<DatasetTarget>& targets, std::uint64_t index,
                                        std::uint64_t count);

// expand_arguments + discover_targets on rank `root` only (P ranks do not all walk the same directory
// trees, and cannot see them change in between), the result broadcast to every rank of `comm`.
// Collective; order as discover_targets gives it (call sort_targets before select_shard).
Discovery discover_arguments_on_root(const Communicator& comm, const std::vector<std::string>& arguments,
                                     int root = 0);

}  // namespace rankme
