#pragma once
// File I/O for files that must survive a kill or a power cut: whole writes (retried after signals and
// short writes), fsync of a file and of the directory that names it, and replacing a file at once
// (a temporary file beside it, fsynced, then renamed over it). Every failure is a std::runtime_error that
// names the file by its role and path and gives the reason: "cannot write to results file 'r.jsonl': No
// space left on device".
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace rankme {

// How the messages name a file: "results file 'out/r.jsonl'".
struct FileLabel {
  std::string role;  // "results file"
  std::string path;
};

// "<what> '<path>': <strerror(error_number)>".
std::runtime_error file_error(const std::string& what, const std::string& path, int error_number);

// Writes all of `bytes`; `written` counts what reached the file even when this throws, so that the
// caller knows whether a torn line was left behind.
void write_fully(int descriptor, const std::string& bytes, const FileLabel& file, std::size_t& written);

// fsync, retried after signals. A special file (a FIFO, a character device: `regular_file` false) has
// nothing to flush and says so with EINVAL, which is no error then.
void flush_to_disk(int descriptor, const FileLabel& file, bool regular_file);

// A new directory entry is durable only once its directory is synced (a power cut could lose the file).
void flush_directory_of(const FileLabel& file);

// Up to `limit` bytes from `offset` (fewer at the end of the file).
std::string read_at(int descriptor, std::size_t limit, off_t offset, const FileLabel& file);

// The whole file, or nothing when it does not exist.
std::optional<std::string> read_whole_file(const FileLabel& file);

// Replaces the file with exactly `bytes`: written to `<path>.partial.<pid>` beside it, fsynced, then
// renamed over it and its directory synced, so that readers see the old file or the new one, never a mix.
// On failure the temporary file is removed and the old file is left as it was.
void replace_file(const FileLabel& file, const std::string& bytes);

}  // namespace rankme
