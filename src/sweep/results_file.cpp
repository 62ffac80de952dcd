#include "rankme/sweep/results_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "rankme/os/durable_file.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/result_csv.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

std::string format_line(const DatasetResult& result, ResultsFileFormat format, CsvColumns csv_columns,
                        const std::vector<std::string>& param_keys) {
  return format == ResultsFileFormat::jsonl ? to_json_line(result) : to_csv_line(result, csv_columns, param_keys);
}

// A CSV header split into the columns rankme always writes (one of its layouts) and the param columns after
// them.
struct CsvHeader {
  std::optional<CsvColumns> layout;  // none: not a header rankme writes
  std::vector<std::string> param_keys;
};

CsvHeader parse_csv_header(const std::string& line) {
  CsvHeader header;
  std::vector<std::string> names;
  try {
    names = split_csv_line(line);
  } catch (const std::exception&) {
    return header;
  }
  std::size_t first_param = names.size();
  while (first_param > 0 && is_param_column(names[first_param - 1])) --first_param;
  for (std::size_t i = first_param; i < names.size(); ++i) header.param_keys.push_back(param_key_of_column(names[i]));
  if (!std::is_sorted(header.param_keys.begin(), header.param_keys.end()) ||
      std::adjacent_find(header.param_keys.begin(), header.param_keys.end()) != header.param_keys.end()) {
    return header;  // not as rankme writes them
  }
  std::string base;
  for (std::size_t i = 0; i < first_param; ++i) base += (i ? "," : "") + names[i];
  // Without quoting: rankme's own columns need none.
  for (const CsvColumns layout : {CsvColumns::with_file_identity, CsvColumns::before_canonical_file, CsvColumns::before_pooling,
                                  CsvColumns::before_lidar, CsvColumns::before_rows_used}) {
    if (base == csv_header(layout)) header.layout = layout;
  }
  return header;
}

// The complete lines of `text` (a CSV results file) under a new header: each field moved to its column's
// new place by name, new columns empty. Lines that are not complete records of the old header are dropped.
std::string with_new_header(const std::string& text, const std::string& new_header) {
  std::string bytes = new_header + "\n";
  const std::vector<std::string> new_names = split_csv_line(new_header);
  std::vector<std::string> old_names;
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t newline = text.find('\n', begin);
    if (newline == std::string::npos) break;  // a torn last line
    std::string line = text.substr(begin, newline - begin);
    begin = newline + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> fields;
    try {
      fields = split_csv_line(line);
    } catch (const std::exception&) {
      continue;
    }
    if (old_names.empty()) {
      old_names = fields;
      continue;
    }
    if (fields.size() != old_names.size()) continue;
    std::map<std::string, const std::string*> by_name;
    for (std::size_t i = 0; i < fields.size(); ++i) by_name.emplace(old_names[i], &fields[i]);
    std::string record;
    for (std::size_t i = 0; i < new_names.size(); ++i) {
      const auto found = by_name.find(new_names[i]);
      record += (i ? "," : "") + (found != by_name.end() ? csv_field(*found->second) : std::string());
    }
    bytes += record + "\n";
  }
  return bytes;
}

// The file's text up to its first newline, when it has one.
std::optional<std::string> first_line_of(int descriptor, const FileLabel& file) {
  // Up to 1 MiB: a header with many param columns is longer than rankme's own columns.
  std::string start = read_at(descriptor, std::size_t{1} << 20, 0, file);
  const std::size_t newline = start.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  start.resize(newline);
  if (!start.empty() && start.back() == '\r') start.pop_back();
  return start;
}

}  // namespace

ResultsFile::ResultsFile(FileDescriptor descriptor, std::string path, ResultsFileFormat format)
    : descriptor_(std::move(descriptor)), path_(std::move(path)), format_(format) {}

ResultsFile ResultsFile::open_for_append(const std::string& path, const std::vector<std::string>& param_keys) {
  const ResultsFileFormat format = results_file_format(path);
  const FileLabel label{"results file", path};
  // O_EXCL first, to know whether this call created the file (and must sync its directory).
  FileDescriptor descriptor(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  const bool created = descriptor.is_open();
  if (!created && errno == EEXIST) descriptor = FileDescriptor(::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC));
  if (!descriptor) throw file_error("cannot open results file", path, errno);
  const int fd = descriptor.get();
  ResultsFile file(std::move(descriptor), path, format);  // closes the descriptor if anything below throws
  if (created) flush_directory_of(label);
  // Two writers would not corrupt lines (O_APPEND) but would score the same datasets twice. File systems
  // without flock (ENOLCK, ENOSYS on some parallel file systems) go without the check.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    throw std::runtime_error("results file '" + path +
                             "' is being appended to by another process (another rankme with the same --output?)");
  }

  struct stat status {};
  if (::fstat(fd, &status) != 0) throw file_error("cannot examine results file", path, errno);
  file.regular_file_ = S_ISREG(status.st_mode);
  off_t size = file.regular_file_ ? status.st_size : 0;

  const std::string header = csv_header(CsvColumns::with_file_identity, param_keys);
  file.csv_param_keys_ = param_keys;
  if (format == ResultsFileFormat::csv && size > 0) {
    const std::optional<std::string> first_line = first_line_of(fd, label);
    if (!first_line) {
      // No complete line at all: a header torn by a kill is written again; anything else is not ours.
      // (A header torn inside its param columns may name other params than this run's.)
      const std::string base = csv_header(CsvColumns::with_file_identity) + ",";
      const bool short_enough = static_cast<std::size_t>(size) < (std::size_t{1} << 20);
      const std::string start = short_enough ? read_at(fd, static_cast<std::size_t>(size), 0, label) : "";
      const bool torn_header = base.compare(0, start.size(), start) == 0 ||
                               (start.compare(0, base.size(), base) == 0 && start.find('\n') == std::string::npos);
      if (!short_enough || !torn_header) {
        throw std::runtime_error("results file '" + path + "' is not a rankme CSV file (no header line)");
      }
      if (::ftruncate(fd, 0) != 0) throw file_error("cannot truncate results file", path, errno);
      size = 0;
    } else {
      const CsvHeader existing = parse_csv_header(*first_line);
      if (!existing.layout) {
        throw std::runtime_error("results file '" + path + "' has other columns than rankme writes (" + *first_line +
                                 "); give a new file");
      }
      if (!std::includes(existing.param_keys.begin(), existing.param_keys.end(), param_keys.begin(), param_keys.end())) {
        // New params: the whole file gets the union of columns, in rankme's current layout (its older
        // columns' values kept, the new ones empty), then is opened again.
        const std::vector<std::string> keys = union_of_keys(existing.param_keys, param_keys);
        const std::optional<std::string> text = read_whole_file(label);
        replace_file(label, with_new_header(text.value_or(""), csv_header(CsvColumns::with_file_identity, keys)));
        return open_for_append(path, keys);
      }
      // Written before rankme recorded canonical_file, pool and parts, lidar, or rows_used, precision and method: its lines keep their columns
      // (result_identity.hpp resolves their files when read back); and its param columns.
      file.csv_columns_ = *existing.layout;
      file.csv_param_keys_ = existing.param_keys;
    }
  }
  if (size > 0) file.starts_mid_line_ = read_at(fd, 1, size - 1, label) != "\n";
  file.expected_size_ = size;
  if (format == ResultsFileFormat::csv && size == 0) file.write_line(header);
  return file;
}

void ResultsFile::append(const DatasetResult& result) {
  if (!is_written_status(result.status)) return;
  write_line(format_line(result, format_, csv_columns_, csv_param_keys_));
}

void ResultsFile::write_line(const std::string& line) {
  const FileLabel label{"results file", path_};
  if (regular_file_) {
    // Someone else truncated or appended to the file since our last line: if it now ends inside a line,
    // ours must start on a new one rather than be glued to (and lost with) that fragment.
    struct stat status {};
    if (::fstat(descriptor_.get(), &status) != 0) throw file_error("cannot examine results file", path_, errno);
    if (status.st_size != expected_size_) {
      starts_mid_line_ = status.st_size > 0 && read_at(descriptor_.get(), 1, status.st_size - 1, label) != "\n";
    }
  }
  const std::string bytes = (starts_mid_line_ ? "\n" : "") + line + "\n";
  std::size_t written = 0;
  try {
    write_fully(descriptor_.get(), bytes, label, written);
  } catch (...) {
    starts_mid_line_ = starts_mid_line_ || written > 0;
    throw;
  }
  starts_mid_line_ = false;
  flush_to_disk(descriptor_.get(), label, regular_file_);
  if (regular_file_) check_still_named_by_path();
}

void ResultsFile::check_still_named_by_path() {
  // A results file removed or replaced while rankme runs would swallow every later line unseen: the
  // descriptor still writes to the old inode. Each append checks that the path still names it.
  struct stat mine {}, named {};
  if (::fstat(descriptor_.get(), &mine) != 0) throw file_error("cannot examine results file", path_, errno);
  expected_size_ = mine.st_size;
  const bool path_names_a_file = ::stat(path_.c_str(), &named) == 0;
  const bool replaced = path_names_a_file && (named.st_dev != mine.st_dev || named.st_ino != mine.st_ino);
  if (replaced || !path_names_a_file || mine.st_nlink == 0) {
    throw std::runtime_error("results file '" + path_ + "' was " + (replaced ? "replaced by another file" : "deleted") +
                             " while rankme was appending to it: this result and those after it are on stdout only; "
                             "run again with --resume to write them to a file");
  }
}

void write_results_file(const std::string& path, const std::vector<DatasetResult>& results) {
  const ResultsFileFormat format = results_file_format(path);
  std::string bytes;
  std::vector<DatasetResult> written;
  for (const DatasetResult& result : results) {
    if (is_written_status(result.status)) written.push_back(result);
  }
  const std::vector<std::string> keys = param_keys_of(written);
  if (format == ResultsFileFormat::csv) bytes = csv_header(CsvColumns::with_file_identity, keys) + "\n";
  for (const DatasetResult& result : written) bytes += format_line(result, format, CsvColumns::with_file_identity, keys) + "\n";
  replace_file({"results file", path}, bytes);
}

}  // namespace rankme
