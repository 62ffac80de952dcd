#pragma once
// The BLAS kernel guard's decision, as a pure function of (CPU features, the library's kernel, the
// environment): keep the kernel the process runs, or try better ones, best first. The guard itself (probe,
// numerical check, re-execution) is parallel/blas_kernel_guard.hpp; docs/performance.md tells the story.
//
// Why: a DYNAMIC_ARCH OpenBLAS picks its kernel from a table of CPU models, and a model it does not know
// gets its generic SSE3 kernel. Debian 12's OpenBLAS 0.3.21 runs `Prescott` on Emerald Rapids (family 6,
// model 207), 2.3 to 4.5 times slower than its AVX-512 kernels on the same CPU (issue 13).
//
// Kernels are ranked by class: the widest vector instructions of the CPUs they were written for. Within a
// class the library's choice stands: the double and single precision GEMM/SYRK kernels of SkylakeX,
// Cooperlake and SapphireRapids are the same code (KERNEL.COOPERLAKE includes KERNEL.SKYLAKEX and adds
// bfloat16 routines only), and Zen against Haswell, Bulldozer against Sandybridge, Atom or Barcelona against
// Nehalem are tunings for a vendor's cores that a feature list cannot rank.

#include <optional>
#include <string>
#include <vector>

#include "rankme/lapack/blas_kernel_report.hpp"
#include "rankme/lapack/cpu_features.hpp"

namespace rankme {

enum class KernelClass { sse = 0, avx = 1, avx2 = 2, avx512 = 3 };

// "SSE", "AVX", "AVX2", "AVX-512".
const char* to_string(KernelClass kernel_class);

// The class of an x86-64 OpenBLAS kernel name, as openblas_get_corename() spells it (case ignored): SSE
// for Katmai ... Nehalem, Atom, Barcelona, Nano, Bobcat, Opteron(_SSE3); AVX for Sandybridge, Bulldozer,
// Piledriver, Steamroller; AVX2 for Haswell, Zen, Excavator; AVX-512 for SkylakeX, Cooperlake,
// SapphireRapids. Nothing for a name rankme does not know ("Unknown", a newer library's new kernel).
std::optional<KernelClass> kernel_class_of(const std::string& kernel);

// The best class this CPU's features allow (the OS must save the registers too): AVX-512 needs
// avx512f/cd/bw/dq/vl and ZMM state, AVX2 needs avx2 and fma, AVX needs avx and YMM state, each with every
// feature of the classes below. Nothing when the features are unknown.
std::optional<KernelClass> best_kernel_class(const CpuFeatures& cpu);

// The kernels rankme may ask for through OPENBLAS_CORETYPE that this CPU's features allow, best first:
// Cooperlake (AVX-512 + avx512_vnni + avx512_bf16, what -march=cooperlake may use), SkylakeX, Haswell,
// Sandybridge. Never an SSE kernel (the floor every x86-64 library runs anyway), and never SapphireRapids:
// OpenBLAS up to 0.3.28 does not accept that name in OPENBLAS_CORETYPE, and its double and single kernels are
// Cooperlake's. (0.3.21 does not accept "Cooperlake" either, but a name it does not know makes it choose by
// features, which gives Cooperlake on a CPU with avx512_bf16: the probe confirms it by the name it reports.)
std::vector<std::string> kernels_allowed_by(const CpuFeatures& cpu);

// Environment variables of the guard.
inline constexpr const char* guard_switch_variable = "RANKME_BLAS_GUARD";  // "0" or "off": no guard
// Set by rankme on the process it re-executes: the kernel it chose (equal to OPENBLAS_CORETYPE there) and the
// library's own pick. Together they stop a second re-execution and tell the report who chose.
inline constexpr const char* guard_chose_variable = "RANKME_BLAS_GUARD_CHOSE";
inline constexpr const char* guard_library_kernel_variable = "RANKME_BLAS_GUARD_LIBRARY_CORE";
// Test switch: "1" treats the OPENBLAS_CORETYPE in the environment as the library's own detection, so that a
// test can run the guard against a truly generic kernel (OPENBLAS_CORETYPE=Prescott) on a CPU the library
// knows. Documented in docs/performance.md.
inline constexpr const char* guard_simulate_variable = "RANKME_BLAS_GUARD_SIMULATE_DETECTED";

// Everything the decision depends on, gathered by the guard (or written by a test).
struct KernelChoiceInputs {
  CpuFeatures cpu;
  std::string library_kernel;      // openblas_get_corename() of this process
  bool dynamic_arch = true;        // the library reads OPENBLAS_CORETYPE (BlasLibrary::dynamic_arch)
  // The environment as found (unset: nothing).
  std::optional<std::string> openblas_coretype;      // OPENBLAS_CORETYPE
  std::optional<std::string> guard_switch;           // RANKME_BLAS_GUARD
  std::optional<std::string> guard_chose;            // RANKME_BLAS_GUARD_CHOSE
  std::optional<std::string> guard_library_kernel;   // RANKME_BLAS_GUARD_LIBRARY_CORE
  std::optional<std::string> simulate_detected;      // RANKME_BLAS_GUARD_SIMULATE_DETECTED
};

struct KernelChoice {
  // Empty: keep the kernel this process runs. Otherwise the kernels to try, best first; the guard probes
  // them (is the kernel there, does it compute right) and re-executes rankme with the first it finds.
  std::vector<std::string> candidates;
  KernelChooser chosen_by = KernelChooser::library;  // who chose the kernel this process runs
  std::string library_kernel;  // chosen_by rankme: the library's own pick (from RANKME_BLAS_GUARD_LIBRARY_CORE)
  std::string reason;          // one sentence: why keep, or why try
  std::vector<std::string> warnings;  // bare sentences (a value that was ignored)
};

// In order: rankme's own re-execution (RANKME_BLAS_GUARD_CHOSE equal to OPENBLAS_CORETYPE) keeps what it
// chose; RANKME_BLAS_GUARD=0/off keeps; a user's OPENBLAS_CORETYPE (any value, even empty) keeps, unless
// the simulate switch is "1"; then unknown features (not x86-64), a library built without DYNAMIC_ARCH, or a
// kernel name rankme does not know keep; a kernel whose class is the best the features allow keeps. Only a
// kernel of a lower class than the features allow gives candidates: the allowed kernels above its class.
KernelChoice choose_blas_kernel(const KernelChoiceInputs& inputs);

}  // namespace rankme
