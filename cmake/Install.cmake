# cmake --install: the libraries and public headers, actorflow-node and the CLI, a CMake package
# (find_package(actorflow CONFIG): cmake/actorflowConfig.cmake.in) and a pkg-config file
# (actorflow.pc). The dashboard needs no files: its assets are compiled into the node.
include(CMakePackageConfigHelpers)

set(ACTORFLOW_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/actorflow)

set_target_properties(actorflow_version PROPERTIES EXPORT_NAME version)
set_target_properties(actorflow_duration PROPERTIES EXPORT_NAME duration)
set_target_properties(actorflow_core PROPERTIES EXPORT_NAME core)
set_target_properties(actorflow_proto PROPERTIES EXPORT_NAME proto)
set_target_properties(actorflow_actors PROPERTIES EXPORT_NAME actors)
set_target_properties(actorflow_testing PROPERTIES EXPORT_NAME testing)
set_target_properties(actorflow_plugin_api PROPERTIES EXPORT_NAME plugin_api)

# BUILD_SHARED_LIBS: actorflow::actors and actorflow::testing are the shared libraries
# (cmake/SharedLibraries.cmake), which hold everything the engine needs of its own. Else the
# static archives, with actorflow_proto: private to the engine, installed because a static engine
# needs it to link.
if(BUILD_SHARED_LIBS)
  set_target_properties(actorflow_actors_shared PROPERTIES EXPORT_NAME actors)
  set_target_properties(actorflow_testing_shared PROPERTIES EXPORT_NAME testing)
  set(ACTORFLOW_INSTALLED_LIBRARIES actorflow_actors_shared actorflow_testing_shared)
  set(ACTORFLOW_SHARED TRUE)
  set(ACTORFLOW_PC_LIBS "-L\${libdir} -lactorflow_actors")
else()
  set(ACTORFLOW_INSTALLED_LIBRARIES actorflow_version actorflow_duration actorflow_core actorflow_proto actorflow_actors
                                    actorflow_testing)
  set(ACTORFLOW_SHARED FALSE)
  set(ACTORFLOW_PC_LIBS "-L\${libdir} -lactorflow_actors -lactorflow_proto -lactorflow_core -lactorflow_version -lactorflow_duration -lcaf_openssl -lcaf_io -lcaf_core -lyaml-cpp -lsqlite3 -lprotobuf -lhiredis -lssl -lcrypto -pthread")
endif()
install(TARGETS ${ACTORFLOW_INSTALLED_LIBRARIES} actorflow_plugin_api
        EXPORT actorflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/libactors/include/actorflow ${ACTORFLOW_GENERATED_INCLUDE_DIR}/actorflow
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
install(TARGETS actorflow-node actorflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

install(EXPORT actorflowTargets NAMESPACE actorflow:: DESTINATION ${ACTORFLOW_INSTALL_CMAKEDIR}
        COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/actorflowConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/actorflowConfig.cmake
                              INSTALL_DESTINATION ${ACTORFLOW_INSTALL_CMAKEDIR})
# 0.x: a new minor version may break what the one before offered.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/actorflowConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/actorflowConfig.cmake ${PROJECT_BINARY_DIR}/actorflowConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/ActorflowCAF.cmake
        DESTINATION ${ACTORFLOW_INSTALL_CMAKEDIR} COMPONENT development)

# The .pc file finds the prefix from its own place, so that any --prefix works.
file(RELATIVE_PATH ACTORFLOW_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/actorflow.pc.in ${PROJECT_BINARY_DIR}/actorflow.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/actorflow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT development)

# `cmake --install --strip` (and the Debian package) drop the static libraries' debug info too;
# strip -g keeps every symbol a link needs. CMake itself strips only the programs.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP AND NOT ${ACTORFLOW_SHARED})
    foreach(library actorflow_version actorflow_duration actorflow_core actorflow_proto actorflow_actors actorflow_testing)
      execute_process(COMMAND \"${CMAKE_STRIP}\" -g
                      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/lib\${library}.a\"
                      COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
  endif()" COMPONENT development)
