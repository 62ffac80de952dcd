#include "rankme/parallel/blas_kernel_guard.hpp"

#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>

#include "rankme/lapack/blas_kernel_check.hpp"
#include "rankme/lapack/blas_kernel_choice.hpp"
#include "rankme/lapack/blas_library.hpp"
#include "rankme/os/child_program.hpp"
#include "rankme/os/fault_injection.hpp"

namespace rankme {

namespace {

// This executable, whatever argv[0] says and even when the file was replaced since it started.
constexpr const char* this_executable = "/proc/self/exe";

std::optional<std::string> environment_value(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

bool same_kernel(const std::string& a, const std::string& b) { return ::strcasecmp(a.c_str(), b.c_str()) == 0; }

KernelChoiceInputs gather_inputs(const BlasLibrary& library) {
  KernelChoiceInputs inputs;
  inputs.cpu = read_cpu_features();
  inputs.library_kernel = library.kernel;
  inputs.dynamic_arch = library.dynamic_arch;
  inputs.openblas_coretype = environment_value("OPENBLAS_CORETYPE");
  inputs.guard_switch = environment_value(guard_switch_variable);
  inputs.guard_chose = environment_value(guard_chose_variable);
  inputs.guard_library_kernel = environment_value(guard_library_kernel_variable);
  inputs.simulate_detected = environment_value(guard_simulate_variable);
  return inputs;
}

GuardedKernel kept(const BlasLibrary& library, const KernelChoice& choice) {
  GuardedKernel guarded;
  guarded.report.library = library.name;
  guarded.report.version = library.version;
  guarded.report.kernel = library.kernel;
  guarded.report.chosen_by = choice.chosen_by;
  if (choice.chosen_by == KernelChooser::rankme) guarded.report.library_kernel = choice.library_kernel;
  guarded.reason = choice.reason;
  guarded.warnings = choice.warnings;
  return guarded;
}

// Replaces this process with itself, OPENBLAS_CORETYPE=kernel and the guard's markers in its environment.
// Returns only when execv failed, with the environment as it was.
std::string re_execute(char** argv, const std::string& kernel, const std::string& library_kernel) {
  const std::optional<std::string> coretype_before = environment_value("OPENBLAS_CORETYPE");
  ::setenv("OPENBLAS_CORETYPE", kernel.c_str(), 1);
  ::setenv(guard_chose_variable, kernel.c_str(), 1);
  ::setenv(guard_library_kernel_variable, library_kernel.c_str(), 1);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::execv(this_executable, argv);
  const std::string why = std::strerror(errno);
  if (coretype_before) {
    ::setenv("OPENBLAS_CORETYPE", coretype_before->c_str(), 1);
  } else {
    ::unsetenv("OPENBLAS_CORETYPE");
  }
  ::unsetenv(guard_chose_variable);
  ::unsetenv(guard_library_kernel_variable);
  return why;
}

}  // namespace

KernelProbe probe_blas_kernel(const std::string& program, const std::string& kernel, double timeout_seconds) {
  const ChildProgramOutcome outcome = run_child_program(
      program, {program}, {{kernel_probe_variable, "1"}, {"OPENBLAS_CORETYPE", kernel}, {"OPENBLAS_NUM_THREADS", "1"}},
      timeout_seconds);
  KernelProbe probe;
  bool checked = false;
  std::istringstream lines(outcome.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("kernel ", 0) == 0) probe.kernel = line.substr(7);
    if (line.rfind("check ", 0) == 0) {
      checked = true;
      probe.passed = line.rfind("check pass", 0) == 0;
      probe.detail = line.size() > 11 ? line.substr(11) : std::string();
    }
  }
  if (!outcome.failure.empty()) {
    // A probe that did not finish cleanly has not passed, whatever it printed.
    probe.passed = false;
    probe.detail = "the probe " + outcome.failure + (checked && !probe.detail.empty() ? " (" + probe.detail + ")" : "");
  } else if (!checked) {
    probe.detail = "the probe reported no check";
  }
  return probe;
}

void run_blas_kernel_probe(std::ostream& out) {
  out << "kernel " << loaded_blas_library().kernel << std::endl;
  KernelCheckResult check;
  try {
    fault_point(FaultStage::blas_check);
    check = check_blas_kernel();
  } catch (const std::exception& error) {
    check.passed = false;
    check.failure = error.what();
  }
  out << "check " << (check.passed ? "pass " : "fail ")
      << (check.passed ? "worst " + check.worst_case + ": " + std::to_string(check.worst) + " of its error bound"
                       : check.failure)
      << std::endl;
}

GuardedKernel observe_blas_kernel() {
  const BlasLibrary library = loaded_blas_library();
  KernelChoiceInputs inputs = gather_inputs(library);
  inputs.guard_switch = "0";  // deciding nothing: who chose, and why it stands
  KernelChoice choice = choose_blas_kernel(inputs);
  choice.reason = "the program runs without the guard";
  return kept(library, choice);
}

GuardedKernel guard_blas_kernel(char** argv) {
  if (environment_value(kernel_probe_variable)) {
    run_blas_kernel_probe(std::cout);
    std::exit(0);
  }
  const BlasLibrary library = loaded_blas_library();
  const KernelChoice choice = choose_blas_kernel(gather_inputs(library));
  GuardedKernel guarded = kept(library, choice);
  if (choice.chosen_by == KernelChooser::rankme && choice.candidates.empty()) {
    const std::string asked = environment_value(guard_chose_variable).value_or("");
    if (!same_kernel(asked, library.kernel)) {
      guarded.warnings.push_back("rankme asked OpenBLAS for the " + asked + " kernel, but it runs " + library.kernel);
    }
    return guarded;
  }
  std::vector<std::string> absent;
  for (const std::string& candidate : choice.candidates) {
    const KernelProbe probe = probe_blas_kernel(this_executable, candidate);
    if (!probe.kernel.empty() && !same_kernel(probe.kernel, candidate)) {
      absent.push_back(candidate + " (it ran " + probe.kernel + ")");
      continue;  // not in this library: the next candidate may be
    }
    const std::string stay = "rankme keeps the library's " + library.kernel + " kernel, which may run several times "
                             "slower; set OPENBLAS_CORETYPE to choose a kernel yourself, or " +
                             guard_switch_variable + "=0 to turn this check off";
    if (!probe.passed) {
      guarded.warnings.push_back("the BLAS kernel " + candidate + " failed rankme's check (" + probe.detail + "): " + stay);
      return guarded;
    }
    const std::string failure = re_execute(argv, candidate, library.kernel);
    guarded.warnings.push_back("could not re-execute rankme with the BLAS kernel " + candidate + " (" + failure + "): " + stay);
    return guarded;
  }
  if (!absent.empty()) {
    std::string list;
    for (const std::string& name : absent) list += (list.empty() ? "" : ", ") + name;
    guarded.notes.push_back("this library has none of the better kernels: " + list);
  }
  return guarded;
}

void announce_blas_kernel(const Communicator& world, const GuardedKernel& kernel, bool verbose, std::ostream& err) {
  const std::string mine = describe_blas_kernel(kernel.report);
  std::string root = mine;
  world.broadcast(root, 0);
  const bool differs = root != mine;
  if (differs) {
    err << "rankme: warning: rank " << world.rank() << " runs " << mine << ", but rank 0 runs " << root
        << " (other CPUs or another library: their timings will differ)" << std::endl;
  }
  const bool any_differs = world.any(differs);
  if (!world.is_root()) return;
  for (const std::string& warning : kernel.warnings) err << "rankme: warning: " << warning << '\n';
  if (verbose) {
    err << "rankme: BLAS: " << mine << (any_differs ? ", not on every rank" : world.size() > 1 ? ", on every rank" : "")
        << '\n';
    err << "rankme: BLAS kernel: " << kernel.reason << '\n';
    for (const std::string& note : kernel.notes) err << "rankme: note: " << note << '\n';
  }
  err << std::flush;
}

}  // namespace rankme
