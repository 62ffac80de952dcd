#include "rankme/lapack/cpu_features.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define RANKME_HAVE_CPUID 1
#endif

#include <cstdint>
#include <utility>

namespace rankme {

namespace {

constexpr bool bit(unsigned int reg, int index) { return ((reg >> index) & 1U) != 0; }

#ifdef RANKME_HAVE_CPUID
// XGETBV with ECX = 0 (XCR0). Written as the instruction rather than _xgetbv(), which needs the translation
// unit compiled with -mxsave; callers make sure CPUID.1:ECX.OSXSAVE is set first (it faults otherwise).
std::uint64_t extended_control_register_0() {
  std::uint32_t low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<std::uint64_t>(high) << 32) | low;
}
#endif

}  // namespace

CpuFeatures read_cpu_features() {
  CpuFeatures features;
#ifdef RANKME_HAVE_CPUID
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  const unsigned int max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1 || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return features;
  features.known = true;
  features.sse3 = bit(ecx, 0);
  features.ssse3 = bit(ecx, 9);
  features.fma = bit(ecx, 12);
  features.sse4_1 = bit(ecx, 19);
  features.sse4_2 = bit(ecx, 20);
  const bool osxsave = bit(ecx, 27);
  features.avx = bit(ecx, 28);
  if (osxsave) {
    const std::uint64_t xcr0 = extended_control_register_0();
    features.os_saves_ymm = (xcr0 & 0x6) == 0x6;
    features.os_saves_zmm = (xcr0 & 0xe6) == 0xe6;
  }
  if (max_leaf >= 7 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    const unsigned int max_subleaf = eax;
    features.avx2 = bit(ebx, 5);
    features.avx512f = bit(ebx, 16);
    features.avx512dq = bit(ebx, 17);
    features.avx512cd = bit(ebx, 28);
    features.avx512bw = bit(ebx, 30);
    features.avx512vl = bit(ebx, 31);
    features.avx512_vnni = bit(ecx, 11);
    if (max_subleaf >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) features.avx512_bf16 = bit(eax, 5);
  }
#endif
  return features;
}

std::string describe_cpu_features(const CpuFeatures& features) {
  if (!features.known) return "unknown (not x86-64)";
  const std::pair<bool, const char*> named[] = {
      {features.sse3, "sse3"},         {features.ssse3, "ssse3"},           {features.sse4_1, "sse4.1"},
      {features.sse4_2, "sse4.2"},     {features.avx, "avx"},               {features.avx2, "avx2"},
      {features.fma, "fma"},           {features.avx512f, "avx512f"},       {features.avx512cd, "avx512cd"},
      {features.avx512bw, "avx512bw"}, {features.avx512dq, "avx512dq"},     {features.avx512vl, "avx512vl"},
      {features.avx512_vnni, "avx512_vnni"}, {features.avx512_bf16, "avx512_bf16"},
      {features.os_saves_ymm, "os:ymm"}, {features.os_saves_zmm, "os:zmm"}};
  std::string text;
  for (const auto& [present, name] : named) {
    if (!present) continue;
    if (!text.empty()) text += ' ';
    text += name;
  }
  return text.empty() ? "none" : text;
}

}  // namespace rankme
