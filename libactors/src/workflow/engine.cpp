#include <actorflow/actorflow.hpp>
#include <actorflow/actors/circuit_breaker_actor.hpp>
#include <actorflow/actors/atoms.hpp>
#include <actorflow/bounded_parse.hpp>
#include <actorflow/names.hpp>
#include <actorflow/retry_delay.hpp>
#include <actorflow/logging.hpp>

#include "cluster/cluster_routing.hpp"
#include "cluster/cluster_state.hpp"
#include "cluster/engine_cluster.hpp"
#include "cluster/shard_manager.hpp"
#include "workflow/definition_validator.hpp"
#include "workflow/engine_core.hpp"
#include "workflow/messages.hpp"
#include "schedule/scheduler.hpp"
#include "store/store_reader.hpp"
#include "store/store_wait.hpp"
#include "store/store_writer.hpp"
#include "workflow/start_request.hpp"
#include "workflow/step_worker_pool.hpp"
#include "workflow/waker.hpp"
#include "workflow/workflow_supervisor.hpp"

#include <caf/all.hpp>

#include <future>
#include <thread>
#include <set>

namespace actorflow {
namespace {

constexpr auto kClusterWaitPoll = std::chrono::milliseconds(50);  // Engine::wait reads the store this often

// Threads sized to the cores (CAF's own default is at least 4, too many on a small machine).
void configure_scheduler(caf::actor_system_config& config, const EngineOptions& options) {
  const size_t threads = options.scheduler_threads > 0 ? static_cast<size_t>(options.scheduler_threads)
                                                       : std::max(1u, std::thread::hardware_concurrency());
  config.set("scheduler.max-threads", threads);
  const bool sharing = options.scheduler_policy == EngineOptions::SchedulerPolicy::sharing;
  config.set("scheduler.policy", sharing ? caf::atom("sharing") : caf::atom("stealing"));
}

}  // namespace

// ---- Core -----------------------------------------------------------------------------------

std::shared_ptr<const WorkflowDefinition> Engine::Core::find_definition(const std::string& name, int version) const {
  std::shared_lock lock(registry_mutex);
  auto it = definitions.find(name);
  if (it == definitions.end()) return nullptr;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : v->second;
}

std::shared_ptr<const WorkflowDefinition> Engine::Core::latest_definition(const std::string& name) const {
  std::shared_lock lock(registry_mutex);
  auto it = definitions.find(name);
  if (it == definitions.end() || it->second.empty()) return nullptr;
  return it->second.rbegin()->second;
}

std::shared_ptr<const SyncHandler> Engine::Core::find_sync_handler(const std::string& name) const {
  std::shared_lock lock(registry_mutex);
  auto it = sync_handlers.find(name);
  return it == sync_handlers.end() ? nullptr : it->second;
}

std::shared_ptr<const AsyncHandler> Engine::Core::find_async_handler(const std::string& name) const {
  std::shared_lock lock(registry_mutex);
  auto it = async_handlers.find(name);
  return it == async_handlers.end() ? nullptr : it->second;
}

caf::actor Engine::Core::find_breaker(const std::string& name) const {
  std::shared_lock lock(registry_mutex);
  auto it = breakers.find(name);
  return it == breakers.end() ? caf::actor{} : it->second;
}

void Engine::Core::run_step(StepJob job) {
  if (step_pool->submit(std::move(job))) return;
  caf::anon_send(job.reply_to, step_done_atom::value, job.path, job.token,
                 StepOutcome::failure("step queue full (step_queue_max = " + std::to_string(step_pool->queue_max()) + ")"));
}

void Engine::Core::send_from_outside(const caf::actor& target, caf::message message) {
  std::shared_lock gate(send_gate);
  if (stopping || !target) return;
  caf::anon_send(target, std::move(message));
}

TimerId Engine::Core::schedule(Millis delay, std::string label, const caf::actor& target, caf::message message) {
  std::weak_ptr<Core> weak_core = shared_from_this();
  auto weak_target = caf::actor_cast<caf::weak_actor_ptr>(target);
  return clock->schedule(delay, std::move(label), [weak_core, weak_target, message = std::move(message)] {
    auto core = weak_core.lock();
    if (!core) return;
    if (auto strong = caf::actor_cast<caf::actor>(weak_target)) core->send_from_outside(strong, message);
  });
}

void Engine::Core::start_waker() {
  if (!options.passivate_after) return;
  std::call_once(waker_started, [this] {
    std::shared_lock gate(send_gate);
    if (!stopping) waker = spawn_waker(*system, *this);
  });
}

Millis Engine::Core::jittered_delay(const RetryPolicy& policy, int retry) {
  std::lock_guard lock(rng_mutex);
  return retry_delay(policy, retry, rng);
}

std::optional<Status> Engine::Core::start_problem(const std::string& definition, const std::string& id,
                                                 const Json& input) const {
  if (auto problem = workflow_id_problem(id)) return Status::error(*problem);
  if (!latest_definition(definition)) return Status::error("unknown workflow definition '" + definition + "'");
  if (!input.is_object()) return Status::error("workflow input must be a JSON object, got " + std::string(input.type_name()));
  if (Status depth = json_value_depth(input); !depth) return Status::error("workflow input: " + depth.message());
  return std::nullopt;
}

std::variant<std::pair<WorkflowState, std::shared_ptr<const WorkflowDefinition>>, Status> Engine::Core::make_start_state(
    const std::string& definition_name, const std::string& id, Json input, const std::string& parent_id,
    const std::string& parent_path) {
  if (auto problem = start_problem(definition_name, id, input)) return *problem;
  auto definition = latest_definition(definition_name);
  WorkflowState state;
  state.id = id;
  state.definition = definition->name;
  state.version = definition->version;
  state.input_digest = digest_input(input);
  state.data = std::move(input);
  state.parent_id = parent_id;
  state.parent_path = parent_path;
  state.started_ms = clock->now_ms();
  return std::make_pair(std::move(state), std::move(definition));
}

std::variant<WorkflowWrite, Status> Engine::Core::make_start_write(const std::string& definition_name,
                                                                  const std::string& id, Json input,
                                                                  const std::string& parent_id,
                                                                  const std::string& parent_path) {
  auto prepared = make_start_state(definition_name, id, std::move(input), parent_id, parent_path);
  if (auto* problem = std::get_if<Status>(&prepared)) return *problem;
  WorkflowWrite write = make_write(std::get<0>(prepared).first, write_epoch(id));
  write.create = true;
  return write;
}

void Engine::Core::start_workflow_async(const std::string& definition, const std::string& id, Json input,
                                        Engine::StartCallback done, const std::string& parent_id,
                                        const std::string& parent_path) {
  if (auto refused = write_refusal("'" + id + "' was not started")) return done({*refused, false, true});
  auto prepared = make_start_state(definition, id, std::move(input), parent_id, parent_path);
  if (auto* problem = std::get_if<Status>(&prepared)) return done({*problem, false});
  auto& [state, found] = std::get<0>(prepared);
  StartRequest request{std::move(state), std::move(found), StartReply(std::move(done), id)};
  start_deadlines->watch(request.reply, id);
  std::shared_lock gate(send_gate);
  if (!stopping) caf::anon_send(supervisor, start_atom::value, std::move(request));
}  // a request not sent answers as it goes

StartResult Engine::Core::start_workflow(const std::string& definition, const std::string& id, Json input) {
  if (auto refused = write_refusal("'" + id + "' was not started")) return {*refused, false, true};
  if (cluster) {
    if (auto problem = start_problem(definition, id, input)) return {*problem, false};
    return route_start(*this, definition, id, input);
  }
  return start_here(definition, id, std::move(input));
}

StartResult Engine::Core::start_here(const std::string& definition, const std::string& id, Json input) {
  std::promise<StartResult> answered;
  auto result = answered.get_future();
  start_workflow_async(definition, id, std::move(input),
                       [&answered](StartResult started) { answered.set_value(std::move(started)); });
  return result.get();
}

// ---- Engine ---------------------------------------------------------------------------------

namespace {

void check_durability(const Store& store, std::optional<Durability> wanted) {
  if (!wanted) return;
  const auto opened = store.durability();
  if (opened && *opened < *wanted)
    throw std::invalid_argument("durability " + std::string(to_string(*wanted)) + " wanted, but the store was opened for " +
                                std::string(to_string(*opened)) + " (open it with the same durability)");
  log_json(spdlog::level::info, {{"event", "store_durability"}, {"store", store.kind()},
                                 {"durability", opened ? to_string(*opened) : "none"},
                                 {"survives", durability_survives(opened.value_or(*wanted), store.kind())}});
}

}  // namespace

Engine::Engine(EngineOptions options) : core_(std::make_shared<Core>()) {
  Core& core = *core_;
  core.clock = options.clock ? options.clock : make_real_clock();
  core.store = options.store ? options.store : make_memory_store();
  check_durability(*core.store, options.durability);
  core.rng.seed(options.seed != 0 ? options.seed : static_cast<uint64_t>(core.clock->now_ms()));
  if (auto chaos = core.chaos->configure(options.chaos); !chaos) throw std::invalid_argument(chaos.message());
  if (options.crash_attempts_max < 1)
    throw std::invalid_argument("crash_attempts_max must be at least 1, not " + std::to_string(options.crash_attempts_max));
  configure_scheduler(core.config, options);
  core.options = std::move(options);
  configure_cluster(core);  // before the actor system: the middleman is a module of it
  core.system = std::make_unique<caf::actor_system>(core.config);
  core.epoch = core.store->next_epoch();
  StoreWriterOptions writer_options;
  writer_options.write_id_prefix = "e" + std::to_string(core.epoch) + ".";
  if (!core.cluster) writer_options.refuse_all = core.fence.flag();
  core.store_writer = spawn_store_writer(*core.system, core.store, writer_options, core.store_retries_stop);
  core.start_deadlines = std::make_shared<StartDeadlines>(core.options.store_wait_max, core.store);
  core.store_reader = spawn_store_reader(*core.system, core.store, core.store_retries_stop);
  core.supervisor = spawn_workflow_supervisor(*core.system, core);
  core.step_pool = std::make_shared<StepWorkerPool>(core.options.step_workers, core.options.step_queue_max,
                                                    core.steps_running);
  core.scheduler = spawn_scheduler(*core.system, core);  // idle until activate_scheduler
}

Engine::~Engine() {
  Core& core = *core_;
  {
    std::unique_lock gate(core.send_gate);
    core.stopping = true;
  }
  core.store_retries_stop->store(true);
  caf::anon_send_exit(core.supervisor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(core.store_writer, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(core.store_reader, caf::exit_reason::user_shutdown);
  if (core.waker) caf::anon_send_exit(core.waker, caf::exit_reason::user_shutdown);
  if (core.scheduler) caf::anon_send_exit(core.scheduler, caf::exit_reason::user_shutdown);
  if (core.shard_manager) caf::anon_send_exit(core.shard_manager, caf::exit_reason::user_shutdown);
  if (core.gateway) caf::anon_send_exit(core.gateway, caf::exit_reason::user_shutdown);
  {
    std::shared_lock lock(core.registry_mutex);
    for (auto& [name, breaker] : core.breakers) caf::anon_send_exit(breaker, caf::exit_reason::user_shutdown);
  }
  core.supervisor = nullptr;
  core.store_writer = nullptr;
  core.store_reader = nullptr;
  core.waker = nullptr;
  core.scheduler = nullptr;
  core.shard_manager = nullptr;
  core.gateway = nullptr;
  core.breakers.clear();
  core.step_pool->stop();
  core.system->await_all_actors_done();
  core.start_deadlines.reset();
  // No instance runs and nothing is written any more: the shards can go to other nodes at once.
  if (core.cluster) leave_cluster(core);
  core.step_pool.reset();  // joins the workers: a handler still running finishes first
  core.system.reset();
}

void Engine::register_handler(const std::string& name, SyncHandler handler) {
  std::unique_lock lock(core_->registry_mutex);
  core_->async_handlers.erase(name);
  core_->sync_handlers[name] = std::make_shared<const SyncHandler>(std::move(handler));
}

void Engine::register_async_handler(const std::string& name, AsyncHandler handler) {
  std::unique_lock lock(core_->registry_mutex);
  core_->sync_handlers.erase(name);
  core_->async_handlers[name] = std::make_shared<const AsyncHandler>(std::move(handler));
}

void Engine::register_breaker(const std::string& service, BreakerOptions options) {
  auto breaker = spawn_circuit_breaker(*core_->system, service, options, core_->clock);
  std::unique_lock lock(core_->registry_mutex);
  auto& slot = core_->breakers[service];
  if (slot) caf::anon_send_exit(slot, caf::exit_reason::user_shutdown);
  slot = breaker;
  core_->breaker_options[service] = options;
}

std::vector<std::string> Engine::local_handler_names() const {
  std::shared_lock lock(core_->registry_mutex);
  std::set<std::string> names;
  for (const auto& [name, handler] : core_->sync_handlers) names.insert(name);
  for (const auto& [name, handler] : core_->async_handlers) names.insert(name);
  return {names.begin(), names.end()};
}

std::shared_ptr<const SyncHandler> Engine::find_sync_handler(const std::string& name) const {
  return core_->find_sync_handler(name);
}

std::shared_ptr<const AsyncHandler> Engine::find_async_handler(const std::string& name) const {
  return core_->find_async_handler(name);
}

std::optional<BreakerOptions> Engine::breaker_options(const std::string& service) const {
  std::shared_lock lock(core_->registry_mutex);
  const auto it = core_->breaker_options.find(service);
  if (it == core_->breaker_options.end()) return std::nullopt;
  return it->second;
}

bool Engine::has_handler(const std::string& name) const {
  return core_->find_sync_handler(name) || core_->find_async_handler(name) || core_->is_remote_handler(name);
}

bool Engine::has_breaker(const std::string& service) const { return static_cast<bool>(core_->find_breaker(service)); }

std::vector<std::pair<std::string, int>> Engine::definitions() const {
  std::shared_lock lock(core_->registry_mutex);
  std::vector<std::pair<std::string, int>> list;
  for (const auto& [name, versions] : core_->definitions)
    for (const auto& [version, definition] : versions) list.emplace_back(name, version);
  return list;
}

Status Engine::register_workflow(WorkflowDefinition definition) {
  Core& core = *core_;
  DefinitionCatalog catalog{
      [&](const std::string& name) {
        return core.find_sync_handler(name) || core.find_async_handler(name) || core.is_remote_handler(name);
      },
      [&](const std::string& name) { return static_cast<bool>(core.find_breaker(name)); },
      [&](const std::string& name) { return core.latest_definition(name) != nullptr; },
  };
  auto problems = validate_definition(definition, catalog);
  if (!problems.empty()) return Status::errors(problems);
  std::unique_lock lock(core.registry_mutex);
  auto& versions = core.definitions[definition.name];
  if (versions.count(definition.version) != 0)
    return Status::error("workflow '" + definition.name + "' v" + std::to_string(definition.version) +
                         " is already registered (versions are immutable: register a new version)");
  const int version = definition.version;
  versions.emplace(version, std::make_shared<const WorkflowDefinition>(std::move(definition)));
  return Status::ok();
}

StartResult Engine::start(const std::string& definition, const std::string& workflow_id) {
  return start(definition, workflow_id, Json::object());
}

StartResult Engine::start(const std::string& definition, const std::string& workflow_id, Json input) {
  core_->start_waker();
  return core_->start_workflow(definition, workflow_id, std::move(input));
}

void Engine::start_async(const std::string& definition, const std::string& workflow_id, Json input,
                         StartCallback done) {
  core_->start_waker();
  if (core_->cluster) {
    // Forwarding to a shard's owner may wait for one: on a thread of its own, never the caller's.
    std::shared_ptr<Core> core = core_;
    core->system->spawn<caf::detached>(
        [core, definition, workflow_id, input = std::move(input), done = std::move(done)](caf::event_based_actor* self) mutable {
          done(core->start_workflow(definition, workflow_id, std::move(input)));
          self->quit();
        });
    return;
  }
  core_->start_workflow_async(definition, workflow_id, std::move(input), std::move(done));
}

int Engine::recover() {
  if (core_->cluster) {
    // Shards, not the whole store: the shard manager resumes the workflows of those it takes.
    const int resumed = join_cluster(*core_);
    log_json(spdlog::level::info, {{"event", "engine_recovering"}, {"node_id", core_->options.node_id},
                                   {"workflows", resumed}, {"shards", core_->cluster->owned_shards()}});
    core_->start_waker();
    return resumed;
  }
  auto live = core_->store->live_workflows();
  for (const auto& id : live) core_->send_from_outside(core_->supervisor, caf::make_message(spawn_atom::value, id, true));
  log_json(spdlog::level::info, {{"event", "engine_recovering"}, {"workflows", live.size()}, {"epoch", core_->epoch}});
  core_->start_waker();  // after the spawns: a workflow it finds due is already running
  activate_scheduler(*core_);  // cron schedules: catch up, then fire
  return static_cast<int>(live.size());
}

namespace {

void collect_waits(const Node& node, std::map<std::string, std::vector<const Node*>>& waits) {
  if (node.kind == Node::Kind::wait) waits[node.wait.signal].push_back(&node);
  for (const auto& child : node.children) collect_waits(child, waits);
}

// An approval is decided once: when every approval gate waiting for this signal has its
// decision (or timed out), another one is refused, naming the decision taken.
std::optional<Status> approval_decided(const WorkflowState& state, const std::vector<const Node*>& waits) {
  std::string taken;
  for (const Node* node : waits) {
    if (!node->wait.approval) return std::nullopt;
    auto rec = state.steps.find(node->path);
    if (rec == state.steps.end() || rec->second.status == StepStatus::pending ||
        rec->second.status == StepStatus::waiting)
      return std::nullopt;
    const Json decision = state.data.is_object() ? state.data.value(node->name, Json::object()) : Json::object();
    if (decision.is_object() && decision.contains("decision"))
      taken = "'" + decision.value("decision", std::string()) + "' by " + decision.value("by", std::string("?"));
    else if (decision.is_object() && decision.contains("timed_out"))
      taken = "none: it timed out";
    else
      taken = std::string(to_string(rec->second.status));
    taken = "approval '" + node->name + "' of workflow '" + state.id + "' was already decided (" + taken + ")";
  }
  return Status::error(StatusCode::failed_precondition, taken + "; this decision was not delivered");
}

}  // namespace

std::optional<Status> Engine::Core::write_refusal(const std::string& not_done) const {
  if (draining) return Status::unavailable("the engine is draining; " + not_done);
  if (fence.fenced()) return Status::unavailable("this engine is fenced: " + fence.reason() + "; " + not_done);
  return std::nullopt;
}

// The workflow's state when it can still take a signal, or why it cannot.
std::variant<WorkflowState, Status> Engine::Core::signallable(const std::string& workflow_id, const std::string& what) {
  if (auto refused = write_refusal(what + " was not delivered")) return *refused;
  auto stored = store->load(workflow_id);
  if (!stored) return Status::error(StatusCode::not_found, "no workflow '" + workflow_id + "'");
  std::string error;
  auto state = decode_state(stored->snapshot, &error);
  if (!state) return Status::error(StatusCode::corruption, "workflow '" + workflow_id + "' cannot take signals: " + error);
  if (is_terminal(state->status))
    return Status::error(StatusCode::failed_precondition, "workflow '" + workflow_id + "' has ended (" +
                                                             std::string(to_string(state->status)) + "); " + what +
                                                             " was not delivered");
  return std::move(*state);
}

void Engine::Core::deliver(const std::string& workflow_id, const std::string& name, const Json& payload) {
  start_waker();
  const uint64_t seq = store->inbox_append(workflow_id, name, payload.dump(), clock->now_ms());
  log_json(spdlog::level::info, {{"event", "signal_sent"}, {"workflow_id", workflow_id}, {"signal", name}, {"seq", seq}});
  if (cluster) notify_owner(*this, workflow_id);
  else send_from_outside(supervisor, caf::make_message(signal_atom::value, workflow_id));
}

Status Engine::cancel(const std::string& workflow_id, const std::string& by, const std::string& reason) try {
  auto checked = core_->signallable(workflow_id, "the cancel");
  if (auto* problem = std::get_if<Status>(&checked)) return *problem;
  core_->deliver(workflow_id, kCancelSignal, Json{{"by", by}, {"reason", reason}});
  return Status::ok();
} catch (const StoreUnavailable& e) {
  return Status::unavailable(std::string("the cancel of '") + workflow_id + "' was not stored: " + e.what());
}

Status Engine::signal(const std::string& workflow_id, const std::string& name) {
  return signal(workflow_id, name, Json::object());
}

Status Engine::signal(const std::string& workflow_id, const std::string& name, Json payload) try {
  if (auto bad = name_problem("signal name", name)) return Status::error(StatusCode::invalid_argument, *bad);
  if (Status depth = json_value_depth(payload); !depth)
    return Status::error(StatusCode::invalid_argument, "signal payload: " + depth.message());
  return core_->signal(workflow_id, name, std::move(payload));
} catch (const StoreUnavailable& e) {
  return Status::unavailable("signal '" + name + "' to '" + workflow_id + "' was not stored: " + e.what());
}

Status Engine::Core::signal(const std::string& workflow_id, const std::string& name, Json payload) {
  auto checked = signallable(workflow_id, "signal '" + name + "'");
  if (auto* problem = std::get_if<Status>(&checked)) return *problem;
  const WorkflowState& state = std::get<WorkflowState>(checked);
  auto definition = find_definition(state.definition, state.version);
  if (!definition)
    return Status::error(StatusCode::failed_precondition, "workflow '" + workflow_id + "': definition '" +
                                                              state.definition + "' v" + std::to_string(state.version) +
                                                              " is not registered here");
  std::map<std::string, std::vector<const Node*>> waits;
  collect_waits(definition->root, waits);
  auto waiting = waits.find(name);
  if (waiting == waits.end()) {
    std::string known;
    for (const auto& [n, nodes] : waits) known += (known.empty() ? "" : ", ") + n;
    return Status::error(StatusCode::invalid_argument,
                         "workflow '" + workflow_id + "' (" + state.definition + " v" + std::to_string(state.version) +
                             ") waits for no signal '" + name + "'" +
                             (known.empty() ? "; it waits for no signals" : "; it waits for: " + known));
  }
  if (auto decided = approval_decided(state, waiting->second)) return *decided;
  deliver(workflow_id, name, payload);
  return Status::ok();
}

std::optional<WorkflowInfo> Engine::query(const std::string& workflow_id) const {
  auto stored = core_->store->load(workflow_id);
  if (!stored) return std::nullopt;
  std::string error;
  auto state = decode_state(stored->snapshot, &error);
  if (!state) {
    WorkflowInfo info;
    info.id = workflow_id;
    info.status = WorkflowStatus::dead_lettered;
    info.error = error;
    return info;
  }
  return to_info(*state);
}

std::vector<HistoryEvent> Engine::history(const std::string& workflow_id) const {
  std::vector<HistoryEvent> events;
  for (const auto& bytes : core_->store->history(workflow_id)) {
    if (auto event = decode_event(bytes)) events.push_back(std::move(*event));
    else events.push_back(HistoryEvent{0, 0, "unreadable_event", {}, 0, {}, {}, -1, "history entry is not a HistoryEvent", {}});
  }
  return events;
}

std::vector<DeadLetter> Engine::dead_letters() const { return core_->store->dead_letters(); }

std::optional<WorkflowInfo> Engine::wait(const std::string& workflow_id, Millis real_wait) const {
  const auto deadline = std::chrono::steady_clock::now() + real_wait;
  while (true) {
    uint64_t seen;
    {
      std::lock_guard lock(core_->changed_mutex);
      seen = core_->changes;
    }
    // The store is read outside the lock: commit acknowledgements take it to notify.
    auto info = query(workflow_id);
    if (!info || is_terminal(info->status)) return info;
    std::unique_lock lock(core_->changed_mutex);
    // In a cluster the workflow may run on another node, whose commits notify nobody here.
    const auto until = core_->cluster ? std::min(deadline, std::chrono::steady_clock::now() + kClusterWaitPoll) : deadline;
    if (!core_->changed.wait_until(lock, until, [&] { return core_->changes != seen; }) && until == deadline) {
      lock.unlock();
      return query(workflow_id);
    }
  }
}

std::optional<BreakerState> Engine::breaker_state(const std::string& service) const {
  auto breaker = core_->find_breaker(service);
  if (!breaker) return std::nullopt;
  caf::scoped_actor self{*core_->system};
  std::optional<BreakerState> state;
  self->request(breaker, std::chrono::seconds(5), state_atom::value)
      .receive([&](BreakerState s) { state = s; }, [&](caf::error&) {});
  return state;
}

size_t Engine::running_instances() const {
  caf::scoped_actor self{*core_->system};
  size_t count = 0;
  self->request(core_->supervisor, std::chrono::seconds(10), state_atom::value)
      .receive([&](size_t instances) { count = instances; }, [&](caf::error&) {});
  return count;
}

void Engine::crash_instance(const std::string& workflow_id) {
  core_->send_from_outside(core_->supervisor, caf::make_message(crash_atom::value, workflow_id));
}

Clock& Engine::clock() const { return *core_->clock; }
Store& Engine::store() const { return *core_->store; }

}  // namespace actorflow
