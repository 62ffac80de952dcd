// The loaded BLAS library: its configuration text parsed, and this process's library read against the
// header the build compiled with.
#include "rankme/lapack/blas_library.hpp"

#include <cblas.h>  // and through it openblas_config.h, with OPENBLAS_VERSION
#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace rankme {
namespace {

TEST(BlasLibrary, ParsesOpenBlasConfigurationText) {
  const BlasLibrary library =
      parse_openblas_config("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64", "Cooperlake");
  EXPECT_EQ(library.name, "OpenBLAS");
  EXPECT_EQ(library.version, "0.3.21");
  EXPECT_TRUE(library.dynamic_arch);
  EXPECT_EQ(library.kernel, "Cooperlake");

  const BlasLibrary one_cpu = parse_openblas_config("OpenBLAS 0.3.26 NO_AFFINITY HASWELL MAX_THREADS=8", "Haswell");
  EXPECT_EQ(one_cpu.version, "0.3.26");
  EXPECT_FALSE(one_cpu.dynamic_arch) << "no DYNAMIC_ARCH: OPENBLAS_CORETYPE does nothing";

  const BlasLibrary other = parse_openblas_config("SomeBLAS DYNAMIC_ARCH", "x");
  EXPECT_EQ(other.name, "SomeBLAS");
  EXPECT_EQ(other.version, "") << "only OpenBLAS's second word is its version";

  EXPECT_EQ(parse_openblas_config("", "").name, "");
}

TEST(BlasLibrary, TheLoadedLibraryIsTheOneCompiledAgainst) {
  const BlasLibrary library = loaded_blas_library();
  EXPECT_EQ(library.name, "OpenBLAS");
  std::istringstream header_version(OPENBLAS_VERSION);  // " OpenBLAS 0.3.21 "
  std::string name, version;
  header_version >> name >> version;
  EXPECT_EQ(library.version, version);
  EXPECT_EQ(library.kernel, openblas_get_corename());
  EXPECT_FALSE(library.kernel.empty());
}

}  // namespace
}  // namespace rankme
