// The CPU features read through CPUID and XGETBV, against an independent reader: the flags the Linux kernel
// lists in /proc/cpuinfo (which it clears for register state the OS does not enable).
#include "rankme/lapack/cpu_features.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace rankme {
namespace {

// The first "flags" line of /proc/cpuinfo, as a set; empty when there is none.
std::set<std::string> cpuinfo_flags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string word; words >> word;) flags.insert(word);
    return flags;
  }
  return {};
}

TEST(CpuFeatures, AgreeWithTheKernelsCpuinfoFlags) {
  const CpuFeatures cpu = read_cpu_features();
#if !defined(__x86_64__)
  EXPECT_FALSE(cpu.known);
  EXPECT_EQ(describe_cpu_features(cpu), "unknown (not x86-64)");
  GTEST_SKIP() << "not x86-64: the guard reads no features";
#endif
  const std::set<std::string> flags = cpuinfo_flags();
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  const auto listed = [&](const char* flag) { return flags.count(flag) == 1; };
  ASSERT_TRUE(cpu.known);
  EXPECT_EQ(cpu.sse3, listed("pni"));  // the kernel's name for SSE3 ("Prescott New Instructions")
  EXPECT_EQ(cpu.ssse3, listed("ssse3"));
  EXPECT_EQ(cpu.sse4_1, listed("sse4_1"));
  EXPECT_EQ(cpu.sse4_2, listed("sse4_2"));
  // Linux lists the AVX features only when it saves their registers; CPUID reports the silicon.
  EXPECT_EQ(cpu.avx && cpu.os_saves_ymm, listed("avx"));
  EXPECT_EQ(cpu.avx2 && cpu.os_saves_ymm, listed("avx2"));
  EXPECT_EQ(cpu.fma && cpu.os_saves_ymm, listed("fma"));
  const bool zmm = cpu.os_saves_zmm;
  EXPECT_EQ(cpu.avx512f && zmm, listed("avx512f"));
  EXPECT_EQ(cpu.avx512cd && zmm, listed("avx512cd"));
  EXPECT_EQ(cpu.avx512bw && zmm, listed("avx512bw"));
  EXPECT_EQ(cpu.avx512dq && zmm, listed("avx512dq"));
  EXPECT_EQ(cpu.avx512vl && zmm, listed("avx512vl"));
  EXPECT_EQ(cpu.avx512_vnni && zmm, listed("avx512_vnni"));
  EXPECT_EQ(cpu.avx512_bf16 && zmm, listed("avx512_bf16"));
  // ZMM state is saved only together with YMM state.
  if (cpu.os_saves_zmm) {
    EXPECT_TRUE(cpu.os_saves_ymm);
  }
}

TEST(CpuFeatures, DescriptionNamesWhatIsSet) {
  CpuFeatures cpu;
  EXPECT_EQ(describe_cpu_features(cpu), "unknown (not x86-64)");
  cpu.known = true;
  EXPECT_EQ(describe_cpu_features(cpu), "none");
  cpu.sse3 = cpu.avx512_bf16 = cpu.os_saves_zmm = true;
  EXPECT_EQ(describe_cpu_features(cpu), "sse3 avx512_bf16 os:zmm");
}

}  // namespace
}  // namespace rankme
