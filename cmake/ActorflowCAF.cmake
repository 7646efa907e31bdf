# CAF 0.17.6 ships no CMake config and no pkg-config file: find it by hand. Included by the build
# (Dependencies.cmake) and by the installed package (actorflowConfig.cmake), so both find the same
# libraries. Defines CAF::core, CAF::io and CAF::openssl (mutual TLS between nodes) unless they
# exist; needs Threads::Threads and OpenSSL::SSL. Sets ACTORFLOW_CAF_MISSING to the variables it
# could not find (empty: all found); the includer decides how to fail.
set(ACTORFLOW_CAF_MISSING "")
if(NOT TARGET CAF::core)
  find_path(CAF_INCLUDE_DIR caf/all.hpp)
  find_library(CAF_CORE_LIBRARY caf_core)
  find_library(CAF_IO_LIBRARY caf_io)
  find_library(CAF_OPENSSL_LIBRARY caf_openssl)  # Debian libcaf-openssl0.17
  foreach(variable CAF_INCLUDE_DIR CAF_CORE_LIBRARY CAF_IO_LIBRARY CAF_OPENSSL_LIBRARY)
    if(NOT ${variable})
      list(APPEND ACTORFLOW_CAF_MISSING ${variable})
    endif()
  endforeach()
  if(NOT ACTORFLOW_CAF_MISSING)
    add_library(CAF::core UNKNOWN IMPORTED)
    set_target_properties(CAF::core PROPERTIES
      IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES Threads::Threads)
    add_library(CAF::io UNKNOWN IMPORTED)
    set_target_properties(CAF::io PROPERTIES
      IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
      INTERFACE_LINK_LIBRARIES CAF::core)
    add_library(CAF::openssl UNKNOWN IMPORTED)
    set_target_properties(CAF::openssl PROPERTIES
      IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
      INTERFACE_LINK_LIBRARIES "CAF::io;OpenSSL::SSL")
  endif()
endif()
