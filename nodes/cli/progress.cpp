#include "progress.hpp"

#include "duration.hpp"

#include <algorithm>
#include <optional>
#include <ostream>
#include <thread>

#include <sys/ioctl.h>
#include <unistd.h>

namespace actorflow::cli {

namespace {

class TimelineProgress : public ProgressDisplay {
 public:
  explicit TimelineProgress(std::ostream& out) : out_(out) {}

  void event(const TimelineEvent& event) override {
    if (!origin_ms_) origin_ms_ = event.at_ms;
    out_ << render_event(event, *origin_ms_, TimelineLayout{}) << std::endl;
  }
  void tick(const std::string&, std::chrono::milliseconds) override {}
  void finish() override {}

 private:
  std::ostream& out_;
  std::optional<int64_t> origin_ms_;
};

class InplaceProgress : public ProgressDisplay {
 public:
  InplaceProgress(std::ostream& out, int columns) : out_(out), columns_(static_cast<size_t>(std::max(columns, 20))) {}

  void event(const TimelineEvent& event) override {
    if (event.step.empty()) return;
    current_ = event.step;
    if (event.attempt > 1) current_ += " #" + std::to_string(event.attempt);
    current_ += " (" + (event.to.empty() ? event.type : event.to) + ")";
  }

  void tick(const std::string& status, std::chrono::milliseconds elapsed) override {
    static constexpr char spinner[] = {'|', '/', '-', '\\'};
    std::string line = std::string(1, spinner[ticks_++ % 4]) + " " + status;
    if (!current_.empty()) line += "  step " + current_;
    line += "  " + format_duration(elapsed);
    if (line.size() >= columns_) line.resize(columns_ - 1);
    out_ << "\r\033[2K" << line << std::flush;
    drawn_ = true;
  }

  void finish() override {
    if (drawn_) out_ << "\r\033[2K" << std::flush;
  }

 private:
  std::ostream& out_;
  size_t columns_;
  std::string current_;
  size_t ticks_ = 0;
  bool drawn_ = false;
};

std::string status_of(const Reply& reply) {
  if (!reply.json || !reply.json->is_object()) return {};
  auto it = reply.json->find("status");
  return it != reply.json->end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<int> terminal_columns(int fd) {
  if (!isatty(fd)) return std::nullopt;
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
  return size.ws_col;
}

bool is_terminal_status(std::string_view status) {
  return status == "completed" || status == "failed" || status == "compensated" || status == "dead-lettered" ||
         status == "dead_lettered";
}

std::unique_ptr<ProgressDisplay> make_timeline_progress(std::ostream& out) {
  return std::make_unique<TimelineProgress>(out);
}

std::unique_ptr<ProgressDisplay> make_inplace_progress(std::ostream& out, int columns) {
  return std::make_unique<InplaceProgress>(out, columns);
}

WaitResult wait_until_terminal(NodeClient& client, const std::string& workflow_id, const WaitSettings& settings,
                               ProgressDisplay& display) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + settings.timeout;
  const std::string path = "/v1/workflows/" + percent_encode(workflow_id);
  uint64_t last_seq = 0;
  auto interval = settings.poll_min;
  WaitResult result;
  while (true) {
    // Status first: the history read after it holds every event up to that status.
    result.workflow = client.get(path);
    std::string status = status_of(result.workflow);
    if (!result.workflow.ok() || status.empty()) break;

    Reply history = client.get(path + "/history");
    if (!history.ok() || !history.json) {
      result.workflow = std::move(history);
      break;
    }
    bool changed = false;
    for (const auto& event : timeline_events(*history.json)) {
      if (event.seq <= last_seq) continue;
      display.event(event);
      last_seq = event.seq;
      changed = true;
    }
    const auto now = Clock::now();
    display.tick(status, std::chrono::duration_cast<std::chrono::milliseconds>(now - started));
    if (is_terminal_status(status)) {
      result.end = WaitEnd::terminal;
      break;
    }
    if (now >= deadline) {
      result.end = WaitEnd::timed_out;
      break;
    }
    interval = changed ? settings.poll_min : std::min(settings.poll_max, interval * 3 / 2);
    std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - now));
  }
  display.finish();
  return result;
}

}  // namespace actorflow::cli
