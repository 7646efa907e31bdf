#pragma once
// The greeting workflow's handlers, registered by the program (main.cpp) and by the plugin.
#include <actorflow/engine.hpp>

namespace greeting {

// "greeting.compose": {"name"} -> {"text": "Hello, <name>!"}
// "greeting.count":   {"compose": {"text"}} -> {"letters": letters of the text}
void register_handlers(actorflow::Engine& engine);

}  // namespace greeting
