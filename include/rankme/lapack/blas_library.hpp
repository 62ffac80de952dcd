#pragma once
// The BLAS library loaded into this process (OpenBLAS): its version, whether it can switch kernels, and
// the kernel it runs. OpenBLAS picks its kernel once, as it loads: from OPENBLAS_CORETYPE when that is set,
// else from its own CPU table (driver/others/dynamic.c in a DYNAMIC_ARCH build).

#include <string>

namespace rankme {

struct BlasLibrary {
  std::string name;           // "OpenBLAS"
  std::string version;        // "0.3.21"; empty when the configuration does not say
  bool dynamic_arch = false;  // built with DYNAMIC_ARCH: it holds kernels for many CPUs and OPENBLAS_CORETYPE
                              // selects one at start-up; a build for one CPU ignores that variable
  std::string kernel;         // openblas_get_corename(): "Cooperlake", "Haswell", "Prescott", ...
};

// From openblas_get_config()'s text ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake
// MAX_THREADS=64") and openblas_get_corename(). A text that does not start with "OpenBLAS" gives its first
// word as the name and no version.
BlasLibrary parse_openblas_config(const std::string& config, const std::string& corename);

// The library this process runs.
BlasLibrary loaded_blas_library();

}  // namespace rankme
