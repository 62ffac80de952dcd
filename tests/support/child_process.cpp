#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/temporary_directory.hpp"

extern char** environ;

namespace rankme::testing {

namespace {

const TemporaryDirectory& capture_directory() {
  static const TemporaryDirectory directory("rankme-runs-");
  return directory;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string read_whole_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::ostream& operator<<(std::ostream& stream, const RunResult& result) {
  return stream << "\n  command: " << result.command << "\n  exit code: " << result.exit_code
                << (result.hung ? " (hung, killed)" : "") << "\n  stdout:\n" << result.out << "\n  stderr:\n"
                << result.err;
}

void prepare_mpi_environment() {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_odls_base_sigkill_timeout", "0", 0);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0);
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
}

std::vector<pid_t> descendants_of(pid_t root) {
  std::multimap<pid_t, pid_t> children_of;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      continue;
    }
    const std::string stat = read_whole_file(entry.path().string() + "/stat");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    std::string state;
    long parent = 0;
    if (fields >> state >> parent) children_of.emplace(static_cast<pid_t>(parent), static_cast<pid_t>(std::stol(name)));
  }
  std::vector<pid_t> found;
  std::vector<pid_t> pending = {root};
  while (!pending.empty()) {
    const pid_t parent = pending.back();
    pending.pop_back();
    const auto range = children_of.equal_range(parent);
    for (auto it = range.first; it != range.second; ++it) {
      found.push_back(it->second);
      pending.push_back(it->second);
    }
  }
  return found;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  prepare_mpi_environment();
  static int run_number = 0;
  const std::string base = capture_directory().file("run" + std::to_string(++run_number));
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  for (const std::string& word : argv) result_.command += (result_.command.empty() ? "" : " ") + word;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> arguments;
  for (const std::string& word : argv) arguments.push_back(const_cast<char*>(word.c_str()));
  arguments.push_back(nullptr);
  started_ = now_seconds();
  const int spawn_error = posix_spawn(&child_, arguments[0], &actions, &attributes, arguments.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    child_ = -1;
    result_.err = std::string("posix_spawn failed: ") + std::strerror(spawn_error);
  }
}

ChildProcess::~ChildProcess() {
  if (child_ > 0 && !collected_) {
    kill_all();
    int status = 0;
    waitpid(child_, &status, 0);
  }
}

void ChildProcess::kill_all() {
  const std::vector<pid_t> descendants = descendants_of(child_);
  kill(-child_, SIGKILL);
  kill(child_, SIGKILL);
  for (const pid_t pid : descendants) kill(pid, SIGKILL);
  result_.killed = descendants;
}

int ChildProcess::signal_descendants_named(const std::string& name, int signal) const {
  int signalled = 0;
  for (const pid_t pid : descendants_of(child_)) {
    std::string command = read_whole_file("/proc/" + std::to_string(pid) + "/comm");
    while (!command.empty() && command.back() == '\n') command.pop_back();
    if (command == name && kill(pid, signal) == 0) ++signalled;
  }
  return signalled;
}

std::string ChildProcess::stdout_so_far() const { return read_whole_file(out_path_); }

RunResult ChildProcess::wait(double timeout_seconds) {
  if (child_ <= 0 || collected_) return result_;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(child_, &status, WNOHANG);
    if (done == child_) break;
    if (now_seconds() - started_ > timeout_seconds) {
      kill_all();
      waitpid(child_, &status, 0);
      result_.hung = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  collected_ = true;
  result_.seconds = now_seconds() - started_;
  if (!result_.hung && WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  result_.out = read_whole_file(out_path_);
  result_.err = read_whole_file(err_path_);
  return result_;
}

RunResult run_command(const std::vector<std::string>& argv, double timeout_seconds) {
  ChildProcess child(argv);
  return child.wait(timeout_seconds);
}

std::vector<std::string> mpiexec_command(const std::string& mpiexec, int ranks, const std::string& binary,
                                         const std::vector<std::string>& args) {
  // The launcher's own flags (tests/CMakeLists.txt): OpenMPI's --oversubscribe, nothing for MPICH's hydra.
  const std::vector<std::string> flags = {RANKME_MPIEXEC_FLAGS};
  std::vector<std::string> argv = {mpiexec, "-n", std::to_string(ranks)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(binary);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace rankme::testing
