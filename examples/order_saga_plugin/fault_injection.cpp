#include "fault_injection.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace order_saga_plugin {
namespace {

using actorflow::Json;

constexpr int64_t kSlowMsMax = 60'000;

// True when `field` of the input names `handler`: the name itself or a list holding it.
bool names(const Json& input, const char* field, const std::string& handler) {
  const auto it = input.find(field);
  if (it == input.end()) return false;
  if (it->is_string()) return it->get<std::string>() == handler;
  if (it->is_array()) return std::find(it->begin(), it->end(), Json(handler)) != it->end();
  return false;
}

// The value `field` (a map by handler) holds for `handler`, or null.
Json per_handler(const Json& input, const char* field, const std::string& handler) {
  const auto it = input.find(field);
  if (it == input.end() || !it->is_object()) return nullptr;
  const auto value = it->find(handler);
  return value == it->end() ? Json(nullptr) : *value;
}

}  // namespace

void inject_faults(const actorflow::StepContext& step, const std::string& handler) {
  const Json& input = step.input();
  if (!input.is_object()) return;
  const Json slow_ms = per_handler(input, "slow_ms", handler);
  if (slow_ms.is_number_integer())
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<int64_t>(slow_ms.get<int64_t>(), 0, kSlowMsMax)));
  if (names(input, "fail", handler)) throw actorflow::NonRetryableError("injected failure of " + handler);
  if (names(input, "fail_retryable", handler))
    throw std::runtime_error("injected retryable failure of " + handler);
  const Json path = per_handler(input, "fail_while_missing", handler);
  if (path.is_string()) {
    std::error_code error;
    if (!std::filesystem::exists(path.get<std::string>(), error))
      throw actorflow::NonRetryableError(handler + " needs the file " + path.get<std::string>() + ", which is missing");
  }
}

}  // namespace order_saga_plugin
