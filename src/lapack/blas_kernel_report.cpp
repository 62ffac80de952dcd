#include "rankme/lapack/blas_kernel_report.hpp"

namespace rankme {

const char* to_string(KernelChooser chooser) {
  switch (chooser) {
    case KernelChooser::library: return "library";
    case KernelChooser::user: return "user";
    case KernelChooser::rankme: return "rankme";
  }
  return "?";
}

std::optional<KernelChooser> kernel_chooser_from_name(const std::string& name) {
  for (const KernelChooser chooser : {KernelChooser::library, KernelChooser::user, KernelChooser::rankme}) {
    if (name == to_string(chooser)) return chooser;
  }
  return std::nullopt;
}

std::string describe_blas_kernel(const BlasKernelReport& report) {
  std::string text = report.library.empty() ? std::string("BLAS") : report.library;
  if (!report.version.empty()) text += " " + report.version;
  text += ", kernel " + (report.kernel.empty() ? std::string("unknown") : report.kernel);
  switch (report.chosen_by) {
    case KernelChooser::library: text += " (chosen by the library)"; break;
    case KernelChooser::user: text += " (chosen by OPENBLAS_CORETYPE)"; break;
    case KernelChooser::rankme:
      text += " (chosen by rankme; the library picked " +
              (report.library_kernel.empty() ? std::string("another") : report.library_kernel) + ")";
      break;
  }
  return text;
}

}  // namespace rankme
