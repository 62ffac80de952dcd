// The BLAS kernel guard's decision table, as a pure function of (CPU features, the library's kernel, the
// environment): when it keeps the kernel, which kernels it tries and in what order, who chose.
#include "rankme/lapack/blas_kernel_choice.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace rankme {
namespace {

using Kernels = std::vector<std::string>;

// Feature sets of real CPUs (from their CPUID), each with everything below it.
CpuFeatures sse4_2_cpu() {  // Nehalem, Silvermont: no AVX
  CpuFeatures cpu;
  cpu.known = true;
  cpu.sse3 = cpu.ssse3 = cpu.sse4_1 = cpu.sse4_2 = true;
  return cpu;
}
CpuFeatures avx_cpu() {  // Sandy Bridge, Ivy Bridge
  CpuFeatures cpu = sse4_2_cpu();
  cpu.avx = cpu.os_saves_ymm = true;
  return cpu;
}
CpuFeatures avx2_cpu() {  // Haswell ... Alder Lake, Zen 1-3
  CpuFeatures cpu = avx_cpu();
  cpu.avx2 = cpu.fma = true;
  return cpu;
}
CpuFeatures avx512_cpu() {  // Skylake-SP, Cascade Lake, Ice Lake
  CpuFeatures cpu = avx2_cpu();
  cpu.avx512f = cpu.avx512cd = cpu.avx512bw = cpu.avx512dq = cpu.avx512vl = true;
  cpu.os_saves_zmm = true;
  return cpu;
}
CpuFeatures bf16_cpu() {  // Cooper Lake, Sapphire and Emerald Rapids, Zen 4
  CpuFeatures cpu = avx512_cpu();
  cpu.avx512_vnni = cpu.avx512_bf16 = true;
  return cpu;
}

KernelChoice choose(const CpuFeatures& cpu, const std::string& library_kernel,
                    const std::vector<std::pair<std::string, std::string>>& environment = {}) {
  KernelChoiceInputs inputs;
  inputs.cpu = cpu;
  inputs.library_kernel = library_kernel;
  for (const auto& [name, value] : environment) {
    if (name == "OPENBLAS_CORETYPE") inputs.openblas_coretype = value;
    if (name == guard_switch_variable) inputs.guard_switch = value;
    if (name == guard_chose_variable) inputs.guard_chose = value;
    if (name == guard_library_kernel_variable) inputs.guard_library_kernel = value;
    if (name == guard_simulate_variable) inputs.simulate_detected = value;
  }
  return choose_blas_kernel(inputs);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(BlasKernelChoice, EmeraldRapidsOnPrescottTriesTheAvx512KernelsFirst) {
  // The machine: Debian's OpenBLAS 0.3.21 runs its generic SSE3 kernel on family 6 model 207.
  const KernelChoice choice = choose(bf16_cpu(), "Prescott");
  EXPECT_EQ(choice.candidates, (Kernels{"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"}));
  EXPECT_EQ(choice.chosen_by, KernelChooser::library);
  EXPECT_TRUE(contains(choice.reason, "picked Prescott (SSE class)")) << choice.reason;
  EXPECT_TRUE(contains(choice.reason, "allow AVX-512 kernels")) << choice.reason;
  EXPECT_TRUE(choice.warnings.empty());
}

TEST(BlasKernelChoice, TheTable) {
  struct Row {
    const char* cpu_name;
    CpuFeatures cpu;
    const char* library_kernel;
    Kernels candidates;
  };
  CpuFeatures no_zmm = bf16_cpu();  // AVX-512 silicon, but the OS (or a hypervisor) does not save ZMM state
  no_zmm.os_saves_zmm = false;
  CpuFeatures no_ymm = avx2_cpu();  // AVX silicon under an OS without XSAVE
  no_ymm.os_saves_ymm = no_ymm.os_saves_zmm = false;
  CpuFeatures knights_landing = avx2_cpu();  // AVX-512F and CD only: not the SkylakeX set
  knights_landing.avx512f = knights_landing.avx512cd = knights_landing.os_saves_zmm = true;
  CpuFeatures avx2_without_fma = avx_cpu();
  avx2_without_fma.avx2 = true;
  CpuFeatures bf16_without_vnni = avx512_cpu();
  bf16_without_vnni.avx512_bf16 = true;
  const Row rows[] = {
      {"bf16", bf16_cpu(), "Cooperlake", {}},
      {"bf16", bf16_cpu(), "SkylakeX", {}},  // the same double and single kernels as Cooperlake
      {"bf16", bf16_cpu(), "SapphireRapids", {}},
      {"bf16", bf16_cpu(), "Haswell", {"Cooperlake", "SkylakeX"}},
      {"bf16", bf16_cpu(), "Zen", {"Cooperlake", "SkylakeX"}},
      {"bf16", bf16_cpu(), "Sandybridge", {"Cooperlake", "SkylakeX", "Haswell"}},
      {"bf16", bf16_cpu(), "Nehalem", {"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"}},
      {"bf16", bf16_cpu(), "prescott", {"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"}},  // case ignored
      {"bf16 without vnni", bf16_without_vnni, "Prescott", {"SkylakeX", "Haswell", "Sandybridge"}},
      {"avx512", avx512_cpu(), "Prescott", {"SkylakeX", "Haswell", "Sandybridge"}},
      {"avx512", avx512_cpu(), "SkylakeX", {}},
      {"avx512, no ZMM state", no_zmm, "Prescott", {"Haswell", "Sandybridge"}},
      {"avx512, no ZMM state", no_zmm, "Haswell", {}},
      {"knights landing", knights_landing, "Haswell", {}},
      {"knights landing", knights_landing, "Prescott", {"Haswell", "Sandybridge"}},
      {"avx2", avx2_cpu(), "Prescott", {"Haswell", "Sandybridge"}},
      {"avx2", avx2_cpu(), "Sandybridge", {"Haswell"}},
      {"avx2", avx2_cpu(), "Haswell", {}},
      {"avx2", avx2_cpu(), "Zen", {}},        // AMD's tuning of the same class: the library's choice stands
      {"avx2", avx2_cpu(), "Excavator", {}},
      {"avx2 without fma", avx2_without_fma, "Prescott", {"Sandybridge"}},
      {"avx2, no YMM state", no_ymm, "Prescott", {}},
      {"avx", avx_cpu(), "Nehalem", {"Sandybridge"}},
      {"avx", avx_cpu(), "Bulldozer", {}},
      {"sse4.2", sse4_2_cpu(), "Prescott", {}},  // the SSE kernels are the floor: never tried
      {"sse4.2", sse4_2_cpu(), "Atom", {}},
      {"bf16", bf16_cpu(), "Unknown", {}},       // a name rankme cannot rank
      {"bf16", bf16_cpu(), "Zen5", {}},
  };
  for (const Row& row : rows) {
    const KernelChoice choice = choose(row.cpu, row.library_kernel);
    EXPECT_EQ(choice.candidates, row.candidates) << row.cpu_name << " CPU, library kernel " << row.library_kernel
                                                 << ": " << choice.reason;
    EXPECT_EQ(choice.chosen_by, KernelChooser::library);
    EXPECT_FALSE(choice.reason.empty());
  }
}

TEST(BlasKernelChoice, CandidatesAreAboveTheLibrarysClassBestFirstAndNeverSse) {
  const char* every_kernel[] = {"Katmai",  "Coppermine", "Northwood",   "Prescott",   "Banias",    "Atom",
                                "Core2",   "Penryn",     "Dunnington",  "Nehalem",    "Athlon",    "Opteron",
                                "Opteron_SSE3", "Barcelona", "Nano",    "Sandybridge", "Bobcat",   "Bulldozer",
                                "Piledriver", "Haswell", "Steamroller", "Excavator",  "Zen",       "SkylakeX",
                                "Cooperlake", "SapphireRapids"};
  for (const CpuFeatures& cpu : {sse4_2_cpu(), avx_cpu(), avx2_cpu(), avx512_cpu(), bf16_cpu()}) {
    const KernelClass best = *best_kernel_class(cpu);
    for (const char* kernel : every_kernel) {
      const std::optional<KernelClass> running = kernel_class_of(kernel);
      ASSERT_TRUE(running.has_value()) << kernel << " is an OpenBLAS x86-64 kernel";
      const KernelChoice choice = choose(cpu, kernel);
      EXPECT_EQ(choice.candidates.empty(), *running >= best) << kernel << " under " << to_string(best);
      for (std::size_t i = 0; i < choice.candidates.size(); ++i) {
        const KernelClass candidate = *kernel_class_of(choice.candidates[i]);
        EXPECT_GT(candidate, *running);
        EXPECT_LE(candidate, best);
        EXPECT_NE(candidate, KernelClass::sse);
        if (i > 0) {
          EXPECT_LE(candidate, *kernel_class_of(choice.candidates[i - 1])) << "best first";
        }
      }
    }
  }
}

TEST(BlasKernelChoice, KernelClassesAndWhatTheFeaturesAllow) {
  EXPECT_EQ(kernel_class_of("Prescott"), KernelClass::sse);
  EXPECT_EQ(kernel_class_of("sandybridge"), KernelClass::avx);
  EXPECT_EQ(kernel_class_of("HASWELL"), KernelClass::avx2);
  EXPECT_EQ(kernel_class_of("Cooperlake"), KernelClass::avx512);
  EXPECT_FALSE(kernel_class_of("").has_value());
  EXPECT_FALSE(kernel_class_of("Unknown").has_value());
  EXPECT_FALSE(best_kernel_class(CpuFeatures{}).has_value());
  EXPECT_EQ(best_kernel_class(sse4_2_cpu()), KernelClass::sse);
  EXPECT_EQ(best_kernel_class(bf16_cpu()), KernelClass::avx512);
  EXPECT_EQ(kernels_allowed_by(bf16_cpu()), (Kernels{"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"}));
  EXPECT_EQ(kernels_allowed_by(avx_cpu()), (Kernels{"Sandybridge"}));
  EXPECT_TRUE(kernels_allowed_by(sse4_2_cpu()).empty());
  EXPECT_TRUE(kernels_allowed_by(CpuFeatures{}).empty());
  EXPECT_STREQ(to_string(KernelClass::avx512), "AVX-512");
}

TEST(BlasKernelChoice, AUsersOpenblasCoretypeIsNeverOverridden) {
  for (const char* value : {"Prescott", "Haswell", "", "nonsense"}) {
    const KernelChoice choice = choose(bf16_cpu(), "Prescott", {{"OPENBLAS_CORETYPE", value}});
    EXPECT_TRUE(choice.candidates.empty()) << "OPENBLAS_CORETYPE='" << value << "'";
    EXPECT_EQ(choice.chosen_by, KernelChooser::user);
    EXPECT_TRUE(contains(choice.reason, "never overrides")) << choice.reason;
  }
  // Also with the guard off: the user still chose.
  EXPECT_EQ(choose(bf16_cpu(), "Haswell", {{"OPENBLAS_CORETYPE", "Haswell"}, {guard_switch_variable, "0"}}).chosen_by,
            KernelChooser::user);
  // The simulate switch only when it says 1.
  EXPECT_EQ(choose(bf16_cpu(), "Prescott", {{"OPENBLAS_CORETYPE", "Prescott"}, {guard_simulate_variable, "0"}}).chosen_by,
            KernelChooser::user);
}

TEST(BlasKernelChoice, TheGuardSwitch) {
  for (const char* off : {"0", "off", "OFF"}) {
    const KernelChoice choice = choose(bf16_cpu(), "Prescott", {{guard_switch_variable, off}});
    EXPECT_TRUE(choice.candidates.empty()) << off;
    EXPECT_EQ(choice.chosen_by, KernelChooser::library);
    EXPECT_TRUE(contains(choice.reason, "guard is off")) << choice.reason;
    EXPECT_TRUE(choice.warnings.empty());
  }
  for (const char* on : {"1", "on", ""}) {
    const KernelChoice choice = choose(bf16_cpu(), "Prescott", {{guard_switch_variable, on}});
    EXPECT_EQ(choice.candidates.size(), 4u) << on;
    EXPECT_TRUE(choice.warnings.empty()) << on;
  }
  const KernelChoice unclear = choose(bf16_cpu(), "Prescott", {{guard_switch_variable, "no thanks"}});
  EXPECT_EQ(unclear.candidates.size(), 4u) << "an unclear value leaves the guard on";
  ASSERT_EQ(unclear.warnings.size(), 1u);
  EXPECT_TRUE(contains(unclear.warnings[0], "RANKME_BLAS_GUARD='no thanks'")) << unclear.warnings[0];
}

TEST(BlasKernelChoice, TheSimulateSwitchTreatsOpenblasCoretypeAsTheLibrarysDetection) {
  const KernelChoice choice =
      choose(bf16_cpu(), "Prescott", {{"OPENBLAS_CORETYPE", "Prescott"}, {guard_simulate_variable, "1"}});
  EXPECT_EQ(choice.candidates, (Kernels{"Cooperlake", "SkylakeX", "Haswell", "Sandybridge"}));
  EXPECT_EQ(choice.chosen_by, KernelChooser::library);
  // Off still means off.
  const KernelChoice off = choose(bf16_cpu(), "Prescott",
                                  {{"OPENBLAS_CORETYPE", "Prescott"}, {guard_simulate_variable, "1"}, {guard_switch_variable, "0"}});
  EXPECT_TRUE(off.candidates.empty());
  EXPECT_EQ(off.chosen_by, KernelChooser::library);
}

TEST(BlasKernelChoice, RankmesOwnReexecutionKeepsItsChoiceAndNeverLoops) {
  const std::vector<std::pair<std::string, std::string>> reexecuted = {{"OPENBLAS_CORETYPE", "Cooperlake"},
                                                                       {guard_chose_variable, "Cooperlake"},
                                                                       {guard_library_kernel_variable, "Prescott"},
                                                                       {guard_simulate_variable, "1"}};
  // Whatever the library runs now, no candidates: the marker stops a second re-execution.
  for (const char* running : {"Cooperlake", "Prescott"}) {
    const KernelChoice choice = choose(bf16_cpu(), running, reexecuted);
    EXPECT_TRUE(choice.candidates.empty());
    EXPECT_EQ(choice.chosen_by, KernelChooser::rankme);
    EXPECT_EQ(choice.library_kernel, "Prescott");
  }
  // A marker that no longer matches OPENBLAS_CORETYPE (a wrapper changed it since) is not rankme's choice.
  const KernelChoice changed = choose(bf16_cpu(), "Haswell",
                                      {{"OPENBLAS_CORETYPE", "Haswell"}, {guard_chose_variable, "Cooperlake"}});
  EXPECT_EQ(changed.chosen_by, KernelChooser::user);
  EXPECT_TRUE(changed.library_kernel.empty());
}

TEST(BlasKernelChoice, KeepsWhenItCannotJudge) {
  const KernelChoice unknown_cpu = choose(CpuFeatures{}, "Prescott");
  EXPECT_TRUE(unknown_cpu.candidates.empty());
  EXPECT_TRUE(contains(unknown_cpu.reason, "not x86-64")) << unknown_cpu.reason;

  KernelChoiceInputs one_cpu_build;
  one_cpu_build.cpu = bf16_cpu();
  one_cpu_build.library_kernel = "Prescott";
  one_cpu_build.dynamic_arch = false;
  const KernelChoice fixed = choose_blas_kernel(one_cpu_build);
  EXPECT_TRUE(fixed.candidates.empty());
  EXPECT_TRUE(contains(fixed.reason, "DYNAMIC_ARCH")) << fixed.reason;

  const KernelChoice unknown_kernel = choose(bf16_cpu(), "Zen5");
  EXPECT_TRUE(unknown_kernel.candidates.empty());
  EXPECT_TRUE(contains(unknown_kernel.reason, "'Zen5'")) << unknown_kernel.reason;
}

}  // namespace
}  // namespace rankme
