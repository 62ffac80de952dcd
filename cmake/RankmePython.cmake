# The Python module (docs/python.md): `import rankme`, an extension `rankme._rankme` built with pybind11 over
# rankme_core, and the package's pure-Python half (src/python/rankme/). Built into build/python/rankme/, so that
# PYTHONPATH=build/python imports it from the build tree; installed into the interpreter's site directory.
#
# RANKME_PYTHON is ON when pybind11 (Debian: pybind11-dev) and Python's headers (python3-dev) are found, and
# says why when it is not; -DRANKME_PYTHON=ON makes their absence an error.

# Debian's own interpreter, which Debian's pybind11 and numpy are for, unless told otherwise
# (-DPython3_EXECUTABLE=...): a pyenv or conda python3 earlier in PATH would otherwise be found first.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
set(rankme_python_missing "")
if(NOT Python3_Development.Module_FOUND)
  set(rankme_python_missing "Python's headers (python3-dev)")
else()
  find_package(pybind11 CONFIG QUIET)
  if(NOT pybind11_FOUND)
    set(rankme_python_missing "pybind11 (pybind11-dev)")
  endif()
endif()

if(DEFINED RANKME_PYTHON AND RANKME_PYTHON AND rankme_python_missing)
  message(FATAL_ERROR "RANKME_PYTHON=ON needs ${rankme_python_missing}: scripts/install_dependencies.sh installs it")
endif()
if(rankme_python_missing)
  option(RANKME_PYTHON "Build the Python module rankme (pybind11)" OFF)
  message(STATUS "rankme: the Python module is off: ${rankme_python_missing} not found")
  return()
endif()
option(RANKME_PYTHON "Build the Python module rankme (pybind11)" ON)
if(NOT RANKME_PYTHON)
  message(STATUS "rankme: the Python module is off (RANKME_PYTHON=OFF)")
  return()
endif()

# Where `cmake --install` puts the package, relative to the prefix (or absolute). Debian's python3 reads
# PREFIX/lib/python3.X/dist-packages for both /usr and /usr/local; other Pythons read site-packages.
if(Python3_SITEARCH MATCHES "dist-packages")
  set(rankme_python_site "dist-packages")
else()
  set(rankme_python_site "site-packages")
endif()
set(RANKME_PYTHON_INSTALL_DIR "lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/${rankme_python_site}"
    CACHE STRING "Where cmake --install puts the Python package rankme (relative to the prefix, or absolute)")

# The extension is a shared object that links the areas' static libraries: they are compiled as
# position-independent code (Debian's gcc makes executables PIE by default, so the tools' code barely changes).
get_property(rankme_python_areas GLOBAL PROPERTY RANKME_AREAS)
foreach(area IN LISTS rankme_python_areas)
  get_target_property(type rankme_${area} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    set_target_properties(rankme_${area} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endforeach()

set(RANKME_PYTHON_PACKAGE_DIR ${CMAKE_BINARY_DIR}/python/rankme)
pybind11_add_module(rankme_python MODULE src/python/rankme_module.cpp)
set_target_properties(rankme_python PROPERTIES OUTPUT_NAME _rankme LIBRARY_OUTPUT_DIRECTORY ${RANKME_PYTHON_PACKAGE_DIR})
target_link_libraries(rankme_python PRIVATE rankme_core rankme::warnings)
# The package's Python files beside the extension, copied at build time so that an edit is picked up.
add_custom_command(TARGET rankme_python POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${CMAKE_CURRENT_SOURCE_DIR}/src/python/rankme/__init__.py
          ${RANKME_PYTHON_PACKAGE_DIR}/__init__.py)
install(TARGETS rankme_python LIBRARY DESTINATION ${RANKME_PYTHON_INSTALL_DIR}/rankme COMPONENT python)
install(FILES src/python/rankme/__init__.py DESTINATION ${RANKME_PYTHON_INSTALL_DIR}/rankme COMPONENT python)
message(STATUS "rankme: the Python module is on (${Python3_EXECUTABLE}, installs into ${RANKME_PYTHON_INSTALL_DIR})")
