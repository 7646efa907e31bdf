#pragma once
// What the libraries export. They are compiled with hidden visibility (libactors/CMakeLists.txt),
// and every public header opens `namespace ACTORFLOW_API actorflow`: what the public headers
// declare is exported from libactorflow_actors.so (and from actorflow-node, for its plugins),
// what only src/ declares is not.
#define ACTORFLOW_API __attribute__((visibility("default")))
// A type a public header names but src/ defines (Engine::Core): not exported.
#define ACTORFLOW_INTERNAL __attribute__((visibility("hidden")))
