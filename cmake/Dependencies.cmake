# Every dependency is a Debian package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)

find_package(OpenSSL REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/ActorflowCAF.cmake)
if(ACTORFLOW_CAF_MISSING)
  message(FATAL_ERROR "CAF 0.17 not found (${ACTORFLOW_CAF_MISSING}): install libcaf-dev and "
                      "libcaf-openssl0.17 (scripts/install-deps.sh)")
endif()

find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 CONFIG REQUIRED)  # header-only; Debian's libcli11-dev ships its CMake config
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(SQLite3 REQUIRED)
find_package(GTest REQUIRED)
include(GoogleTest)

# Protobuf 3.21: CMake's FindProtobuf module (Debian ships no protobuf-config.cmake).
find_package(Protobuf REQUIRED)
