#include "rankme/sweep/results_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/sweep/dataset_result_json.hpp"
#include "rankme/sweep/result_lines.hpp"
#include "rankme/sweep/text_output.hpp"

namespace rankme {

namespace {

// ------------------------------------------------------------------------------------------------
// System calls, each failure a message that names the file and the reason

std::runtime_error io_error(const std::string& what, const std::string& path, int error_number) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(error_number));
}

// Writes all of `bytes`; `written` counts what reached the file even when this throws, so that the
// caller knows whether a torn line was left behind.
void write_fully(int descriptor, const std::string& bytes, const std::string& path, std::size_t& written) {
  written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(descriptor, bytes.data() + written, bytes.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw io_error("cannot write to results file", path, errno);
    if (count == 0) throw io_error("cannot write to results file", path, EIO);
    written += static_cast<std::size_t>(count);
  }
}

// A special file (a FIFO, a character device) has nothing to flush and says so with EINVAL.
void flush_to_disk(int descriptor, const std::string& path, bool regular_file) {
  int status = 0;
  do {
    status = ::fsync(descriptor);
  } while (status != 0 && errno == EINTR);
  if (status != 0 && !(errno == EINVAL && !regular_file)) {
    throw io_error("cannot flush results file to disk (fsync)", path, errno);
  }
}

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A new directory entry is durable only once its directory is synced (a power cut could lose the file).
void flush_directory_of(const std::string& path) {
  const std::string directory = parent_directory(path);
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0) throw io_error("cannot open the directory of results file", path, errno);
  const int status = ::fsync(descriptor);
  const int error_number = errno;
  ::close(descriptor);
  if (status != 0 && error_number != EINVAL) throw io_error("cannot flush the directory of results file", path, error_number);
}

// Up to `limit` bytes from `offset`.
std::string read_at(int descriptor, std::size_t limit, off_t offset, const std::string& path) {
  std::string bytes(limit, '\0');
  std::size_t done = 0;
  while (done < limit) {
    const ssize_t count = ::pread(descriptor, &bytes[done], limit - done, offset + static_cast<off_t>(done));
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw io_error("cannot read results file", path, errno);
    if (count == 0) break;
    done += static_cast<std::size_t>(count);
  }
  bytes.resize(done);
  return bytes;
}

// The whole file, or nothing when it does not exist.
std::optional<std::string> read_whole_file(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0 && errno == ENOENT) return std::nullopt;
  if (descriptor < 0) throw io_error("cannot open results file", path, errno);
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t count = ::read(descriptor, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      const int error_number = errno;
      ::close(descriptor);
      throw io_error("cannot read results file", path, error_number);
    }
    if (count == 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(descriptor);
  return text;
}

// ------------------------------------------------------------------------------------------------
// Lines

bool is_written_status(ResultStatus status) {
  return status == ResultStatus::ok || status == ResultStatus::nonfinite || status == ResultStatus::error;
}

// A line that claims a status must carry what that status means: a finite number exactly when ok; and
// only statuses that are written at all (never `interrupted`) can be read.
void check_consistent(const DatasetResult& result) {
  if (!is_written_status(result.status)) {
    throw std::runtime_error(std::string("status '") + status_name(result.status) + "' is never written");
  }
  if (result.status == ResultStatus::ok && !(result.rankme && std::isfinite(*result.rankme))) {
    throw std::runtime_error("status ok without a finite rankme");
  }
  if (result.status != ResultStatus::ok && result.rankme) throw std::runtime_error("a rankme with status " + std::string(status_name(result.status)));
}

std::string format_line(const DatasetResult& result, ResultsFileFormat format) {
  return format == ResultsFileFormat::jsonl ? to_json_line(result) : to_csv_line(result, CsvColumns::with_file_identity);
}

DatasetResult result_from_json_line(const std::string& line) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("not JSON");
  }
  DatasetResult result = result_from_json(json);
  check_consistent(result);
  return result;
}

// One RFC 4180 record that fits on one line (what to_csv_line writes). Throws on unbalanced quotes.
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false, after_quote = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
        after_quote = true;
      }
    } else if (c == ',') {
      fields.emplace_back();
      after_quote = false;
    } else if (after_quote) {
      throw std::runtime_error("text after a closing quote");
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quote");
  return fields;
}

template <typename Integer>
Integer parse_integer(const std::string& text, const char* column) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::runtime_error(std::string("bad ") + column + " '" + text + "'");
  }
  return value;
}

double parse_double(const std::string& text, const char* column) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::runtime_error(std::string("bad ") + column + " '" + text + "'");
  }
  return value;
}

// Column positions, found by name in the header.
class CsvLayout {
 public:
  explicit CsvLayout(const std::string& header_line) {
    const std::vector<std::string> names = split_csv_line(header_line);
    for (std::size_t i = 0; i < names.size(); ++i) index_[names[i]] = i;
    columns_ = names.size();
    for (const char* required : {"file", "dataset", "rows", "cols", "rankme", "status"}) {
      if (!index_.count(required)) throw std::runtime_error(std::string("no '") + required + "' column");
    }
  }

  DatasetResult parse(const std::string& line) const {
    const std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != columns_) {
      throw std::runtime_error(std::to_string(fields.size()) + " fields, the header has " + std::to_string(columns_));
    }
    const auto field = [&](const char* name) -> std::optional<std::string> {
      const auto found = index_.find(name);
      if (found == index_.end()) return std::nullopt;
      return fields[found->second];
    };
    DatasetResult result;
    result.file = *field("file");
    result.dataset = *field("dataset");
    result.rows = parse_integer<std::uint64_t>(*field("rows"), "rows");
    result.cols = parse_integer<std::uint64_t>(*field("cols"), "cols");
    result.status = status_from_name(*field("status"));
    if (const std::string rankme = *field("rankme"); !rankme.empty()) result.rankme = parse_double(rankme, "rankme");
    result.dtype = field("dtype").value_or("");
    result.error = field("error").value_or("");
    result.solver = field("solver").value_or("");
    if (auto seconds = field("seconds"); seconds && !seconds->empty()) result.seconds = parse_double(*seconds, "seconds");
    if (auto ranks = field("ranks"); ranks && !ranks->empty()) result.ranks = parse_integer<int>(*ranks, "ranks");
    if (auto size = field("file_size"); size) result.file_size = parse_integer<std::uint64_t>(*size, "file_size");
    if (auto mtime = field("file_mtime_ns"); mtime) result.file_mtime_ns = parse_integer<std::int64_t>(*mtime, "file_mtime_ns");
    check_consistent(result);
    return result;
  }

 private:
  std::map<std::string, std::size_t> index_;
  std::size_t columns_ = 0;
};

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// The file's text up to its first newline, when it has one.
std::optional<std::string> first_line_of(int descriptor, const std::string& path) {
  std::string start = read_at(descriptor, 4096, 0, path);
  const std::size_t newline = start.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  start.resize(newline);
  if (!start.empty() && start.back() == '\r') start.pop_back();
  return start;
}

}  // namespace

// ------------------------------------------------------------------------------------------------

ResultsFileFormat results_file_format(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  std::string extension = dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".jsonl") return ResultsFileFormat::jsonl;
  if (extension == ".csv") return ResultsFileFormat::csv;
  throw std::invalid_argument("results file '" + path + "' must end in .jsonl (JSON Lines) or .csv" +
                              (extension.empty() ? std::string() : ", not " + extension));
}

namespace {

// JSON can hold only UTF-8: names are compared as a JSON line stores them.
std::string as_stored_in_json(const std::string& text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return text;
  const std::string dumped = json_text(nlohmann::json(text));
  return nlohmann::json::parse(dumped).get<std::string>();
}

}  // namespace

ResultIdentity identity_of(const DatasetResult& result) {
  return {as_stored_in_json(result.file), as_stored_in_json(result.dataset), result.rows, result.cols,
          result.file_size, result.file_mtime_ns};
}

ResultIdentity identity_of(const DatasetTarget& target) {
  return {as_stored_in_json(target.file), as_stored_in_json(target.dataset), target.rows, target.cols,
          target.file_size, target.file_mtime_ns};
}

ResultsFileContents read_results_file(const std::string& path) {
  const ResultsFileFormat format = results_file_format(path);
  ResultsFileContents contents;
  const std::optional<std::string> text = read_whole_file(path);
  if (!text) return contents;

  std::optional<CsvLayout> csv_layout;
  std::size_t line_number = 0;
  const auto skip = [&](const std::string& reason) {
    ++contents.skipped_lines;
    if (contents.first_problem.empty()) contents.first_problem = "line " + std::to_string(line_number) + ": " + reason;
  };
  for (std::size_t begin = 0; begin < text->size();) {
    ++line_number;
    const std::size_t newline = text->find('\n', begin);
    if (newline == std::string::npos) {
      // No newline after it: the write of this line was cut short.
      contents.torn_last_line = true;
      skip("torn last line (a write cut short), ignored");
      break;
    }
    std::string line = text->substr(begin, newline - begin);
    begin = newline + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    if (format == ResultsFileFormat::csv && !csv_layout) {
      try {
        csv_layout.emplace(line);
      } catch (const std::exception& error) {
        throw std::runtime_error("results file '" + path + "' does not start with a rankme CSV header (" +
                                 error.what() + ")");
      }
      continue;
    }
    try {
      contents.results.push_back(format == ResultsFileFormat::jsonl ? result_from_json_line(line) : csv_layout->parse(line));
    } catch (const std::exception& error) {
      skip(error.what());
    }
  }
  return contents;
}

// ------------------------------------------------------------------------------------------------

ResultsFile::ResultsFile(int descriptor, std::string path, ResultsFileFormat format)
    : descriptor_(descriptor), path_(std::move(path)), format_(format) {}

ResultsFile::~ResultsFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

ResultsFile::ResultsFile(ResultsFile&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)),
      path_(std::move(other.path_)),
      format_(other.format_),
      regular_file_(other.regular_file_),
      starts_mid_line_(other.starts_mid_line_),
      expected_size_(other.expected_size_) {}

ResultsFile& ResultsFile::operator=(ResultsFile&& other) noexcept {
  if (this != &other) {
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = std::exchange(other.descriptor_, -1);
    path_ = std::move(other.path_);
    format_ = other.format_;
    regular_file_ = other.regular_file_;
    starts_mid_line_ = other.starts_mid_line_;
    expected_size_ = other.expected_size_;
  }
  return *this;
}

ResultsFile ResultsFile::open_for_append(const std::string& path) {
  const ResultsFileFormat format = results_file_format(path);
  // O_EXCL first, to know whether this call created the file (and must sync its directory).
  int descriptor = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  const bool created = descriptor >= 0;
  if (!created && errno == EEXIST) descriptor = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (descriptor < 0) throw io_error("cannot open results file", path, errno);
  ResultsFile file(descriptor, path, format);  // closes the descriptor if anything below throws
  if (created) flush_directory_of(path);
  // Two writers would not corrupt lines (O_APPEND) but would score the same datasets twice. File systems
  // without flock (ENOLCK, ENOSYS on some parallel file systems) go without the check.
  if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    throw std::runtime_error("results file '" + path +
                             "' is being appended to by another process (another rankme with the same --output?)");
  }

  struct stat status {};
  if (::fstat(descriptor, &status) != 0) throw io_error("cannot examine results file", path, errno);
  file.regular_file_ = S_ISREG(status.st_mode);
  off_t size = file.regular_file_ ? status.st_size : 0;

  const std::string header = csv_header(CsvColumns::with_file_identity);
  if (format == ResultsFileFormat::csv && size > 0) {
    const std::optional<std::string> first_line = first_line_of(descriptor, path);
    if (!first_line) {
      // No complete line at all: a header torn by a kill is written again; anything else is not ours.
      const bool short_enough = static_cast<std::size_t>(size) < header.size();
      const std::string start = short_enough ? read_at(descriptor, static_cast<std::size_t>(size), 0, path) : "";
      if (!short_enough || header.compare(0, start.size(), start) != 0) {
        throw std::runtime_error("results file '" + path + "' is not a rankme CSV file (no header line)");
      }
      if (::ftruncate(descriptor, 0) != 0) throw io_error("cannot truncate results file", path, errno);
      size = 0;
    } else if (*first_line != header) {
      throw std::runtime_error("results file '" + path + "' has other columns than rankme writes (" + *first_line +
                               "); give a new file");
    }
  }
  if (size > 0) file.starts_mid_line_ = read_at(descriptor, 1, size - 1, path) != "\n";
  file.expected_size_ = size;
  if (format == ResultsFileFormat::csv && size == 0) file.write_line(header);
  return file;
}

void ResultsFile::append(const DatasetResult& result) {
  if (!is_written_status(result.status)) return;
  write_line(format_line(result, format_));
}

void ResultsFile::write_line(const std::string& line) {
  if (regular_file_) {
    // Someone else truncated or appended to the file since our last line: if it now ends inside a line,
    // ours must start on a new one rather than be glued to (and lost with) that fragment.
    struct stat status {};
    if (::fstat(descriptor_, &status) != 0) throw io_error("cannot examine results file", path_, errno);
    if (status.st_size != expected_size_) {
      starts_mid_line_ = status.st_size > 0 && read_at(descriptor_, 1, status.st_size - 1, path_) != "\n";
    }
  }
  const std::string bytes = (starts_mid_line_ ? "\n" : "") + line + "\n";
  std::size_t written = 0;
  try {
    write_fully(descriptor_, bytes, path_, written);
  } catch (...) {
    starts_mid_line_ = starts_mid_line_ || written > 0;
    throw;
  }
  starts_mid_line_ = false;
  flush_to_disk(descriptor_, path_, regular_file_);
  if (regular_file_) check_still_named_by_path();
}

void ResultsFile::check_still_named_by_path() {
  // A results file removed or replaced while rankme runs would swallow every later line unseen: the
  // descriptor still writes to the old inode. Each append checks that the path still names it.
  struct stat mine {}, named {};
  if (::fstat(descriptor_, &mine) != 0) throw io_error("cannot examine results file", path_, errno);
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
    if (is_written_status(result.status)) bytes += format_line(result, format) + "\n";
  }
  const std::string partial = path + ".partial." + std::to_string(::getpid());
  const int descriptor = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (descriptor < 0) throw io_error("cannot create", partial, errno);
  try {
    std::size_t written = 0;
    write_fully(descriptor, bytes, partial, written);
    flush_to_disk(descriptor, partial, true);
  } catch (...) {
    ::close(descriptor);
    ::unlink(partial.c_str());
    throw;
  }
  if (::close(descriptor) != 0) {
    const int error_number = errno;
    ::unlink(partial.c_str());
    throw io_error("cannot close", partial, error_number);
  }
  if (::rename(partial.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(partial.c_str());
    throw io_error("cannot rename " + partial + " to", path, error_number);
  }
  flush_directory_of(path);
}

}  // namespace rankme
