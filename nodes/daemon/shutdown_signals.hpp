#pragma once
// SIGTERM and SIGINT (stop) and SIGHUP (reload tokens and certificates), taken synchronously
// (sigtimedwait) by the thread that waits for them instead of by a signal handler: shutdown and
// reloading are ordinary code (drain, stop the server, read files, log).
#include <actorflow/clock.hpp>

#include <optional>

namespace actorflow::node {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and ignores SIGPIPE. Call it first thing in
// main, before any thread starts: threads inherit the mask, so no other thread takes the signals
// and they stay pending until wait_shutdown_signal takes one.
void block_shutdown_signals();

// Waits at most `limit` for SIGTERM, SIGINT or SIGHUP; the signal's number, or nothing when none came.
std::optional<int> wait_shutdown_signal(Millis limit);

}  // namespace actorflow::node
