#include "prometheus_text.hpp"

#include <actorflow/version.hpp>

#include <cstdio>
#include <sstream>

namespace actorflow::node {
namespace {

// Label values escape backslash, double quote and newline.
std::string label_value(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP actorflow_" << name << ' ' << help << "\n# TYPE actorflow_" << name << ' ' << type << '\n';
  }
  void sample(const std::string& name, const std::string& labels, const std::string& value) {
    out_ << "actorflow_" << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char* name, const std::string& value) { return std::string(name) + "=\"" + label_value(value) + "\""; }

}  // namespace

std::string render_prometheus(const EngineMetrics& m, const std::string& node_id) {
  Writer w;
  w.family("build_info", "gauge", "The Actorflow build serving these metrics (always 1).");
  w.sample("build_info", label("version", version()) + "," + label("revision", git_revision()), "1");
  if (!node_id.empty()) {
    w.family("node_info", "gauge", "The node serving these metrics.");
    w.sample("node_info", label("node", node_id), "1");
  }
  w.family("workflows", "gauge", "Workflows in the store by status.");
  for (WorkflowStatus status : kWorkflowStatuses) {
    uint64_t count = 0;
    for (const auto& [s, n] : m.workflows_by_status)
      if (s == status) count = n;
    w.sample("workflows", label("status", std::string(to_string(status))), std::to_string(count));
  }
  w.family("workflow_instances_running", "gauge", "Workflow instance actors alive on this node.");
  w.sample("workflow_instances_running", {}, std::to_string(m.running_instances));
  w.family("workflows_started_total", "counter", "Workflows this node started.");
  w.sample("workflows_started_total", {}, std::to_string(m.workflows_started));
  w.family("step_retries_total", "counter", "Step and compensation attempts scheduled again after a failure.");
  w.sample("step_retries_total", {}, std::to_string(m.step_retries));
  w.family("instance_restarts_total", "counter", "Workflow instance actors respawned after a crash.");
  w.sample("instance_restarts_total", {}, std::to_string(m.instance_restarts));
  w.family("crash_suspected_steps_total", "counter",
           "Steps and compensations found in flight when their workflow was resumed after its process died.");
  w.sample("crash_suspected_steps_total", {}, std::to_string(m.crash_suspected_steps));
  w.family("dead_letter_retries_total", "counter", "Dead-lettered workflows retried.");
  w.sample("dead_letter_retries_total", {}, std::to_string(m.dead_letter_retries));
  w.family("chaos_faults_injected_total", "counter", "Faults injected by chaos policies, by kind.");
  for (ChaosKind kind : kChaosKinds)
    w.sample("chaos_faults_injected_total", label("kind", std::string(to_string(kind))),
             std::to_string(m.chaos_injected.of(kind)));

  w.family("step_attempts_total", "counter", "Finished step attempts by handler and outcome.");
  for (const auto& [handler, step] : m.steps) {
    w.sample("step_attempts_total", label("handler", handler) + ",outcome=\"success\"", std::to_string(step.succeeded));
    w.sample("step_attempts_total", label("handler", handler) + ",outcome=\"failure\"", std::to_string(step.failed));
  }
  w.family("step_timeouts_total", "counter", "Step attempts that timed out, by handler.");
  for (const auto& [handler, step] : m.steps) w.sample("step_timeouts_total", label("handler", handler), std::to_string(step.timed_out));
  w.family("step_duration_seconds", "histogram", "Step attempt durations, dispatch to result, by handler.");
  for (const auto& [handler, step] : m.steps) {
    const std::string h = label("handler", handler);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i) {
      cumulative += step.latency.buckets[i];
      w.sample("step_duration_seconds_bucket", h + ",le=\"" + number(LatencyHistogram::kBoundsMs[i] / 1000.0) + "\"",
               std::to_string(cumulative));
    }
    w.sample("step_duration_seconds_bucket", h + ",le=\"+Inf\"", std::to_string(step.latency.count));
    w.sample("step_duration_seconds_sum", h, number(step.latency.sum_ms / 1000.0));
    w.sample("step_duration_seconds_count", h, std::to_string(step.latency.count));
  }
  w.family("breaker_state", "gauge", "Circuit breaker state by service: 1 for the state it is in, 0 for the others.");
  for (const auto& [service, state] : m.breakers)
    for (BreakerState s : {BreakerState::closed, BreakerState::open, BreakerState::half_open})
      w.sample("breaker_state", label("service", service) + "," + label("state", std::string(to_string(s))),
               s == state ? "1" : "0");
  return w.text();
}

}  // namespace actorflow::node
