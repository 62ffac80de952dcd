#pragma once
// The x86-64 instruction-set extensions this CPU has and this OS lets a program use, read from CPUID and
// XGETBV: what the BLAS kernel guard (blas_kernel_choice.hpp) judges the library's kernel against.
//
// Why both: CPUID says what the silicon can do, XCR0 (XGETBV) says which register state the OS saves on a
// context switch. AVX needs the OS to save the YMM halves, AVX-512 the opmask and ZMM state; a kernel that
// uses registers the OS does not save crashes with SIGILL (hypervisors and old kernels can mask them).
// Judged by features, never by vendor or model numbers: a model table is what goes stale (Debian's
// OpenBLAS 0.3.21 does not know Emerald Rapids, family 6 model 207, and runs its generic SSE3 kernel).

#include <string>

namespace rankme {

struct CpuFeatures {
  bool known = false;  // read from CPUID (x86-64); false elsewhere, where every feature stays false
  // CPUID leaf 1, ECX.
  bool sse3 = false, ssse3 = false, sse4_1 = false, sse4_2 = false, avx = false, fma = false;
  // CPUID leaf 7 sub-leaf 0, EBX (avx2, avx512*) and ECX (avx512_vnni); sub-leaf 1, EAX (avx512_bf16).
  bool avx2 = false;
  bool avx512f = false, avx512cd = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512_vnni = false, avx512_bf16 = false;
  // XCR0 through XGETBV (only when CPUID says OSXSAVE): the OS saves XMM and YMM state (bits 1-2), and also
  // opmask, ZMM_Hi256 and Hi16_ZMM (bits 5-7).
  bool os_saves_ymm = false;
  bool os_saves_zmm = false;
};

// This CPU, as a program sees it. On other architectures: CpuFeatures{} (known false).
CpuFeatures read_cpu_features();

// "sse3 ssse3 ... avx512_bf16 os:ymm os:zmm": the features that are set, for messages and --verbose.
std::string describe_cpu_features(const CpuFeatures& features);

}  // namespace rankme
