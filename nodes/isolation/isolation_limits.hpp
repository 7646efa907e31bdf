#pragma once
// The limits of process isolation (node.plugins entries with `isolation: process`, see
// worker_pool.hpp): each has a name, a default, and, where a plugin may want its own, a key of
// the plugin's map in node.plugins; the errors that hit one name it.
#include <chrono>
#include <cstddef>

namespace actorflow::node::isolation {

// node.plugins[i].workers: child worker processes of the plugin (each runs one step at a time).
inline constexpr int kWorkersDefault = 2;
inline constexpr int kWorkersMin = 1;
inline constexpr int kWorkersMax = 64;

// node.plugins[i].frame_bytes_max: the largest frame (a job's input, a step's output, a ledger
// record) on the channel between the node and a worker. A worker that sends a longer one is
// killed (its step fails retryably, naming the limit); a job whose input is longer fails.
inline constexpr size_t kFrameBytesDefault = 16u << 20;
inline constexpr size_t kFrameBytesMin = 1u << 10;
inline constexpr size_t kFrameBytesMax = 1u << 30;

// node.plugins[i].queue_max: steps of the plugin waiting for an idle worker; beyond it a step
// fails at once (retryably) with "isolated step queue full (node.plugins[i].queue_max = N)".
inline constexpr int kQueueDefault = 10'000;
inline constexpr int kQueueMin = 1;
inline constexpr int kQueueMax = 10'000'000;

// A worker that has not reported its handlers this long after it was started is killed (at the
// node's start: the node refuses to start, naming the plugin).
inline constexpr std::chrono::milliseconds kWorkerStartTimeout{30'000};
// A dead worker is started again after kRestartBackoffInitial, doubling with each death in a row
// up to kRestartBackoffMax; an answered step ends the row.
inline constexpr std::chrono::milliseconds kRestartBackoffInitial{100};
inline constexpr std::chrono::milliseconds kRestartBackoffMax{5'000};
// At shutdown a worker gets SIGTERM, then SIGKILL when it has not exited after this long.
inline constexpr std::chrono::milliseconds kWorkerStopGrace{2'000};

}  // namespace actorflow::node::isolation
