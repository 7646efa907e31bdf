#pragma once
// Runs Debian's Chromium headless as a child process, bounded in time, leaving nothing behind.
//
// Flags and why: --headless, --disable-gpu (no display, no GPU); --no-sandbox (the sandbox
// refuses to start as root, as in containers and CI); --disable-dev-shm-usage (a container's
// /dev/shm is often 64 MB, too small); a fresh --user-data-dir and HOME in a temporary directory
// (no profile or crash database shared between runs or with a user); no first-run, extensions,
// sync or background networking (nothing is fetched from the network).
//
// Chromium starts crashpad handlers in sessions of their own, so killing its process group is not
// enough: this process becomes a child subreaper, those handlers are reparented to it when the
// browser exits, and they are killed and reaped by pid.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace actorflow::testing {

struct ChromiumRun {
  int exit_code = -1;      // 128 + signal when killed by one
  bool timed_out = false;  // it ran past the limit and was killed
  std::string out;         // stdout (e.g. the DOM with --dump-dom)
  std::string err;         // stderr (Chromium logs there; for failure messages)
};

// The path of `chromium` on PATH; empty when it is not installed.
std::string find_chromium();

// What a test says when chromium is missing (CI installs it with scripts/install-deps.sh).
extern const char* const kChromiumMissing;

// Processes whose parent is this one (after a run: whatever it left behind, which should be none).
std::vector<pid_t> children_of_this_process();

// The fixed flags above, with the profile in `profile_dir`.
std::vector<std::string> headless_flags(const std::string& profile_dir);
// This process's environment with HOME and the XDG directories in `home`.
std::vector<std::string> environment_with_home(const std::string& home);
// Kills and reaps every child of this process not in `children_before` (what a browser left).
void reap_leftovers(const std::vector<pid_t>& children_before);

// Runs `chromium` headless with the fixed flags above plus `args` (flags, then the URL last).
// Kills it (and everything it started) after `limit`. Throws std::runtime_error when it cannot
// be started.
ChromiumRun run_headless_chromium(const std::string& chromium, const std::vector<std::string>& args,
                                  std::chrono::milliseconds limit);

}  // namespace actorflow::testing
