// A start while the store cannot take its commit (issue 17, item 9): the store's disk is full, a
// real SQLite file on a real, small filesystem (a tmpfs mounted here: needs root, else skipped).
// The start is answered unavailable after EngineOptions::store_wait_max, naming why; its commit
// goes on being retried, so once there is room the workflow is created and runs, and a retried
// start finds it.
#include "temp_dir.hpp"

#include <actorflow/actorflow.hpp>

#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

using namespace actorflow;
using namespace actorflow::testing;

namespace {

constexpr auto kAnswerWaitMax = std::chrono::seconds(20);  // far beyond store_wait_max: no answer is a hang

// A tmpfs of `size` mounted on a fresh directory, unmounted when it goes.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size) : path_(dir_.file("disk")) {
    std::filesystem::create_directory(path_);
    const std::string data = "size=" + size;
    mounted_ = mount("tmpfs", path_.c_str(), "tmpfs", 0, data.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  // Writes a file until the disk is full.
  void fill() {
    std::ofstream filler(file("filler"), std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size()) && filler.flush()) {
    }
  }
  void make_room() { std::filesystem::remove(file("filler")); }

 private:
  TempDir dir_;
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

TEST(StoreWait, AStartOnAFullDiskIsAnsweredUnavailableAfterStoreWaitMax) {
  SmallDisk disk("4m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << disk.error();
  {
    EngineOptions options;
    options.store = make_sqlite_store(disk.file("store.db"), {Durability::machine, "test"});
    options.store_wait_max = Millis(300);
    Engine engine(options);
    engine.register_handler("work", [](const StepContext&) { return Json::object(); });
    ASSERT_TRUE(engine.register_workflow(WorkflowBuilder("one").step("work", "work").build()));
    ASSERT_TRUE(engine.start("one", "wf-0").created);

    disk.fill();
    std::promise<StartResult> answered;
    engine.start_async("one", "wf-1", Json::object(), [&](StartResult result) { answered.set_value(result); });
    auto answer = answered.get_future();
    ASSERT_EQ(answer.wait_for(kAnswerWaitMax), std::future_status::ready) << "the start hangs";
    const StartResult result = answer.get();
    EXPECT_FALSE(result.created);
    EXPECT_TRUE(result.unavailable);
    EXPECT_NE(result.status.message().find("store unavailable: "), std::string::npos) << result.status.message();
    EXPECT_NE(result.status.message().find("full"), std::string::npos) << result.status.message();

    // Room again: the commit, retried all along, is taken; the workflow runs; a retried start
    // finds it.
    disk.make_room();
    // The writer retries with backoff (up to 2 s between tries): polled, bounded.
    std::optional<WorkflowInfo> info;
    const auto deadline = std::chrono::steady_clock::now() + kAnswerWaitMax;
    while (std::chrono::steady_clock::now() < deadline) {
      info = engine.wait("wf-1", Millis(1'000));
      if (info && info->status == WorkflowStatus::completed) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(info.has_value()) << "wf-1 was never created";
    EXPECT_EQ(info->status, WorkflowStatus::completed);
    const StartResult again = engine.start("one", "wf-1");
    EXPECT_TRUE(again.status.is_ok()) << again.status.message();
    EXPECT_FALSE(again.created);
  }
}

}  // namespace
