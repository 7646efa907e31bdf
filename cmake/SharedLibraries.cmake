# libactorflow_actors.so and libactorflow_testing.so: linked from the static archives whole (their
# objects are position-independent, with hidden visibility), so they export only what the public
# headers declare (actorflow/export.hpp) and take no second compile. Built always (a link each),
# so the suite checks them (tests/package); installed as actorflow::actors and actorflow::testing
# instead of the static archives when BUILD_SHARED_LIBS is ON. The node and the tests link the
# static archives either way: they use what the libraries do not export.
option(BUILD_SHARED_LIBS "Install the shared libraries (libactorflow_*.so) instead of the static ones" OFF)

add_library(actorflow_actors_shared SHARED ${CMAKE_CURRENT_LIST_DIR}/../libactors/src/shared_library.cpp)
target_link_libraries(actorflow_actors_shared
  PRIVATE actorflow_actors
  PUBLIC CAF::core spdlog::spdlog nlohmann_json::nlohmann_json Threads::Threads)
target_include_directories(actorflow_actors_shared PUBLIC ${ACTORFLOW_PUBLIC_INCLUDE_DIRS})
target_compile_features(actorflow_actors_shared PUBLIC cxx_std_20)

# The explorer's objects alone: the engine it drives is libactorflow_actors.so's (one copy of it).
add_library(actorflow_testing_shared SHARED $<TARGET_OBJECTS:actorflow_testing>)
target_link_libraries(actorflow_testing_shared PUBLIC actorflow_actors_shared)

foreach(shared actors testing)
  set_target_properties(actorflow_${shared}_shared PROPERTIES
    OUTPUT_NAME actorflow_${shared}
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    # Unresolved symbols are a link error here, not a user's surprise at load time.
    LINK_OPTIONS "LINKER:--no-undefined")
endforeach()
# Every object of the archives, not only those something calls: a library's user may call anything.
set_target_properties(actorflow_actors_shared PROPERTIES
  LINK_LIBRARY_OVERRIDE_actorflow_actors WHOLE_ARCHIVE
  LINK_LIBRARY_OVERRIDE_actorflow_core WHOLE_ARCHIVE
  LINK_LIBRARY_OVERRIDE_actorflow_version WHOLE_ARCHIVE
  LINK_LIBRARY_OVERRIDE_actorflow_duration WHOLE_ARCHIVE
  LINK_LIBRARY_OVERRIDE_actorflow_proto WHOLE_ARCHIVE)
