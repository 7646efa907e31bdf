// greeting_app [store]: runs one greeting workflow on an engine of its own ("memory", the default,
// or "sqlite:<path>") and prints what it made. Exit 0 when the workflow completed, 1 otherwise.
#include "greeting.hpp"

#include <actorflow/actorflow.hpp>  // the engine and every type its API passes
#include <actorflow/version.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace actorflow;
  EngineOptions options;
  options.store = open_store(argc > 1 ? argv[1] : "memory");
  Engine engine(options);
  greeting::register_handlers(engine);
  // Handlers and definitions first: recover() resumes what the store holds with them.
  if (Status registered = engine.register_workflow(
          WorkflowBuilder("greeting").step("compose", "greeting.compose").step("count", "greeting.count").build());
      !registered) {
    std::cerr << "greeting_app: " << registered.message() << "\n";
    return 1;
  }
  engine.recover();

  const StartResult started = engine.start("greeting", "greeting-1", Json{{"name", "outside"}});
  if (!started.status) {
    std::cerr << "greeting_app: " << started.status.message() << "\n";
    return 1;
  }
  const auto done = engine.wait("greeting-1", Millis(30'000));
  if (!done || done->status != WorkflowStatus::completed) {
    std::cerr << "greeting_app: greeting-1 did not complete: " << (done ? done->error : "no answer in 30 s") << "\n";
    return 1;
  }
  std::cout << "actorflow " << version() << ": greeting-1 " << to_string(done->status) << ": "
            << done->data["compose"]["text"].get<std::string>() << " ("
            << done->data["count"]["letters"].get<int>() << " letters)\n";
  return 0;
}
