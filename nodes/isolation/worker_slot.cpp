// One worker of a WorkerPool, driven by its own thread: start, serve, end, restart.
#include "worker_pool.hpp"
#include "step_worker.hpp"
#include "worker_process.hpp"

#include <actorflow/logging.hpp>

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>

namespace actorflow::node::isolation {

void WorkerPool::drive(Slot& slot, std::shared_ptr<std::promise<std::optional<std::string>>> started) {
  int deaths_in_row = 0;
  bool reported = false;
  while (true) {
    const auto backoff =
        deaths_in_row == 0 ? std::chrono::milliseconds(0)
                           : std::min(kRestartBackoffMax, kRestartBackoffInitial * (1 << std::min(deaths_in_row - 1, 16)));
    if (wait_stop(backoff)) break;
    pid_t pid = -1;
    std::unique_ptr<FrameChannel> channel;
    WorkerCatalog catalog;
    try {
      launch(pid, channel, catalog);
    } catch (const std::exception& e) {
      std::string problem = e.what();
      channel.reset();
      if (pid > 0) problem += " (the worker " + describe_wait_status(reap_worker(pid, kWorkerStopGrace)) + ")";
      log_json(spdlog::level::err, {{"event", "worker_start_failed"}, {"plugin", options_.plugin_path},
                                    {"worker", slot.index}, {"error", problem}});
      if (!reported) return started->set_value(problem);
      ++deaths_in_row;
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      slot.pid = pid;
      slot.kill_reason.clear();
    }
    log_json(spdlog::level::info, {{"event", reported ? "worker_restarted" : "worker_started"},
                                   {"plugin", options_.plugin_path}, {"worker", slot.index}, {"pid", pid},
                                   {"deaths_in_row", deaths_in_row}, {"backoff_ms", backoff.count()}});
    if (!reported) {
      if (slot.index == 0) catalog_ = std::move(catalog);
      started->set_value(std::nullopt);
      reported = true;
    }
    const Ending ending = serve(slot, *channel);
    channel.reset();  // a worker still alive reads the end of its channel and exits
    const int status = reap_worker(pid, ending.killed ? std::chrono::milliseconds(0) : kWorkerStopGrace);
    report_end(slot, pid, ending, status);
    if (ending.stopping) break;
    deaths_in_row = ending.answered ? 1 : deaths_in_row + 1;
  }
}

void WorkerPool::launch(pid_t& pid, std::unique_ptr<FrameChannel>& channel, WorkerCatalog& catalog) {
  std::vector<std::string> args{kStepWorkerFlag, options_.resolved_path, "--parent-pid", std::to_string(getpid()),
                                "--frame-bytes-max", std::to_string(options_.frame_bytes_max)};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  WorkerProcess worker = spawn_worker(options_.program, args, options_.frame_bytes_max);
  pid = worker.pid;
  channel = std::move(worker.channel);
  std::optional<Json> hello;
  try {
    hello = channel->read(stop_fd_, static_cast<int>(kWorkerStartTimeout.count()));
  } catch (const ChannelClosed&) {
    throw std::runtime_error("its step worker ended before it reported its handlers");
  }
  if (!hello) throw std::runtime_error("its step worker did not report its handlers (or the node is stopping)");
  const std::string type = (*hello)["type"].get<std::string>();
  if (type == "refused") throw std::runtime_error(hello->value("error", std::string("refused")));
  if (type != "hello") throw FrameError("expected a 'hello' frame, got '" + type + "'");
  catalog = catalog_of_hello(*hello);
}

WorkerPool::Ending WorkerPool::serve(Slot& slot, FrameChannel& channel) {
  Ending ending;
  while (true) {
    pollfd fds[3]{{stop_fd_, POLLIN, 0}, {channel.fd(), POLLIN, 0}, {jobs_fd_, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      ending.reason = "the node could not poll its channel";
      kill_worker(slot);
      ending.killed = true;
      return ending;
    }
    if (fds[0].revents & POLLIN) {
      ending.stopping = true;
      return ending;
    }
    if (fds[1].revents != 0) {  // an idle worker spoke, or ended
      try {
        channel.read(stop_fd_, 0);
        ending.reason = "it sent a frame while it had no step";
      } catch (const ChannelClosed&) {
        return ending;
      } catch (const FrameError& e) {
        ending.reason = std::string("it sent a malformed frame: ") + e.what();
      }
      kill_worker(slot);
      ending.killed = true;
      return ending;
    }
    if ((fds[2].revents & POLLIN) && take_job(slot)) {
      if (!run_job(slot, channel, ending)) return ending;
      ending.answered = true;
    }
  }
}

bool WorkerPool::run_job(Slot& slot, FrameChannel& channel, Ending& ending) {
  Json frame;
  {
    std::lock_guard lock(mutex_);
    frame = std::move(slot.job->frame);
  }
  try {
    channel.write(frame);
  } catch (const FrameError& e) {
    finish_job(slot, StepOutcome::failure(std::string("the step's input is too large for its step worker: ") + e.what(),
                                          false));
    return true;
  } catch (const ChannelClosed&) {
    return false;
  }
  try {
    while (true) {
      const std::optional<Json> answer = channel.read(stop_fd_);
      if (!answer) {
        ending.stopping = true;
        kill_worker(slot);
        ending.killed = true;
        return false;
      }
      const std::string type = (*answer)["type"].get<std::string>();
      if (type == "ledger_get" || type == "ledger_put") {
        answer_ledger(channel, *answer);
        continue;
      }
      if (type != "result") throw FrameError("a '" + type + "' frame while a step ran");
      finish_job(slot, outcome_of_result(*answer));
      return true;
    }
  } catch (const ChannelClosed&) {
    return false;
  } catch (const FrameError& e) {
    ending.reason = std::string("it sent a malformed frame: ") + e.what();
    kill_worker(slot);
    ending.killed = true;
    return false;
  }
}

void WorkerPool::answer_ledger(FrameChannel& channel, const Json& frame) {
  const std::string key = string_field(frame, "key");
  Json reply;
  try {
    if (frame["type"] == "ledger_get") {
      const auto value = options_.ledger->ledger_get(key);
      reply = {{"type", "ledger_value"}, {"value", value ? Json(*value) : Json()}};
    } else {
      const std::string value = string_field(frame, "value");
      reply = {{"type", "ledger_stored"}, {"stored", options_.ledger->ledger_put(key, value)}};
    }
  } catch (const FrameError&) {
    throw;
  } catch (const std::exception& e) {
    reply = {{"type", "ledger_error"}, {"error", e.what()}};
  }
  channel.write(reply);
}

void WorkerPool::report_end(Slot& slot, pid_t pid, const Ending& ending, int wait_status) {
  const std::string status = describe_wait_status(wait_status);
  std::string kill_reason;
  Json line{{"plugin", options_.plugin_path}, {"worker", slot.index}, {"pid", pid}, {"status", status}};
  {
    std::lock_guard lock(mutex_);
    slot.pid = -1;
    kill_reason = slot.kill_reason;
    if (slot.job) {
      line["workflow_id"] = slot.job->workflow_id;
      line["step"] = slot.job->step_path;
      line["attempt"] = slot.job->attempt;
    }
  }
  if (ending.stopping) {
    line["event"] = "worker_stopped";
    log_json(spdlog::level::info, line);
    finish_job(slot, StepOutcome::failure("plugin '" + options_.plugin_path +
                                          "': the node stopped its step worker while this step ran"));
    return;
  }
  const bool timed_out = !kill_reason.empty();
  line["event"] = timed_out ? "worker_killed" : "worker_died";
  line["reason"] = timed_out ? kill_reason : ending.reason.empty() ? "it ended by itself" : ending.reason;
  log_json(timed_out ? spdlog::level::warn : spdlog::level::err, line);
  finish_job(slot, StepOutcome::failure(timed_out ? "plugin '" + options_.plugin_path +
                                                        "': its step worker was killed (SIGKILL): " + kill_reason
                                                  : died_error(status, ending.reason)));
}

}  // namespace actorflow::node::isolation
