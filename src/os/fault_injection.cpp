#include "rankme/os/fault_injection.hpp"

#include <atomic>

namespace rankme {

namespace {

std::atomic<FaultHook> installed_hook{nullptr};
// Written by the main thread between datasets, read by the reader's worker thread while it runs: the
// worker is started after the write and joined before the next one.
std::string current_dataset;

}  // namespace

const char* name_of(FaultStage stage) {
  switch (stage) {
    case FaultStage::open: return "open";
    case FaultStage::read: return "read";
    case FaultStage::gram: return "gram";
    case FaultStage::reduce: return "reduce";
    case FaultStage::eigensolve: return "eigensolve";
    case FaultStage::write: return "write";
    case FaultStage::blas_check: return "blas_check";
  }
  return "unknown";
}

void install_fault_hook(FaultHook hook) { installed_hook.store(hook); }

void set_fault_dataset(const std::string& dataset) {
  if (installed_hook.load() != nullptr) current_dataset = dataset;
}

void fault_point(FaultStage stage, std::uint64_t block) {
  if (const FaultHook hook = installed_hook.load()) hook(stage, current_dataset, block);
}

void fault_point_for_dataset(FaultStage stage, const std::string& dataset) {
  if (const FaultHook hook = installed_hook.load()) hook(stage, dataset, 0);
}

}  // namespace rankme
