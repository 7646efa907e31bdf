#pragma once
// Real processes for crash tests: start a program, kill it, wait for it to end; or run one to its
// end and capture what it prints.
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

// What a program run to its end said.
struct ProgramResult {
  int exit_code = -1;      // 128 + signal when killed; -1 when it had to be killed for the time limit
  bool timed_out = false;
  std::string out;         // everything it wrote on stdout...
  std::string err;         // ...and on stderr
};

// Runs `program` with `args` (argv[1..]) and `extra_env` ("NAME=value", added to or replacing
// this process' environment), stdin from /dev/null, both outputs captured through pipes (read
// together, so a child filling one cannot block). Killed (SIGKILL) when it has not ended within
// `limit`. Throws std::runtime_error when it cannot be started.
ProgramResult run_program(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds limit, const std::vector<std::string>& extra_env = {});

}  // namespace actorflow::testing
