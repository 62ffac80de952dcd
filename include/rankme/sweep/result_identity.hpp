#pragma once
// What makes two results "the same dataset, as it is now", however its file was spelled: --resume skips
// a target whose identity has a settling result, rankme-merge keeps one result per identity.
//
// The file is known by its canonical path (os/canonical_path.hpp: absolute, every symbolic link, "." and
// ".." resolved), taken when the dataset was listed and written into every results line (canonical_file),
// so that "a.h5", "./a.h5", "$PWD/a.h5", "sub/../a.h5" and a path through a symlinked directory are one
// file. Not by device and inode: a results file is read again by other processes, later (a requeued job
// on another node, after a reboot, rankme-merge on a login node), and network and parallel file systems
// (NFS, Lustre, GPFS) number their devices at mount time, differently on each node and after each boot,
// so every dataset would be scored again; inode numbers are reused once a file is deleted, too. The
// canonical path is the same wherever the file system is mounted at the same place, as on a cluster. With
// the file's size and modification time (nanoseconds) it tells a rewritten or replaced file, which is a
// new identity and scored again, as is a reshaped dataset. The price: a file reached through another hard
// link or mount point, or whose directory was renamed, counts as another file and is scored again, which
// is safe. `file` in every report stays as the user gave it.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

struct ResultIdentity {
  std::string file;  // the canonical path; the spelling as given only when that cannot be had (see below)
  std::string dataset;
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  std::uint64_t file_size = 0;
  std::int64_t file_mtime_ns = 0;
  // --pool: the same array pooled otherwise is another result ("" for none).
  std::string pool;
  // --concat: every part's identity (canonical file, dataset, rows, size, modification time), in order, as
  // one text each; a part rewritten, added, removed or reordered is another result. A result read from a
  // CSV line has only the count of its parts: it never matches a target (it is scored again).
  std::vector<std::string> parts;
  std::uint64_t part_count = 0;

  friend bool operator<(const ResultIdentity& a, const ResultIdentity& b) {
    return std::tie(a.file, a.dataset, a.rows, a.cols, a.file_size, a.file_mtime_ns, a.pool, a.part_count, a.parts) <
           std::tie(b.file, b.dataset, b.rows, b.cols, b.file_size, b.file_mtime_ns, b.pool, b.part_count, b.parts);
  }
  friend bool operator==(const ResultIdentity& a, const ResultIdentity& b) { return !(a < b) && !(b < a); }
};

// Names are compared as a JSON line stores them (invalid UTF-8 replaced by U+FFFD), so that a dataset
// with such a name is recognised when read back.
//
// A result without canonical_file (a line of a results file written before rankme recorded it, a report
// saved from stdout) has its `file` resolved now, from the current directory: where --resume runs the
// same command line again. When that fails too (the file is gone), the spelling as given stands, as
// identities were before canonical paths; the size and modification time still have to match, so a
// spelling that now names another file does not match either.
ResultIdentity identity_of(const DatasetResult& result);
// A target whose file could not be reached when listed (an error target) is known by its spelling.
ResultIdentity identity_of(const DatasetTarget& target);

}  // namespace rankme
