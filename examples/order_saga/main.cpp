// order_saga: runs a batch of orders through the saga against fake services that fail at random,
// then checks that what the services hold agrees with how every saga ended. The services record
// their effects in the store's ledger, so with --run-id a process killed mid-run can be started
// again with the same arguments: it replays the effects, resumes the live workflows, starts the
// orders that were not started, and checks the whole run.
// Exit status: 0 consistent, 1 inconsistent or unfinished, 2 setup failed; bad arguments exit
// with CLI11's own codes.
#include "order_saga/batch_runner.hpp"
#include "order_saga/consistency_check.hpp"
#include "order_saga/effect_ledger.hpp"
#include "order_saga/order_generator.hpp"
#include "order_saga/order_run.hpp"
#include "order_saga/order_services.hpp"
#include "order_saga/order_workflow.hpp"

#include <actorflow/actorflow.hpp>
#include <actorflow/logging.hpp>
#include <actorflow/store.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>

namespace {

using namespace order_saga;

struct RunOptions {
  int orders = 200;
  double failure_rate = 0.1;
  double non_retryable_share = 0.1;
  uint64_t seed = 1;
  int workers = 8;
  int sku_count = 5;
  int stock_units_per_sku = 100;
  int time_limit_s = 120;
  bool verbose = false;
  std::string store = "sqlite:order_saga.db";  // where workflows and effects are kept; see actorflow::open_store
  std::string run_id;                          // empty: a fresh run "run-<ms>"; else resumed when it exists
};

actorflow::EngineOptions engine_options(const RunOptions& run, std::shared_ptr<actorflow::Clock> clock,
                                        std::shared_ptr<actorflow::Store> store) {
  actorflow::EngineOptions options;
  options.clock = std::move(clock);
  options.store = std::move(store);
  options.step_workers = run.workers;
  options.step_timeout_default = actorflow::Millis(5'000);
  options.seed = run.seed;
  // Short backoff so a batch ends in seconds: 20, 40, 80, 160, 200 ms.
  options.retry_default.retries_max = 5;
  options.retry_default.interval_initial = actorflow::Millis(20);
  options.retry_default.multiplier = 2.0;
  options.retry_default.interval_max = actorflow::Millis(200);
  options.retry_default.jitter = 0.2;
  return options;
}

// The engine writes a JSON line per transition on its own logger ("actorflow"), which sets its
// level when first used: create it first, then set the levels: this program's lines at info, the
// engine's only with --verbose. ACTORFLOW_LOG_LEVEL, when set, still decides the engine's level.
void configure_logging(bool verbose) {
  auto engine_logger = actorflow::logger();
  spdlog::set_level(spdlog::level::info);
  engine_logger->set_level(verbose ? spdlog::level::info : spdlog::level::warn);
  if (const char* level = std::getenv("ACTORFLOW_LOG_LEVEL")) engine_logger->set_level(spdlog::level::from_str(level));
}

void print_outcomes(const BatchResult& batch) {
  std::map<actorflow::WorkflowStatus, int> counts;
  for (const auto& info : batch.workflows) ++counts[info.status];
  std::cout << batch.workflows.size() << " orders in " << batch.elapsed.count() << " ms:\n";
  for (auto status : {actorflow::WorkflowStatus::completed, actorflow::WorkflowStatus::compensated,
                      actorflow::WorkflowStatus::failed, actorflow::WorkflowStatus::dead_lettered,
                      actorflow::WorkflowStatus::running, actorflow::WorkflowStatus::compensating}) {
    if (counts[status] == 0 && !is_terminal(status)) continue;
    std::cout << "  " << std::left << std::setw(14) << to_string(status) << std::right << std::setw(6)
              << counts[status] << "\n";
  }
  for (const auto& problem : batch.problems) std::cout << "problem: " << problem << "\n";
}

void print_consistency(const ConsistencyReport& report) {
  for (const auto& parked : report.parked) std::cout << "parked: " << parked << "\n";
  for (const auto& violation : report.violations) std::cout << "violation: " << violation << "\n";
  std::cout << "consistency: "
            << (report.consistent() ? "OK" : std::to_string(report.violations.size()) + " violation(s)")
            << (report.parked.empty() ? "" : ", " + std::to_string(report.parked.size()) + " order(s) parked")
            << std::endl;
}

// Before a run touches anything: when it resumes, the store must hold no live workflow of another
// run (Engine::recover would resume it against this run's services); the batch must be the one the
// run began with.
bool may_run(actorflow::Store& store, const RunOptions& options, const std::string& run_id, bool resuming) {
  if (resuming) {
    const auto others = live_workflows_of_other_runs(store, run_id);
    if (!others.empty()) {
      spdlog::error("the store holds {} live workflow(s) of other runs (first '{}'): resuming run '{}' would run them "
                    "against its services; resume their run first or use another --store",
                    others.size(), others.front(), run_id);
      return false;
    }
  }
  const BatchShape shape{options.orders, options.seed, options.sku_count, options.stock_units_per_sku};
  if (auto claimed = claim_run(store, run_id, shape); !claimed) {
    spdlog::error("{}", claimed.message());
    return false;
  }
  return true;
}

int run(const RunOptions& options) {
  // A named run may exist already: it is resumed (a new one starts like a fresh run).
  const bool resuming = !options.run_id.empty();
  auto clock = actorflow::make_real_clock();
  auto store = actorflow::open_store(options.store);
  // A fresh run has its own workflow ids, so a store kept from earlier runs is added to, not reused.
  const std::string run_id = resuming ? options.run_id : "run-" + std::to_string(clock->now_ms());
  const std::string workflow_prefix = workflow_id_prefix(run_id);
  if (!may_run(*store, options, run_id, resuming)) return 2;

  const auto skus = make_skus(options.sku_count);
  // Declared before the engine: its handlers use the services until it stops.
  OrderServices services(uniform_stock(skus, options.stock_units_per_sku), options.seed,
                         std::make_shared<EffectLedger>(store));
  services.faults.set_failure_rate(options.failure_rate, options.non_retryable_share);
  if (resuming) spdlog::info("run {}: {} effect(s) replayed from the store", run_id, services.replay(workflow_prefix));

  actorflow::Engine engine(engine_options(options, std::move(clock), store));
  register_order_handlers(engine, services);
  if (auto status = engine.register_workflow(order_saga_definition()); !status) {
    spdlog::error("the order saga definition was refused:\n{}", status.message());
    return 2;
  }
  if (resuming) spdlog::info("run {}: recovered {} live workflow(s)", run_id, engine.recover());

  spdlog::info("running {} orders, failure rate {}, seed {}, {} workers", options.orders, options.failure_rate,
               options.seed, options.workers);
  spdlog::info("store {}, workflow ids {}order-*", options.store, workflow_prefix);
  const auto batch = run_batch(engine, generate_orders(options.orders, options.seed, skus), workflow_prefix,
                               resuming ? ExistingWorkflow::awaited : ExistingWorkflow::problem,
                               std::chrono::seconds(options.time_limit_s), std::cout);
  if (resuming)
    spdlog::info("run {}: {} order(s) started now, {} started before", run_id, batch.started, batch.existing);
  print_outcomes(batch);
  std::cout << "failures injected: " << services.faults.failures_injected() << "\n";
  const auto report = check_consistency(services, batch.workflows);
  print_consistency(report);
  return report.consistent() && batch.problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions options;
  CLI::App app{"Runs a batch of orders through the order saga and checks the services stay consistent."};
  app.option_defaults()->always_capture_default();
  app.add_option("--orders", options.orders, "orders to run")->check(CLI::PositiveNumber);
  app.add_option("--failure-rate", options.failure_rate, "probability that a service call fails")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--non-retryable-share", options.non_retryable_share,
                 "share of failed forward calls that fail for good (compensations always fail retryably)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--store", options.store, "store: sqlite:<path>, redis:<host>:<port>[:<prefix>] or memory");
  app.add_option("--seed", options.seed, "seed for orders, failures and retry jitter");
  app.add_option("--workers", options.workers, "step worker threads")->check(CLI::PositiveNumber);
  app.add_option("--skus", options.sku_count, "distinct skus")->check(CLI::PositiveNumber);
  app.add_option("--stock", options.stock_units_per_sku, "starting stock per sku, in units")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--time-limit", options.time_limit_s, "seconds to wait for the batch")->check(CLI::PositiveNumber);
  app.add_option("--run-id", options.run_id,
                 "name the run: workflow ids are <run-id>/order-N; when the store holds the run (e.g. its process "
                 "was killed) it is resumed: effects replayed, live workflows recovered, the rest started")
      ->check([](const std::string& run_id) { return run_id_problem(run_id).value_or(""); });
  app.add_flag("--verbose", options.verbose, "log the engine's transitions");
  CLI11_PARSE(app, argc, argv);

  configure_logging(options.verbose);
  try {
    return run(options);
  } catch (const std::exception& e) {
    spdlog::error("order_saga: {}", e.what());
    return 2;
  }
}
