// approval_chain: purchase orders through an approval gate, on a virtual clock so that two days of
// waiting take no time. Five orders: one below the threshold, one approved, one rejected, one
// approved by the director after escalation, one nobody answers. The approvers are simulated by
// signals; every decision is recorded with who and why.
// Exit status: 0 when every order ended as the scenario expects, 1 otherwise, 2 setup failed.
#include "purchase_order.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/virtual_clock.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iomanip>
#include <iostream>
#include <thread>

using namespace actorflow;
using namespace approval_chain;

namespace {

struct Order {
  std::string id;
  int amount_cents;
  WorkflowStatus expected;
};

Json decision(const std::string& verdict, const std::string& by, const std::string& reason) {
  return {{"decision", verdict}, {"by", by}, {"reason", reason}};
}

// The simulation moves virtual time only while nothing runs, or a step would time out in the
// jump: it waits (real time, bounded) until the workflow's history shows `type` (of `step`).
void await_event(Engine& engine, const std::string& id, const std::string& type, const std::string& step = {}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& event : engine.history(id))
      if (event.type == type && (step.empty() || event.step == step)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  throw std::runtime_error("workflow '" + id + "' never recorded " + type);
}

bool check(Engine& engine, const Order& order) {
  auto info = engine.wait(order.id, Millis(30'000));
  const bool ok = info && info->status == order.expected;
  std::cout << order.id << " (" << std::fixed << std::setprecision(2) << order.amount_cents / 100.0 << "): " << (info ? to_string(info->status) : "missing")
            << (info && !info->error.empty() ? " - " + info->error : "") << (ok ? "" : "  <-- unexpected") << "\n";
  for (const auto& event : engine.history(order.id))
    if (event.type.rfind("approval_", 0) == 0 || event.type == "wait_escalated" || event.type == "wait_timed_out")
      std::cout << "    " << event.type << (event.detail.empty() ? "" : ": " + event.detail) << "\n";
  return ok;
}

int run(const std::string& store_spec) {
  auto clock = std::make_shared<VirtualClock>();
  EngineOptions options;
  options.clock = clock;
  options.store = open_store(store_spec);
  // Virtual time jumps two days at once, past any passivation check; a passivated instance would
  // wait for the waker's next poll, which only a further jump fires. Real-time runs passivate.
  options.passivate_after = std::nullopt;
  Engine engine(options);
  Ledger ledger;
  register_purchase_order_handlers(engine, ledger);
  if (auto status = engine.register_workflow(purchase_order_definition()); !status) {
    spdlog::error("{}", status.message());
    return 2;
  }
  const std::string run = "po-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count() / 1000000) + "/";
  const std::vector<Order> orders{
      {run + "stationery", 45'00, WorkflowStatus::completed},
      {run + "laptop", 1'450'00, WorkflowStatus::completed},
      {run + "yacht", 9'999'999'00, WorkflowStatus::compensated},
      {run + "server", 8'200'00, WorkflowStatus::completed},
      {run + "forgotten", 300'00, WorkflowStatus::compensated},
  };
  for (const auto& order : orders) {
    auto started = engine.start(kWorkflow, order.id, {{"order_id", order.id}, {"amount_cents", order.amount_cents}});
    if (!started.status) throw std::runtime_error(started.status.message());
  }
  spdlog::info("{} purchase orders started; simulating the approvers", orders.size());
  auto send = [&](const Order& order, Json payload) {
    if (auto status = engine.signal(order.id, kApprovalSignal, std::move(payload)); !status)
      throw std::runtime_error(status.message());
  };
  send(orders[1], decision("approve", "maria (manager)", "within the IT budget"));
  send(orders[2], decision("reject", "maria (manager)", "not a business expense"));
  for (int i : {0, 1, 2}) engine.wait(orders[i].id, Millis(30'000));
  for (int i : {3, 4}) await_event(engine, orders[i].id, "approval_waiting");

  // Nobody answers about the server and the forgotten order for 48 h (their deadlines fall
  // together): the director is asked about both.
  spdlog::info("advancing virtual time 48 h: managers silent on the server and the forgotten order");
  if (!clock->advance_to_timer(orders[3].id + "/approval_gate/manager_approval deadline"))
    throw std::runtime_error("no approval deadline for the server");
  for (int i : {3, 4}) await_event(engine, orders[i].id, "step_completed", "approval_gate/manager_approval/tell_director");
  send(orders[3], decision("approve", "jon (director)", "needed for the launch"));
  engine.wait(orders[3].id, Millis(30'000));

  spdlog::info("advancing virtual time 24 h more: the forgotten order times out");
  if (!clock->advance_to_timer(orders[4].id + "/approval_gate/manager_approval deadline"))
    throw std::runtime_error("no escalation deadline for the forgotten order");

  bool all_ok = true;
  for (const auto& order : orders) all_ok = check(engine, order) && all_ok;
  std::cout << "\nwhat the steps did:\n";
  for (const auto& [order_id, notes] : ledger.notes()) {
    std::cout << "  " << order_id << ":";
    for (const auto& note : notes) std::cout << " [" << note << "]";
    std::cout << "\n";
  }
  std::cout << (all_ok ? "every order ended as expected" : "SOME ORDERS ENDED UNEXPECTEDLY") << std::endl;
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string store = "sqlite:approval_chain.db";
  CLI::App app{"Purchase orders through a manager approval gate with escalation (virtual time)."};
  app.add_option("--store", store, "store: sqlite:<path>, redis:<host>:<port>[:<prefix>] or memory")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto engine_logger = actorflow::logger();  // created first, so the next line sets its level too
  spdlog::set_level(spdlog::level::info);
  engine_logger->set_level(spdlog::level::warn);
  if (const char* level = std::getenv("ACTORFLOW_LOG_LEVEL")) engine_logger->set_level(spdlog::level::from_str(level));
  try {
    return run(store);
  } catch (const std::exception& e) {
    spdlog::error("approval_chain: {}", e.what());
    return 2;
  }
}
