#include "rankme/lapack/blas_library.hpp"

#include <cblas.h>

#include <sstream>
#include <vector>

namespace rankme {

BlasLibrary parse_openblas_config(const std::string& config, const std::string& corename) {
  std::istringstream words(config);
  std::vector<std::string> tokens;
  for (std::string word; words >> word;) tokens.push_back(word);
  BlasLibrary library;
  library.kernel = corename;
  if (tokens.empty()) return library;
  library.name = tokens[0];
  if (tokens[0] == "OpenBLAS" && tokens.size() > 1) library.version = tokens[1];
  for (const std::string& token : tokens) library.dynamic_arch = library.dynamic_arch || token == "DYNAMIC_ARCH";
  return library;
}

BlasLibrary loaded_blas_library() {
  const char* config = openblas_get_config();
  const char* corename = openblas_get_corename();
  return parse_openblas_config(config ? config : "", corename ? corename : "");
}

}  // namespace rankme
