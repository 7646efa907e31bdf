// actorflow-node: one Actorflow node. See node_runtime.hpp and config/node.yaml.
#include "isolation/step_worker.hpp"
#include "node_runtime.hpp"
#include "plugin_loader.hpp"
#include "shutdown_signals.hpp"

#include <actorflow/plugin.hpp>
#include <actorflow/version.hpp>

#include <CLI/CLI.hpp>

#include <string>

int main(int argc, char** argv) {
  // A step worker of a plugin with isolation: process (nodes/isolation/step_worker.hpp): the node
  // starts its own program again in this hidden mode.
  if (actorflow::node::isolation::is_step_worker_command(argc, argv))
    return actorflow::node::isolation::run_step_worker(argc, argv, actorflow::node::load_plugin_here);
  // Before any thread exists, so that every thread inherits the mask.
  actorflow::node::block_shutdown_signals();

  actorflow::node::NodeArgs args;
  CLI::App app{"actorflow-node: runs Actorflow workflows from YAML definitions, with handler plugins, "
               "behind an HTTP/JSON API. Stops on SIGTERM or SIGINT after draining."};
  // Before --config, which is required: CLI11 answers --version without it.
  app.set_version_flag("--version", std::string("actorflow-node ") + actorflow::version() + " (revision " +
                                        actorflow::git_revision() + ", " + actorflow::build_type() +
                                        ", plugin ABI " + std::to_string(actorflow::kPluginAbiVersion) + ")");
  app.add_option("--config", args.config_path, "the node config (YAML; config/node.yaml documents every key)")
      ->required();
  app.add_flag("--check", args.check_only,
               "check the config, the plugins and the workflow definitions, then exit: 0 when all is well, 2 "
               "with every problem printed");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : actorflow::node::kExitInvalid;
  }
  return actorflow::node::run_node(args);
}
