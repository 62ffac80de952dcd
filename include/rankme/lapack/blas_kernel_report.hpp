#pragma once
// Which BLAS kernel a run used and who chose it: what --verbose prints and the results' `blas` key holds
// (sweep/dataset_result_json.hpp), so that every timing can be read beside the kernel that made it.

#include <optional>
#include <string>

namespace rankme {

// Who chose the kernel the process runs.
enum class KernelChooser {
  library,  // OpenBLAS, from its own CPU table
  user,     // OPENBLAS_CORETYPE, set by whoever launched rankme
  rankme,   // the kernel guard (parallel/blas_kernel_guard.hpp), which re-executed rankme
};

// "library", "user", "rankme".
const char* to_string(KernelChooser chooser);
// The inverse; nothing for any other text.
std::optional<KernelChooser> kernel_chooser_from_name(const std::string& name);

struct BlasKernelReport {
  std::string library;         // "OpenBLAS"
  std::string version;         // "0.3.21"
  std::string kernel;          // the kernel this process runs (openblas_get_corename)
  KernelChooser chosen_by = KernelChooser::library;
  std::string library_kernel;  // when rankme chose: the kernel the library had picked by itself; else empty

  bool operator==(const BlasKernelReport& other) const {
    return library == other.library && version == other.version && kernel == other.kernel &&
           chosen_by == other.chosen_by && library_kernel == other.library_kernel;
  }
  bool operator!=(const BlasKernelReport& other) const { return !(*this == other); }
};

// "OpenBLAS 0.3.21, kernel Cooperlake (chosen by rankme; the library picked Prescott)".
std::string describe_blas_kernel(const BlasKernelReport& report);

}  // namespace rankme
