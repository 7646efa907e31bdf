#include "fault_injector.hpp"

#include "eventually.hpp"

#include <iostream>
#include <thread>

namespace actorflow::fault {
namespace {

constexpr auto kRecoveryBound = std::chrono::seconds(60);

int64_t ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kill_node: return "kill_node";
    case FaultKind::stop_node: return "stop_node";
    case FaultKind::restart_redis: return "restart_redis";
    case FaultKind::kill_redis: return "kill_redis";
  }
  return "?";
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (FaultKind kind : kFaultKinds)
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

FaultInjector::FaultInjector(testing::LocalCluster& cluster, LiveNodes& live, uint64_t seed, std::vector<FaultKind> kinds)
    : cluster_(cluster), live_(live), rng_(seed ^ 0x5eedfa17ull), kinds_(std::move(kinds)) {
  if (kinds_.empty()) kinds_.assign(std::begin(kFaultKinds), std::end(kFaultKinds));
  refresh_live();
}

void FaultInjector::refresh_live(const std::string& except) {
  std::vector<int> ports;
  for (const auto& id : cluster_.running_nodes())
    if (id != except) ports.push_back(cluster_.node(id).port());
  live_.set(std::move(ports));
}

FaultKind FaultInjector::next_kind() {
  std::vector<FaultKind> least;
  int fewest = -1;
  for (FaultKind kind : kinds_) {
    const int n = counts_[kind];
    if (fewest < 0 || n < fewest) {
      fewest = n;
      least.clear();
    }
    if (n == fewest) least.push_back(kind);
  }
  return least[std::uniform_int_distribution<size_t>(0, least.size() - 1)(rng_)];
}

std::chrono::milliseconds FaultInjector::pause(std::chrono::milliseconds min, std::chrono::milliseconds max) {
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(min.count(), max.count())(rng_));
}

std::string FaultInjector::pick_node() {
  const auto nodes = cluster_.running_nodes();
  return nodes[std::uniform_int_distribution<size_t>(0, nodes.size() - 1)(rng_)];
}

int64_t FaultInjector::until(const std::function<bool()>& recovered, std::chrono::steady_clock::time_point since) {
  const bool ok = testing::eventually(
      [&] {
        try {
          return recovered();
        } catch (const std::exception&) {
          return false;  // Redis still coming back
        }
      },
      kRecoveryBound);
  return ok ? ms_since(since) : -1;
}

bool FaultInjector::probe_completes(const std::string& id) {
  const testing::NodeProcess& via = cluster_.node(pick_node());
  // A purchase order below the approval threshold: two steps, no breaker to wait for.
  const testing::HttpAnswer started = testing::start_workflow(via, "purchase_order", id, Json{{"amount_cents", 500}});
  if (started.status != 201 && started.status != 200) return false;
  return testing::wait_for_status(via, id, {"completed"}, std::chrono::seconds(1)).value("status", "") == "completed";
}

FaultRecord FaultInjector::inject(FaultKind kind) {
  ++counts_[kind];
  FaultRecord record{kind, "", -1};
  const auto t0 = std::chrono::steady_clock::now();
  switch (kind) {
    case FaultKind::kill_node: {
      record.target = pick_node();
      cluster_.kill9(record.target);
      refresh_live();
      record.recovery_ms = until(
          [&] {
            for (const auto& owner : cluster_.owners())
              if (owner.empty() || owner == record.target) return false;
            return true;
          },
          t0);
      cluster_.start(record.target);
      refresh_live();
      break;
    }
    case FaultKind::stop_node: {
      record.target = pick_node();
      cluster_.node(record.target).pause();
      refresh_live(record.target);  // clients stop sending to a node that does not answer
      record.recovery_ms = until([&] { return cluster_.shards_by_owner().count(record.target) == 0 &&
                                              cluster_.shards_by_owner().count("") == 0; }, t0);
      cluster_.node(record.target).resume();
      refresh_live();
      break;
    }
    case FaultKind::restart_redis:
    case FaultKind::kill_redis: {
      record.target = "redis";
      const bool killed = kind == FaultKind::kill_redis;
      if (killed) cluster_.redis().kill9();
      else cluster_.redis().stop();
      // Down this long (a fault's length, not a synchronisation).
      std::this_thread::sleep_for(killed ? pause(std::chrono::milliseconds(1000), std::chrono::milliseconds(4000))
                                         : pause(std::chrono::milliseconds(200), std::chrono::milliseconds(1500)));
      cluster_.redis().restart();
      const auto restarted = std::chrono::steady_clock::now();
      const std::string probe = "probe-" + std::to_string(++probes_);
      record.recovery_ms = until([&] { return probe_completes(probe); }, restarted);
      break;
    }
  }
  std::cout << "fault " << records_.size() + 1 << ": " << to_string(kind) << " " << record.target << ", recovered in "
            << record.recovery_ms << " ms" << std::endl;
  records_.push_back(record);
  return record;
}

}  // namespace actorflow::fault
