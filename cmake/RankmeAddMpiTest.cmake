# rankme_unit_and_mpi_tests: every unit and MPI test executable and nothing else (not the tool, the binary
# tests or the benchmark tools), so that the asan preset builds only what its tests run.
if(NOT TARGET rankme_unit_and_mpi_tests)
  add_custom_target(rankme_unit_and_mpi_tests)
endif()
# rankme_mpi_tests: only the executables of the tests labelled mpi (rankme_add_mpi_test and
# test_mpi_session), for the CI pass against the second MPI stack (scripts/run_tests.sh), whose unit tests
# would repeat the first stack's.
if(NOT TARGET rankme_mpi_tests)
  add_custom_target(rankme_mpi_tests)
endif()

# One precompiled header of what nearly every test includes (GoogleTest and nlohmann-json, with the
# standard headers they pull in), built once per build and reused by every test target: parsing those two
# was about half of a small test's compile time (1.9 s of 4.1 s), times a hundred test files, twice in
# the suite (release and asan). A test whose flags differ from this target's still compiles: GCC then
# reads the headers themselves.
if(NOT TARGET rankme_test_precompiled_headers)
  add_library(rankme_test_precompiled_headers OBJECT ${PROJECT_SOURCE_DIR}/tests/support/precompiled_headers.cpp)
  target_link_libraries(rankme_test_precompiled_headers PRIVATE GTest::gtest rankme::json rankme::warnings)
  target_precompile_headers(rankme_test_precompiled_headers PRIVATE <gtest/gtest.h> <nlohmann/json.hpp>)
endif()

# Sanitised tests run two to three times slower: their limits too (the watchdogs scale likewise).
macro(rankme_sanitized_timeout variable)
  if(RANKME_SANITIZE)
    math(EXPR ${variable} "${${variable}} * 3")
  endif()
endmacro()

# rankme_add_mpi_test(NAME SOURCES src... RANKS n...)
# Builds one gtest executable with the shared MPI main and registers it once per rank count, run through
# mpiexec (gtest_discover_tests cannot be used: every rank would list the tests). Each registration has a
# TIMEOUT, so a hang fails the test instead of the suite, and PROCESSORS, so CTest -j does not overload.
function(rankme_add_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;RANKS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  rankme_sanitized_timeout(ARG_TIMEOUT)
  add_executable(${name} ${ARG_SOURCES})
  target_precompile_headers(${name} REUSE_FROM rankme_test_precompiled_headers)
  target_link_libraries(${name} PRIVATE rankme_test_support rankme_mpi_gtest_main rankme::warnings)
  add_dependencies(rankme_unit_and_mpi_tests ${name})
  add_dependencies(rankme_mpi_tests ${name})
  foreach(ranks IN LISTS ARG_RANKS)
    add_test(NAME ${name}.ranks${ranks}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${RANKME_MPIEXEC_FLAGS}
                     $<TARGET_FILE:${name}>)
    set(timeout ${ARG_TIMEOUT})
    if(RANKME_MPI_OVERSUBSCRIBED_TIMEOUT_SCALE AND ranks GREATER RANKME_TEST_HOST_CORES)
      math(EXPR timeout "${timeout} * ${RANKME_MPI_OVERSUBSCRIBED_TIMEOUT_SCALE}")  # tests/CMakeLists.txt
    endif()
    set_tests_properties(${name}.ranks${ranks} PROPERTIES
      TIMEOUT ${timeout} PROCESSORS ${ranks} LABELS "mpi;${ARG_LABELS}"
      ENVIRONMENT "${RANKME_MPI_TEST_ENVIRONMENT}")
  endforeach()
endfunction()

# rankme_add_unit_test(NAME SOURCES src... [LINKS library...]): one process, no mpiexec. LINKS names what
# the test may link instead of the whole product and its support (the numerics tests link only
# rankme::numerics, so that MPI and HDF5 are not on their link line).
function(rankme_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LABELS;LINKS" ${ARGN})
  if(NOT ARG_LINKS)
    set(ARG_LINKS rankme_test_support)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_precompile_headers(${name} REUSE_FROM rankme_test_precompiled_headers)
  target_link_libraries(${name} PRIVATE ${ARG_LINKS} GTest::gtest_main rankme::warnings)
  if(NOT "cli" IN_LIST ARG_LABELS)  # binary tests need the tool; the asan preset runs neither
    add_dependencies(rankme_unit_and_mpi_tests ${name})
  endif()
  add_test(NAME ${name} COMMAND $<TARGET_FILE:${name}>)
  set(timeout 120)
  rankme_sanitized_timeout(timeout)
  set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout} LABELS "unit;${ARG_LABELS}")
endfunction()

# rankme_add_binary_test(NAME SOURCES src... TIMEOUT seconds): a one-process gtest that launches the
# rankme binary itself (through mpiexec, RANKME_BINARY and RANKME_MPIEXEC are its paths), label cli. It
# runs 2-4 ranks at a time, hence PROCESSORS 2.
function(rankme_add_binary_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES" ${ARGN})
  rankme_add_unit_test(${name} SOURCES ${ARG_SOURCES} LABELS cli)
  target_compile_definitions(${name} PRIVATE
    RANKME_BINARY="$<TARGET_FILE:rankme>" RANKME_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(${name} rankme)
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT} PROCESSORS 2 ENVIRONMENT "${RANKME_MPI_TEST_ENVIRONMENT}")
endfunction()
