#include "rankme/sweep/results_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <utility>

#include "rankme/os/durable_file.hpp"

namespace rankme {

namespace {

std::string format_line(const DatasetResult& result, ResultsFileFormat format, CsvColumns csv_columns) {
  return format == ResultsFileFormat::jsonl ? to_json_line(result) : to_csv_line(result, csv_columns);
}

// The file's text up to its first newline, when it has one.
std::optional<std::string> first_line_of(int descriptor, const FileLabel& file) {
  std::string start = read_at(descriptor, 4096, 0, file);
  const std::size_t newline = start.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  start.resize(newline);
  if (!start.empty() && start.back() == '\r') start.pop_back();
  return start;
}

}  // namespace

ResultsFile::ResultsFile(FileDescriptor descriptor, std::string path, ResultsFileFormat format)
    : descriptor_(std::move(descriptor)), path_(std::move(path)), format_(format) {}

ResultsFile ResultsFile::open_for_append(const std::string& path) {
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

  const std::string header = csv_header(CsvColumns::with_file_identity);
  if (format == ResultsFileFormat::csv && size > 0) {
    const std::optional<std::string> first_line = first_line_of(fd, label);
    if (!first_line) {
      // No complete line at all: a header torn by a kill is written again; anything else is not ours.
      const bool short_enough = static_cast<std::size_t>(size) < header.size();
      const std::string start = short_enough ? read_at(fd, static_cast<std::size_t>(size), 0, label) : "";
      if (!short_enough || header.compare(0, start.size(), start) != 0) {
        throw std::runtime_error("results file '" + path + "' is not a rankme CSV file (no header line)");
      }
      if (::ftruncate(fd, 0) != 0) throw file_error("cannot truncate results file", path, errno);
      size = 0;
    } else if (*first_line == csv_header(CsvColumns::before_canonical_file)) {
      // Written before rankme recorded canonical_file: its lines keep their columns (result_identity.hpp
      // resolves their files when read back).
      file.csv_columns_ = CsvColumns::before_canonical_file;
    } else if (*first_line == csv_header(CsvColumns::before_pooling)) {
      // Written before rankme recorded pool and parts: its lines keep their columns too.
      file.csv_columns_ = CsvColumns::before_pooling;
    } else if (*first_line == csv_header(CsvColumns::before_lidar)) {
      // Written before rankme had LiDAR: its lines keep their columns (lidar is not written to it).
      file.csv_columns_ = CsvColumns::before_lidar;
    } else if (*first_line != header) {
      throw std::runtime_error("results file '" + path + "' has other columns than rankme writes (" + *first_line +
                               "); give a new file");
    }
  }
  if (size > 0) file.starts_mid_line_ = read_at(fd, 1, size - 1, label) != "\n";
  file.expected_size_ = size;
  if (format == ResultsFileFormat::csv && size == 0) file.write_line(header);
  return file;
}

void ResultsFile::append(const DatasetResult& result) {
  if (!is_written_status(result.status)) return;
  write_line(format_line(result, format_, csv_columns_));
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
  if (format == ResultsFileFormat::csv) bytes = csv_header(CsvColumns::with_file_identity) + "\n";
  for (const DatasetResult& result : results) {
    if (is_written_status(result.status)) bytes += format_line(result, format, CsvColumns::with_file_identity) + "\n";
  }
  replace_file({"results file", path}, bytes);
}

}  // namespace rankme
