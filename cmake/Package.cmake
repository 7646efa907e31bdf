# cpack -G DEB (scripts/package-deb.sh): actorflow_<version>_amd64.deb with the node, the CLI, the
# libraries, headers, CMake and pkg-config files, and the actorflow-node systemd service: it runs
# as user actorflow with /etc/actorflow/node.yaml and /var/lib/actorflow, which postinst makes
# (node.yaml from the copy in share/actorflow, unless the admin's exists). Every destination is
# relative to the prefix, so `cmake --install --prefix P` installs the same files under P.
set(ACTORFLOW_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)
install(FILES ${ACTORFLOW_DEB_DIR}/actorflow-node.service DESTINATION lib/systemd/system COMPONENT service)
install(FILES ${ACTORFLOW_DEB_DIR}/node.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/actorflow COMPONENT service)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(CPACK_PACKAGE_NAME actorflow)
set(CPACK_PACKAGE_VENDOR Actorflow)
set(CPACK_PACKAGE_CONTACT "Actorflow maintainers <actorflow@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Durable workflow engine on the actor model (CAF 0.17): node, CLI, C++ library")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # programs and libraries without debug info (Install.cmake)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # actorflow_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Run time: what the node and the CLI link, found by dpkg-shlibdeps. Building on the library
# (headers, static libraries, CMake files) needs the -dev packages too: recommended.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libcaf-dev, libcaf-openssl0.17, libspdlog-dev, nlohmann-json3-dev, libyaml-cpp-dev, libsqlite3-dev, libprotobuf-dev, libhiredis-dev, libssl-dev, pkg-config")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${ACTORFLOW_DEB_DIR}/postinst ${ACTORFLOW_DEB_DIR}/prerm ${ACTORFLOW_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
