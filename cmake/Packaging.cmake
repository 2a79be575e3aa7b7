# The Debian package: `cpack -G DEB` in the build directory writes k8sjobs_<version>_<arch>.deb.
# Depends is computed by dpkg-shlibdeps from the shared libraries the commands link.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME k8sjobs)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "k8sjobs maintainers <k8sjobs@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Grid Engine's jsub, qstat, qdel and friends over Kubernetes")
set(CPACK_PACKAGE_DESCRIPTION
  "Drop-in Grid Engine commands (jsub, jstart, qcronsub, qsub, qstat, qdel, qhold, qrls, job,\n"
  "jstop, qacct) that run jobs as Kubernetes Jobs and Deployments, with the same options, output, exit codes\n"
  "and files as on the grid, plus jlocal for cron lines that stay on the cron host and\n"
  "k8sjobs-migrate to check and convert crontabs. Without a\n"
  "site configuration the commands run jobs on the local machine.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# bash-completion and man-db are what make the completion and the man pages work.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, man-db")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# The build has only the main component; test binaries have no install rules.
set(CPACK_DEB_COMPONENT_INSTALL OFF)
include(CPack)

# Debian's place for the licence: /usr/share/doc/k8sjobs/copyright, written from LICENSE.
set(K8SJOBS_COPYRIGHT ${CMAKE_BINARY_DIR}/copyright)
add_custom_command(OUTPUT ${K8SJOBS_COPYRIGHT}
  COMMAND ${CMAKE_COMMAND} -DLICENSE=${CMAKE_SOURCE_DIR}/LICENSE -DOUTPUT=${K8SJOBS_COPYRIGHT}
    -P ${CMAKE_SOURCE_DIR}/cmake/copyright.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/LICENSE ${CMAKE_SOURCE_DIR}/cmake/copyright.cmake
  COMMENT "Writing the package's copyright file from LICENSE")
add_custom_target(copyright_file ALL DEPENDS ${K8SJOBS_COPYRIGHT})
install(FILES ${K8SJOBS_COPYRIGHT} DESTINATION share/doc/k8sjobs)
