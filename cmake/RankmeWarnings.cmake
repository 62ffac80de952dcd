# Warnings live in an INTERFACE target so that only rankme's own sources get them.
add_library(rankme_warnings INTERFACE)
target_compile_options(rankme_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
option(RANKME_WARNINGS_AS_ERRORS "Treat warnings as errors" OFF)
if(RANKME_WARNINGS_AS_ERRORS)
  target_compile_options(rankme_warnings INTERFACE -Werror)
endif()
add_library(rankme::warnings ALIAS rankme_warnings)
