#pragma once
// One run of the node program: config, logging, store, engine, plugins, workflow definitions,
// recovery, HTTP API; then serving until SIGTERM or SIGINT, draining and stopping.
#include <string>

namespace actorflow::node {

// The program's exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // could not run: the store cannot be opened, the address cannot be bound
inline constexpr int kExitInvalid = 2;  // refused: a bad config, plugin, workflow definition or command line

struct NodeArgs {
  std::string config_path;
  bool check_only = false;  // validate config, plugins and workflows (on a memory store), do not serve
};

// Runs the node and returns its exit code. Problems that refuse a start are printed to stderr, one
// per line; the node's events are JSON log lines on stderr (node_listening names the bound
// address). Call block_shutdown_signals() first.
int run_node(const NodeArgs& args);

}  // namespace actorflow::node
