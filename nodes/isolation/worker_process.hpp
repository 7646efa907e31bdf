#pragma once
// One step worker process as the node sees it: started with posix_spawn (safe in the node's many
// threads), its channel on fd 3, signals unblocked and at their defaults (the node blocks its
// shutdown signals in every thread), stdout and stderr the node's (its log lines join the node's).
// The thread that starts a worker must live as long as the worker: the worker's
// PR_SET_PDEATHSIG fires when that thread ends.
#include "frame_channel.hpp"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace actorflow::node::isolation {

struct WorkerProcess {
  pid_t pid = -1;
  std::unique_ptr<FrameChannel> channel;
};

// Starts `program` with `args` (argv[1] on); throws std::runtime_error when it cannot.
WorkerProcess spawn_worker(const std::string& program, const std::vector<std::string>& args, size_t frame_bytes_max);

// Reaps `pid`: waits for it, and when it has not exited after `grace`, SIGKILLs it and waits.
// Returns its wait status.
int reap_worker(pid_t pid, std::chrono::milliseconds grace);

// "killed by signal 6 (SIGABRT)", "exited with code 3".
std::string describe_wait_status(int status);

}  // namespace actorflow::node::isolation
