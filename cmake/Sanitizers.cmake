# ACTORFLOW_SANITIZE: a sanitizer build of the project and its tests. `address` is ASan with
# UBSan, `thread` is TSan; empty (the default) is none. scripts/test.sh --sanitize builds each
# into a build dir of its own (build-address, build-thread). Dependencies (CAF, hiredis, ...) come
# from Debian uninstrumented: tests/sanitizers/*.supp say what is suppressed there and why.
set(ACTORFLOW_SANITIZE "" CACHE STRING "address (ASan + UBSan), thread (TSan) or empty: none")
set_property(CACHE ACTORFLOW_SANITIZE PROPERTY STRINGS "" address thread)
if(ACTORFLOW_SANITIZE STREQUAL "address")
  set(ACTORFLOW_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(ACTORFLOW_SANITIZE STREQUAL "thread")
  set(ACTORFLOW_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT ACTORFLOW_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ACTORFLOW_SANITIZE is '${ACTORFLOW_SANITIZE}': it must be address, thread or empty")
endif()
if(ACTORFLOW_SANITIZER_FLAGS)
  # The runtimes (libasan, libubsan, libtsan) come with g++'s libgcc-dev: check they link.
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "${ACTORFLOW_SANITIZER_FLAGS}")
  string(REPLACE ";" " " CMAKE_REQUIRED_FLAGS "${CMAKE_REQUIRED_FLAGS}")
  set(CMAKE_REQUIRED_LINK_OPTIONS ${ACTORFLOW_SANITIZER_FLAGS})
  check_cxx_source_compiles("int main() { return 0; }" ACTORFLOW_SANITIZER_LINKS_${ACTORFLOW_SANITIZE})
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT ACTORFLOW_SANITIZER_LINKS_${ACTORFLOW_SANITIZE})
    message(FATAL_ERROR "ACTORFLOW_SANITIZE=${ACTORFLOW_SANITIZE}: ${CMAKE_CXX_COMPILER} cannot link a program "
                        "with ${ACTORFLOW_SANITIZER_FLAGS} (its sanitizer runtime is missing)")
  endif()
  message(STATUS "actorflow: sanitizer build (${ACTORFLOW_SANITIZE}): ${ACTORFLOW_SANITIZER_FLAGS}")
  add_compile_options(${ACTORFLOW_SANITIZER_FLAGS})
  add_link_options(${ACTORFLOW_SANITIZER_FLAGS})
endif()
