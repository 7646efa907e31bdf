#include "greeting.hpp"

#include <actorflow/step_handler.hpp>

#include <cctype>
#include <string>

namespace greeting {

void register_handlers(actorflow::Engine& engine) {
  engine.register_handler("greeting.compose", [](const actorflow::StepContext& step) {
    return actorflow::Json{{"text", "Hello, " + step.input().value("name", std::string("world")) + "!"}};
  });
  engine.register_handler("greeting.count", [](const actorflow::StepContext& step) {
    const std::string text = step.input()["compose"].value("text", std::string());
    int letters = 0;
    for (unsigned char c : text)
      if (std::isalpha(c)) ++letters;
    return actorflow::Json{{"letters", letters}};
  });
}

}  // namespace greeting
