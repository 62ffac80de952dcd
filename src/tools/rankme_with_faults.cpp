// rankme-with-faults: rankme itself (the same run_program) with a fault hook read from the environment,
// for the fault matrix (tests/test_fault_matrix.cpp). Built only with the tests; never installed.
//
//   RANKME_FAULT="stage=read,rank=1,kind=error[,dataset=/lr=0.01/emb][,block=2][,ready=/tmp/f]"
//     stage    open, read, gram, reduce, eigensolve, write (fault_injection.hpp), or blas_check: the BLAS
//              kernel guard's numerical check fails (kind error) in that rank's probe process
//     rank     the MPI_COMM_WORLD rank that fails (every other rank runs normally), or `all`
//     kind     error: this rank's stage throws, as a failed read or allocation would
//              kill:  this rank dies at once (SIGKILL), as an OOM kill or a node failure would
//              stall: this rank creates the file `ready` and waits until it is removed (at most 120 s),
//                     so that a test can change the input or signal the job at a known moment
//     dataset  only while scoring this dataset path (default: every dataset)
//     block    read and gram only: only at this block index (default: every block)
//   RANKME_FAULT_EXIT_FILE=PREFIX  every rank writes its exit code to PREFIX.<rank> as it returns, so that a
//                                  test can check that all ranks agreed on it.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "rankme/app/program.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/blas_kernel_guard.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_session.hpp"

namespace {

struct FaultSpec {
  std::string stage, kind, dataset, ready;
  int rank = -1;
  bool all_ranks = false;
  long long block = -1;
};

FaultSpec the_fault;

// Launched by mpiexec the rank is in the environment before MPI_Init (and 0 without mpiexec): OpenMPI's
// mpiexec, PMIx (srun --mpi=pmix), MPICH's hydra and srun --mpi=pmi2.
int world_rank_from_environment() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  return 0;
}

FaultSpec parse_fault(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) throw std::invalid_argument("RANKME_FAULT: '" + item + "' is not key=value");
    fields[item.substr(0, equals)] = item.substr(equals + 1);
  }
  FaultSpec spec;
  spec.stage = fields["stage"];
  spec.kind = fields.count("kind") ? fields["kind"] : "error";
  spec.dataset = fields["dataset"];
  spec.ready = fields["ready"];
  spec.all_ranks = fields.count("rank") && fields.at("rank") == "all";
  spec.rank = fields.count("rank") && !spec.all_ranks ? std::stoi(fields["rank"]) : 0;
  spec.block = fields.count("block") ? std::stoll(fields["block"]) : -1;
  if (spec.kind != "error" && spec.kind != "kill" && spec.kind != "stall") {
    throw std::invalid_argument("RANKME_FAULT: kind must be error, kill or stall");
  }
  if (spec.kind == "stall" && spec.ready.empty()) throw std::invalid_argument("RANKME_FAULT: stall needs ready=FILE");
  return spec;
}

void stall_until_released(const std::string& ready) {
  { std::ofstream(ready) << ::getpid() << '\n'; }
  const auto started = std::chrono::steady_clock::now();
  while (::access(ready.c_str(), F_OK) == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void hook(rankme::FaultStage stage, const std::string& dataset, std::uint64_t block) {
  if (the_fault.stage != rankme::name_of(stage)) return;
  if (!the_fault.dataset.empty() && the_fault.dataset != dataset) return;
  const bool has_blocks = stage == rankme::FaultStage::read || stage == rankme::FaultStage::gram;
  if (has_blocks && the_fault.block >= 0 && static_cast<std::uint64_t>(the_fault.block) != block) return;
  if (the_fault.kind == "kill") ::kill(::getpid(), SIGKILL);
  if (the_fault.kind == "stall") {
    stall_until_released(the_fault.ready);
    return;
  }
  throw std::runtime_error(std::string("injected fault at stage ") + the_fault.stage + " on rank " +
                           (the_fault.all_ranks ? std::to_string(world_rank_from_environment()) : std::to_string(the_fault.rank)));
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* text = std::getenv("RANKME_FAULT")) {
    the_fault = parse_fault(text);
    if (the_fault.all_ranks || the_fault.rank == world_rank_from_environment()) rankme::install_fault_hook(hook);
  }
  // As rankme's run_program does, with the hook in place for the guard's probe (stage blas_check).
  const rankme::GuardedKernel blas = rankme::guard_blas_kernel(argv);
  // The exit code is recorded before MPI_Finalize: once the first rank has exited non-zero, mpiexec ends
  // the others, maybe before they return from main.
  const rankme::MpiSession mpi(argc, argv);
  const int code = rankme::run_program_in_mpi_session(argc, argv, blas);
  if (const char* prefix = std::getenv("RANKME_FAULT_EXIT_FILE")) {
    std::ofstream(std::string(prefix) + "." + std::to_string(world_rank_from_environment())) << code << '\n';
    rankme::Communicator::world().barrier();  // every rank has written its code before any can exit
  }
  return code;
}
