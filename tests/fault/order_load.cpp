#include "order_load.hpp"

#include <actorflow/json.hpp>

#include <httplib.h>

#include <algorithm>
#include <chrono>

namespace actorflow::fault {
namespace {

// Failing steps, and the compensation that runs first after each. Not the charge: failures there
// open the "payments" circuit breaker, and orders would mostly wait for it.
constexpr const char* kForwardHandlers[] = {"shipping.create", "notify.confirmation"};
constexpr const char* kUndoOf[] = {"payment.refund", "shipping.cancel"};
constexpr auto kStartGiveUp = std::chrono::seconds(120);

}  // namespace

OrderLoad::OrderLoad(const LiveNodes& nodes, OrderLoadOptions options) : nodes_(nodes), options_(std::move(options)) {}

OrderLoad::~OrderLoad() { stop(); }

void OrderLoad::start() {
  for (int starter = 0; starter < options_.starters; ++starter) threads_.emplace_back([this, starter] { run(starter); });
}

void OrderLoad::stop() {
  stopping_ = true;
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

std::vector<std::string> OrderLoad::started() const {
  std::lock_guard lock(mutex_);
  return started_;
}

std::vector<std::string> OrderLoad::approved() const {
  std::lock_guard lock(mutex_);
  return approved_;
}

// Starter `starter` of n starts orders starter+1, starter+1+n, ...
void OrderLoad::run(int starter) {
  std::mt19937_64 rng(options_.seed * 1'000 + static_cast<uint64_t>(starter));
  std::uniform_real_distribution<double> chance(0.0, 1.0);
  std::uniform_int_distribution<int> step_ms(0, options_.step_ms_max);
  std::uniform_int_distribution<size_t> forward(0, std::size(kForwardHandlers) - 1);
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options_.starters / options_.orders_per_second));
  auto next = std::chrono::steady_clock::now() + interval * starter / options_.starters;
  std::this_thread::sleep_until(next);
  for (uint64_t n = static_cast<uint64_t>(starter) + 1; !stopping_; n += static_cast<uint64_t>(options_.starters)) {
    if (options_.purchase_order_every > 0 && n % static_cast<uint64_t>(options_.purchase_order_every) == 0) {
      const std::string id = options_.id_prefix + "/po-" + std::to_string(n);
      if (start_purchase_order(id, rng)) {
        std::lock_guard lock(mutex_);
        approved_.push_back(id);
      }
      next = std::max(next + interval, std::chrono::steady_clock::now());
      std::this_thread::sleep_until(next);
      continue;
    }
    Json slow = Json::object();
    for (const char* handler : {"inventory.reserve", "payment.charge", "shipping.create", "notify.confirmation"})
      slow[handler] = step_ms(rng);
    Json input{{"sku", "sku-" + std::to_string(n % 7)}, {"amount", 1 + static_cast<int>(n % 50)}, {"slow_ms", slow}};
    if (chance(rng) < options_.step_failure_probability) {
      const size_t which = forward(rng);
      input["fail"] = kForwardHandlers[which];
      ++step_failures_;
      if (chance(rng) < options_.compensation_failure_probability / options_.step_failure_probability) {
        input["fail_retryable"] = kUndoOf[which];  // the compensation of the step before never succeeds
        ++compensation_failures_;
      }
    }
    const std::string id = options_.id_prefix + "/order-" + std::to_string(n);
    const std::string body = Json{{"definition", "order_saga"}, {"id", id}, {"input", input}}.dump();
    if (start_one(id, body, rng)) {
      std::lock_guard lock(mutex_);
      started_.push_back(id);
    }
    // The load's pace, not a synchronisation. A start that waited (an outage) is not made up for
    // by a burst: the load stays steady.
    next = std::max(next + interval, std::chrono::steady_clock::now());
    std::this_thread::sleep_until(next);
  }
}

bool OrderLoad::start_one(const std::string& id, const std::string& body, std::mt19937_64& rng) {
  (void)id;
  return post_until("/v1/workflows", body, {201, 200}, rng);
}

bool OrderLoad::post_until(const std::string& path, const std::string& body, std::initializer_list<int> accepted,
                           std::mt19937_64& rng) {
  const auto give_up = std::chrono::steady_clock::now() + kStartGiveUp;
  while (std::chrono::steady_clock::now() < give_up) {
    if (const int port = nodes_.pick(rng); port != 0) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::seconds(1));
      client.set_read_timeout(std::chrono::seconds(5));  // then another node
      const auto reply = client.Post(path, body, "application/json");
      if (reply && std::find(accepted.begin(), accepted.end(), reply->status) != accepted.end()) return true;
    }
    ++start_retries_;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // another node, or the same once it is back
  }
  return false;
}

// A start, then its approval: both made again until a node acknowledges them. The approval is
// sent at once, usually before the workflow reaches its gate: the inbox keeps it.
bool OrderLoad::start_purchase_order(const std::string& id, std::mt19937_64& rng) {
  const Json input{{"order_id", id}, {"amount_cents", 25'000}, {"requested_by", "fault-run"}};
  if (!post_until("/v1/workflows", Json{{"definition", "purchase_order"}, {"id", id}, {"input", input}}.dump(), {201, 200},
                  rng))
    return false;
  std::string encoded;
  for (char c : id) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
  const Json decision{{"decision", "approve"}, {"by", "fault-run"}, {"reason", "load"}};
  // 409: an earlier attempt decided it although its answer was lost; the decision stands.
  if (post_until("/v1/workflows/" + encoded + "/signals/manager_approval", decision.dump(), {202, 409}, rng)) return true;
  ++approvals_given_up_;
  return false;
}

}  // namespace actorflow::fault
