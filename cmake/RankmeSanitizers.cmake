# RANKME_SANITIZE=ON (the asan preset) builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# Directory-wide on purpose, unlike the warnings: every object of the tool and the tests (test support, the
# MPI gtest main) must be instrumented, and every executable must link the ASan runtime first.
# -fno-sanitize-recover makes undefined behaviour fatal, so it fails the test instead of printing a line.
option(RANKME_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer (GCC or Clang)" OFF)
if(RANKME_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "RANKME_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  set(RANKME_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${RANKME_SANITIZER_FLAGS})
  add_link_options(${RANKME_SANITIZER_FLAGS})
endif()
