#pragma once
// The step worker: the child process side of process isolation. The node starts its own program
// again as `actorflow-node --step-worker <plugin path> --parent-pid <pid> ...` (the same binary,
// not a separate program: a plugin resolves the engine's symbols against the program that loads
// it, and only actorflow-node exports them, built with the same headers the plugin's ABI check
// trusts; a second program would need the same whole-archive link and could drift from the node).
// The worker
//   - dies with its parent (PR_SET_PDEATHSIG, SIGKILL) and keeps only fds 0-2 and its channel (3);
//   - loads the plugin into an Engine of its own (a memory store; nothing runs there), reports the
//     handlers and breakers it registered (a hello frame, worker_protocol.hpp), or why it did not
//     load (a refused frame, exit code 2);
//   - serves jobs one at a time until the node closes the channel (exit 0); StepContext::once goes
//     to the node's ledger (ledger_proxy_store.hpp). A malformed frame from the node: exit 3.
#include <actorflow/actorflow.hpp>

#include <functional>
#include <optional>
#include <string>

namespace actorflow::node::isolation {

inline constexpr const char* kStepWorkerFlag = "--step-worker";
inline constexpr int kWorkerChannelFd = 3;

// Loads the plugin at `plugin_path` into `engine`; the problem when it did not load.
using PluginRegistrar =
    std::function<std::optional<std::string>(Engine& engine, const std::string& plugin_path, const std::string& node_id)>;

// Whether the command line asks for a step worker (argv[1] is --step-worker).
bool is_step_worker_command(int argc, char** argv);
// Runs the worker the command line describes; its exit code.
int run_step_worker(int argc, char** argv, const PluginRegistrar& load_plugin);

}  // namespace actorflow::node::isolation
