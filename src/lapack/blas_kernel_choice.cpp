#include "rankme/lapack/blas_kernel_choice.hpp"

#include <strings.h>

namespace rankme {

namespace {

struct NamedKernel {
  const char* name;
  KernelClass kernel_class;
};

// Every x86-64 kernel name of OpenBLAS (driver/others/dynamic.c, corename[]), by the class of the CPUs it was
// written for. Excavator runs Piledriver's AVX kernels, but on CPUs with AVX2: the library's choice for them.
constexpr NamedKernel known_kernels[] = {
    {"Katmai", KernelClass::sse},         {"Coppermine", KernelClass::sse},   {"Northwood", KernelClass::sse},
    {"Prescott", KernelClass::sse},       {"Banias", KernelClass::sse},       {"Atom", KernelClass::sse},
    {"Core2", KernelClass::sse},          {"Penryn", KernelClass::sse},       {"Dunnington", KernelClass::sse},
    {"Nehalem", KernelClass::sse},        {"Athlon", KernelClass::sse},       {"Opteron", KernelClass::sse},
    {"Opteron_SSE3", KernelClass::sse},   {"Barcelona", KernelClass::sse},    {"Nano", KernelClass::sse},
    {"Bobcat", KernelClass::sse},         {"Sandybridge", KernelClass::avx},  {"Bulldozer", KernelClass::avx},
    {"Piledriver", KernelClass::avx},     {"Steamroller", KernelClass::avx},  {"Excavator", KernelClass::avx2},
    {"Haswell", KernelClass::avx2},       {"Zen", KernelClass::avx2},         {"SkylakeX", KernelClass::avx512},
    {"Cooperlake", KernelClass::avx512},  {"SapphireRapids", KernelClass::avx512},
};

bool same_name(const std::string& a, const std::string& b) { return ::strcasecmp(a.c_str(), b.c_str()) == 0; }

bool avx_allowed(const CpuFeatures& cpu) {
  return cpu.known && cpu.sse3 && cpu.ssse3 && cpu.sse4_1 && cpu.sse4_2 && cpu.avx && cpu.os_saves_ymm;
}
bool avx2_allowed(const CpuFeatures& cpu) { return avx_allowed(cpu) && cpu.avx2 && cpu.fma; }
bool avx512_allowed(const CpuFeatures& cpu) {
  return avx2_allowed(cpu) && cpu.avx512f && cpu.avx512cd && cpu.avx512bw && cpu.avx512dq && cpu.avx512vl &&
         cpu.os_saves_zmm;
}
bool cooperlake_allowed(const CpuFeatures& cpu) { return avx512_allowed(cpu) && cpu.avx512_vnni && cpu.avx512_bf16; }

bool is_set_to(const std::optional<std::string>& value, std::initializer_list<const char*> words) {
  if (!value) return false;
  for (const char* word : words) {
    if (same_name(*value, word)) return true;
  }
  return false;
}

}  // namespace

const char* to_string(KernelClass kernel_class) {
  switch (kernel_class) {
    case KernelClass::sse: return "SSE";
    case KernelClass::avx: return "AVX";
    case KernelClass::avx2: return "AVX2";
    case KernelClass::avx512: return "AVX-512";
  }
  return "?";
}

std::optional<KernelClass> kernel_class_of(const std::string& kernel) {
  for (const NamedKernel& known : known_kernels) {
    if (same_name(kernel, known.name)) return known.kernel_class;
  }
  return std::nullopt;
}

std::optional<KernelClass> best_kernel_class(const CpuFeatures& cpu) {
  if (!cpu.known) return std::nullopt;
  if (avx512_allowed(cpu)) return KernelClass::avx512;
  if (avx2_allowed(cpu)) return KernelClass::avx2;
  if (avx_allowed(cpu)) return KernelClass::avx;
  return KernelClass::sse;
}

std::vector<std::string> kernels_allowed_by(const CpuFeatures& cpu) {
  std::vector<std::string> kernels;
  if (cooperlake_allowed(cpu)) kernels.emplace_back("Cooperlake");
  if (avx512_allowed(cpu)) kernels.emplace_back("SkylakeX");
  if (avx2_allowed(cpu)) kernels.emplace_back("Haswell");
  if (avx_allowed(cpu)) kernels.emplace_back("Sandybridge");
  return kernels;
}

KernelChoice choose_blas_kernel(const KernelChoiceInputs& inputs) {
  KernelChoice choice;
  const std::string& kernel = inputs.library_kernel;
  // rankme's own re-execution: the marker names the kernel that OPENBLAS_CORETYPE still asks for. A marker
  // that does not match (a wrapper changed the variable since) is not rankme's choice any more.
  if (inputs.guard_chose && inputs.openblas_coretype && *inputs.guard_chose == *inputs.openblas_coretype) {
    choice.chosen_by = KernelChooser::rankme;
    choice.library_kernel = inputs.guard_library_kernel.value_or("");
    choice.reason = "rankme chose " + *inputs.guard_chose + " as it started" +
                    (choice.library_kernel.empty() ? std::string() : " (the library picked " + choice.library_kernel + ")");
    return choice;
  }
  const bool simulated = inputs.openblas_coretype && is_set_to(inputs.simulate_detected, {"1"});
  if (inputs.openblas_coretype && !simulated) choice.chosen_by = KernelChooser::user;

  if (is_set_to(inputs.guard_switch, {"0", "off"})) {
    choice.reason = "the BLAS kernel guard is off (" + std::string(guard_switch_variable) + "=" + *inputs.guard_switch + ")";
    return choice;
  }
  if (inputs.guard_switch && !inputs.guard_switch->empty() && !is_set_to(inputs.guard_switch, {"1", "on"})) {
    choice.warnings.push_back("ignoring " + std::string(guard_switch_variable) + "='" + *inputs.guard_switch +
                              "': use 0 to turn the BLAS kernel guard off");
  }
  if (choice.chosen_by == KernelChooser::user) {
    choice.reason = "OPENBLAS_CORETYPE=" + *inputs.openblas_coretype + " is the user's choice, which rankme never overrides";
    return choice;
  }
  if (!inputs.cpu.known) {
    choice.reason = "the CPU's features are unknown (not x86-64)";
    return choice;
  }
  if (!inputs.dynamic_arch) {
    choice.reason = "the library is built for one CPU (no DYNAMIC_ARCH): it has no other kernel to run";
    return choice;
  }
  const std::optional<KernelClass> running = kernel_class_of(kernel);
  if (!running) {
    choice.reason = "the library's kernel '" + kernel + "' is not one rankme knows how to rank";
    return choice;
  }
  const KernelClass best = *best_kernel_class(inputs.cpu);
  if (*running >= best) {
    choice.reason = kernel + " is a kernel of the " + to_string(*running) + " class, the best this CPU's features allow";
    return choice;
  }
  for (const std::string& allowed : kernels_allowed_by(inputs.cpu)) {
    if (*kernel_class_of(allowed) > *running) choice.candidates.push_back(allowed);
  }
  choice.reason = "the library picked " + kernel + " (" + to_string(*running) + " class) on a CPU whose features allow " +
                  to_string(best) + " kernels (" + describe_cpu_features(inputs.cpu) + ")";
  return choice;
}

}  // namespace rankme
