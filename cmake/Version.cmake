# actorflow/version.hpp (public, installed with the headers) and version_build.hpp (private: the
# git revision and build type, read at configure time), both generated into the build tree.
set(ACTORFLOW_GIT_REVISION unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE git_result ERROR_QUIET)
  if(git_result EQUAL 0 AND revision)
    set(ACTORFLOW_GIT_REVISION ${revision})
  endif()
endif()
set(ACTORFLOW_BUILD_TYPE unknown)
if(CMAKE_BUILD_TYPE)
  set(ACTORFLOW_BUILD_TYPE ${CMAKE_BUILD_TYPE})
endif()

set(ACTORFLOW_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/generated/include)
set(ACTORFLOW_GENERATED_PRIVATE_DIR ${PROJECT_BINARY_DIR}/generated/private)
configure_file(${CMAKE_CURRENT_LIST_DIR}/version.hpp.in
               ${ACTORFLOW_GENERATED_INCLUDE_DIR}/actorflow/version.hpp @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/version_build.hpp.in
               ${ACTORFLOW_GENERATED_PRIVATE_DIR}/version_build.hpp @ONLY)
