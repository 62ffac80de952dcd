# `cmake --install build --prefix PREFIX` (docs/install.md):
#   PREFIX/bin/                 rankme, rankme-merge, rankme-agree, rankme-example; rankme-report and
#                               rankme-plot-spectra, links to the scripts below
#   PREFIX/share/rankme/        report (+ rankme_report/), plot_spectra.py, run_example.sh, install_dependencies.sh
#                               and check_dependencies.sh (--check),
#                               slurm/ (the SLURM templates)
#   PREFIX/share/man/man1/      rankme.1, rankme-merge.1, rankme-agree.1 (help2man, from --help)
#   PREFIX/share/doc/rankme/    README.md and docs/
# The installed tree needs no source checkout: the scripts find their Python package and the binaries relative
# to themselves (share/rankme -> ../../bin), in the source tree and installed alike.
include(GNUInstallDirs)

set(rankme_user_tools rankme rankme-merge rankme-agree rankme-example)
install(TARGETS ${rankme_user_tools} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# RPATH. The build tree's RUNPATH (which CMake removes on install) is never kept. The installed binaries get a
# RUNPATH only for dependencies outside the operating system's directories: a prefix such as /opt/deps or a
# Spack tree (CMAKE_PREFIX_PATH builds, docs/install.md), which the dynamic loader would not search. Libraries
# under /usr and /lib are found as any packaged program finds them (Debian puts every soname rankme needs in
# the multiarch directory), so the .deb's binaries carry no RUNPATH. -DCMAKE_INSTALL_RPATH=... overrides.
if(NOT DEFINED CMAKE_INSTALL_RPATH)
  set(rankme_linked_libraries ${MPI_C_LIBRARIES} ${HDF5_C_LIBRARIES} ${RANKME_OPENBLAS_LIBRARY}
      ${RANKME_LAPACK_LIBRARY} ${RANKME_SCALAPACK_LIBRARY} ${RANKME_LIBDEFLATE_LIBRARY} ${ZLIB_LIBRARIES})
  set(rankme_install_rpath)
  foreach(library IN LISTS rankme_linked_libraries)
    if(IS_ABSOLUTE "${library}" AND library MATCHES "\\.so(\\.|$)")
      get_filename_component(directory "${library}" DIRECTORY)
      if(NOT directory MATCHES "^/(usr/|lib)" AND NOT directory IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES)
        list(APPEND rankme_install_rpath "${directory}")
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES rankme_install_rpath)
  set_target_properties(${rankme_user_tools} PROPERTIES INSTALL_RPATH "${rankme_install_rpath}")
  if(rankme_install_rpath)
    message(STATUS "rankme: installed binaries get RUNPATH ${rankme_install_rpath} (dependencies outside /usr)")
  endif()
endif()

# The user scripts, beside their Python package, and links to the two Python tools in bin/ (the scripts resolve
# their own path through the link, so they find rankme_report/ in share/rankme).
set(rankme_share_dir ${CMAKE_INSTALL_DATADIR}/rankme)
install(PROGRAMS scripts/report scripts/plot_spectra.py scripts/run_example.sh scripts/install_dependencies.sh
                 scripts/check_dependencies.sh
        DESTINATION ${rankme_share_dir})
install(DIRECTORY scripts/rankme_report DESTINATION ${rankme_share_dir}
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(PROGRAMS scripts/slurm/score_sweep.sbatch scripts/slurm/score_sweep_array.sbatch scripts/slurm/merge_shards.sh
        DESTINATION ${rankme_share_dir}/slurm)
set(rankme_links_dir ${CMAKE_BINARY_DIR}/install-links)
file(MAKE_DIRECTORY ${rankme_links_dir})
file(RELATIVE_PATH rankme_bin_to_share /${CMAKE_INSTALL_BINDIR} /${rankme_share_dir})
file(CREATE_LINK ${rankme_bin_to_share}/report ${rankme_links_dir}/rankme-report SYMBOLIC)
file(CREATE_LINK ${rankme_bin_to_share}/plot_spectra.py ${rankme_links_dir}/rankme-plot-spectra SYMBOLIC)
install(PROGRAMS ${rankme_links_dir}/rankme-report ${rankme_links_dir}/rankme-plot-spectra
        DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages from --help, by help2man (Debian: help2man) when the build runs. Without it the build goes on and
# installs no man page; the configure output says so.
option(RANKME_MAN_PAGES "Generate man pages from --help with help2man" ON)
find_program(RANKME_HELP2MAN help2man)
if(RANKME_MAN_PAGES AND NOT RANKME_HELP2MAN)
  message(STATUS "rankme: help2man not found, so no man pages are built or installed "
                 "(Debian: apt-get install help2man; or configure with -DRANKME_MAN_PAGES=OFF to silence this)")
elseif(RANKME_MAN_PAGES)
  set(rankme_man_dir ${CMAKE_BINARY_DIR}/man)
  set(rankme_man_pages)
  # NAME lines (help2man takes the rest from --help; --version-string spares it running --version).
  set(rankme_man_name_rankme "score embeddings by their effective rank (RankMe), across MPI ranks")
  set(rankme_man_name_rankme-merge "merge rankme results files into one result per dataset")
  set(rankme_man_name_rankme-agree "does RankMe agree with the probes' accuracies")
  foreach(tool rankme rankme-merge rankme-agree)
    add_custom_command(OUTPUT ${rankme_man_dir}/${tool}.1
      COMMAND ${CMAKE_COMMAND} -E make_directory ${rankme_man_dir}
      COMMAND ${RANKME_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
              "--name=${rankme_man_name_${tool}}" --output=${rankme_man_dir}/${tool}.1 $<TARGET_FILE:${tool}>
      DEPENDS ${tool}
      COMMENT "help2man: ${tool}.1"
      VERBATIM)
    list(APPEND rankme_man_pages ${rankme_man_dir}/${tool}.1)
  endforeach()
  add_custom_target(rankme-man-pages ALL DEPENDS ${rankme_man_pages})
  install(FILES ${rankme_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# Documentation: README.md and docs/ (Markdown, its figures, the benchmark files, the example report), side by
# side as in the source tree so that the README's links into docs/ still resolve.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
