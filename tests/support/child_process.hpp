#pragma once
// Real processes for crash tests: start a program, kill it, wait for it to end.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace actorflow::testing {

// Starts `program` with `args` (argv[1..]); throws std::runtime_error when it cannot be started.
pid_t spawn_program(const std::string& program, const std::vector<std::string>& args);

// Waits (bounded, on the process' pidfd) for the process to exit; returns its exit code
// (128 + signal when killed), or -1 when it did not exit in time (it is then killed).
int wait_exit(pid_t pid, std::chrono::milliseconds limit);

// SIGKILL, then reaps it. True when it was still running (it died of the signal).
bool kill9(pid_t pid);

}  // namespace actorflow::testing
