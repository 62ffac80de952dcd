// Running a command (rankme under mpiexec, usually) as a child process in the tests: stdin from
// /dev/null, stdout and stderr captured to files, a hard timeout after which the child and every process
// below it are killed (mpiexec puts each rank in a process group of its own, so killing mpiexec's group
// alone would leave the ranks running), and signals sent to the ranks the way SLURM sends them.
#pragma once

#include <sys/types.h>

#include <ostream>
#include <string>
#include <vector>

namespace rankme::testing {

struct RunResult {
  int exit_code = -1;   // -1 when the child did not exit normally (signal, hang)
  int signal = 0;       // the signal that ended mpiexec (or the binary), if any
  bool hung = false;    // killed after the timeout
  std::string out, err;
  double seconds = 0;
  std::string command;  // for failure messages
  std::vector<pid_t> killed;  // the descendants killed after a timeout
};

std::ostream& operator<<(std::ostream& stream, const RunResult& result);

// As root OpenMPI refuses to start without OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM) (CTest sets them too; setting
// them here lets a test run by hand); oversubscription allowed; one BLAS thread per rank.
void prepare_mpi_environment();

// The whole content of a file ("" when it cannot be read).
std::string read_whole_file(const std::string& path);

// Every process below `root`, found through /proc.
std::vector<pid_t> descendants_of(pid_t root);

// A command started in the background; wait() collects it like run_command.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills whatever is left, so a failing test leaves no ranks behind

  pid_t pid() const { return child_; }
  // Sends `signal` to every process below the child whose command name is `name` (e.g. the rankme
  // ranks under mpiexec); returns how many there were.
  int signal_descendants_named(const std::string& name, int signal) const;
  // What the child has written to stdout so far.
  std::string stdout_so_far() const;
  // Waits for the exit, killing everything after `timeout_seconds`.
  RunResult wait(double timeout_seconds);

 private:
  void kill_all();
  pid_t child_ = -1;
  bool collected_ = false;
  double started_ = 0;
  std::string out_path_, err_path_;
  RunResult result_;
};

// Runs `argv` to completion (or the timeout).
RunResult run_command(const std::vector<std::string>& argv, double timeout_seconds);

// mpiexec -n RANKS [the stack's flags: --oversubscribe for OpenMPI] BINARY ARGS...
std::vector<std::string> mpiexec_command(const std::string& mpiexec, int ranks, const std::string& binary,
                                         const std::vector<std::string>& args);

}  // namespace rankme::testing
