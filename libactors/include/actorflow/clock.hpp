#pragma once
// Time as a seam: the engine reads time and schedules timers only through a Clock, so tests can
// swap the real clock for a VirtualClock that advances instantly.
#include <actorflow/export.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ACTORFLOW_API actorflow {

using Millis = std::chrono::milliseconds;
using TimerId = uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;

  // Milliseconds since the Unix epoch (virtual clocks start wherever they are told).
  virtual int64_t now_ms() const = 0;

  // Runs `fire` once, `delay` from now, on the clock's own thread (real clock) or on the thread
  // that advances time (virtual clock). `fire` must be short: it should only send a message.
  // `label` names the timer for logs and tests, e.g. "wf-1/charge timeout".
  // Thread-safe.
  virtual TimerId schedule(Millis delay, std::string label, std::function<void()> fire) = 0;

  // Cancels a timer that has not fired; returns false when it already fired or never existed.
  // Thread-safe.
  virtual bool cancel(TimerId id) = 0;
};

// The production clock: system time, timers on one background thread.
std::shared_ptr<Clock> make_real_clock();

}  // namespace actorflow
