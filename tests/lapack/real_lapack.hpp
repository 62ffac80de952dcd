#pragma once
// LAPACK's own definition of a routine, for the spies that stand in for it in a test executable: the
// executable's definition wins every lookup by name (and, with --as-needed, the library may not even be
// loaded), so the routine is looked up in the library rankme links, RANKME_LAPACK_LIBRARY, opened here.
#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace rankme::testing {

template <typename Routine>
Routine real_lapack_routine(const char* symbol) {
  static void* const library = dlopen(RANKME_LAPACK_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) throw std::runtime_error(std::string("dlopen ") + RANKME_LAPACK_LIBRARY + ": " + dlerror());
  void* const found = dlsym(library, symbol);
  if (found == nullptr) throw std::runtime_error(std::string("dlsym ") + symbol + ": " + dlerror());
  return reinterpret_cast<Routine>(found);
}

}  // namespace rankme::testing
