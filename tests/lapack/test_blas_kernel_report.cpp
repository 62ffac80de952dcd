// Who chose the BLAS kernel, in words and back.
#include "rankme/lapack/blas_kernel_report.hpp"

#include <gtest/gtest.h>

namespace rankme {
namespace {

TEST(BlasKernelReport, ChooserNamesRoundTrip) {
  for (const KernelChooser chooser : {KernelChooser::library, KernelChooser::user, KernelChooser::rankme}) {
    EXPECT_EQ(kernel_chooser_from_name(to_string(chooser)), chooser);
  }
  EXPECT_STREQ(to_string(KernelChooser::user), "user");
  EXPECT_FALSE(kernel_chooser_from_name("Library").has_value());
  EXPECT_FALSE(kernel_chooser_from_name("").has_value());
}

TEST(BlasKernelReport, DescriptionSaysWhoChoseAndWhatTheLibraryPicked) {
  BlasKernelReport report{"OpenBLAS", "0.3.21", "Cooperlake", KernelChooser::library, ""};
  EXPECT_EQ(describe_blas_kernel(report), "OpenBLAS 0.3.21, kernel Cooperlake (chosen by the library)");
  report.chosen_by = KernelChooser::user;
  EXPECT_EQ(describe_blas_kernel(report), "OpenBLAS 0.3.21, kernel Cooperlake (chosen by OPENBLAS_CORETYPE)");
  report.chosen_by = KernelChooser::rankme;
  report.library_kernel = "Prescott";
  EXPECT_EQ(describe_blas_kernel(report), "OpenBLAS 0.3.21, kernel Cooperlake (chosen by rankme; the library picked Prescott)");
  BlasKernelReport other = report;
  EXPECT_EQ(other, report);
  other.library_kernel = "Core2";
  EXPECT_NE(other, report);
}

}  // namespace
}  // namespace rankme
