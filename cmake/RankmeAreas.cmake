# The code is cut into areas: a folder in include/rankme/, src/ and tests/ each, and one library,
# rankme_<area> (alias rankme::<area>). An area may use only the areas it DEPENDS on (and theirs) and the
# external libraries it names (and theirs): the layering is the link graph, so an area's library cannot
# see the headers of a library it does not link (MPI and HDF5 live outside the default include path), and
# tests/test_include_layering checks every #include in the tree against the same graph, which this file
# writes to ${RANKME_AREA_GRAPH_FILE}.
#
# Sources are the folder's *.cpp: the folder is the unit of layering, so no hand-kept list can put a file
# into another area than the one its folder says.
set(RANKME_AREA_GRAPH_FILE ${CMAKE_BINARY_DIR}/generated/rankme_area_graph.txt)
set_property(GLOBAL PROPERTY RANKME_AREAS "")

# rankme_add_area(NAME [DEPENDS area...] [EXTERNAL rankme::dependency...])
function(rankme_add_area area)
  cmake_parse_arguments(ARG "" "" "DEPENDS;EXTERNAL" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${area}/*.cpp)
  set(target rankme_${area})
  if(sources)
    add_library(${target} STATIC ${sources})
    set(scope PUBLIC)
    target_link_libraries(${target} PRIVATE rankme::warnings)
  else()
    add_library(${target} INTERFACE)  # headers only (for now)
    set(scope INTERFACE)
  endif()
  add_library(rankme::${area} ALIAS ${target})
  target_include_directories(${target} ${scope} ${PROJECT_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/generated)
  set(links)
  foreach(dependency IN LISTS ARG_DEPENDS)
    list(APPEND links rankme_${dependency})
  endforeach()
  target_link_libraries(${target} ${scope} ${links} ${ARG_EXTERNAL})
  # One line of the graph: area|direct areas|direct externals (without the rankme:: prefix).
  list(TRANSFORM ARG_EXTERNAL REPLACE "^rankme::" "")
  list(JOIN ARG_DEPENDS " " depends)
  list(JOIN ARG_EXTERNAL " " externals)
  set_property(GLOBAL APPEND PROPERTY RANKME_AREAS ${area})
  set_property(GLOBAL APPEND_STRING PROPERTY RANKME_AREA_GRAPH "${area}|${depends}|${externals}\n")
endfunction()

# Writes the graph once every area is declared.
function(rankme_write_area_graph)
  get_property(graph GLOBAL PROPERTY RANKME_AREA_GRAPH)
  file(WRITE ${RANKME_AREA_GRAPH_FILE} "${graph}")
endfunction()
