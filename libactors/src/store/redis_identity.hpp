#pragma once
// What a Redis store checks of its server, besides reaching it:
// - durability machine: at every connect, CONFIG GET appendonly = yes and appendfsync = always;
// - the identity record <prefix>identity, a hash {id, created_ms, seq[, fault]}: written at the
//   first connect of a store to a Redis without one, then checked by every commit batch inside the
//   write script (the batch's writes carry the id and the last sequence this store acknowledged;
//   the batch ends by incrementing seq). Its loss (FLUSHALL, another Redis) or a sequence below
//   the last acknowledged one (Redis restarted on an older AOF/RDB) is a lasting fault: every
//   write is refused until an operator acts (restart the node; for a rollback, after checking what
//   was lost, HDEL <prefix>identity fault).
#include "store/redis_connection.hpp"

#include <actorflow/store.hpp>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace actorflow::redis {

// A connect refused because the server's settings are not what the store needs (a StoreUnavailable
// that a retry will not cure until an operator changes them).
class SettingsRefused : public StoreUnavailable {
 public:
  using StoreUnavailable::StoreUnavailable;
};

// Results of the write script beyond ok / exists / stale epoch.
inline constexpr long long kScriptIdentityMissing = 3;
inline constexpr long long kScriptWentBack = 4;

class StoreIdentity {
 public:
  StoreIdentity(const RedisOptions& options, std::string key);

  const std::string& key() const { return key_; }

  // The on-connect check of the commit connection. Throws SettingsRefused (settings) or
  // StoreUnavailable (a lasting fault found now, or the connection failing).
  void check(Connection& connection);

  // For the writes of a batch: the identity id they must find, and the last acknowledged sequence.
  std::string id() const;
  uint64_t acknowledged() const;

  // The batch's last command: increments the sequence when the identity holds (see kBumpScript).
  static std::string_view bump_script();
  // Its reply: records the new sequence and the workflows of the batch, or the fault it shows.
  // False when the batch must not be acknowledged.
  bool batch_done(const redisReply* bump_reply, const std::vector<std::string>& workflow_ids);
  // A write script answered kScriptIdentityMissing or kScriptWentBack.
  void refused_by_script(long long code);

  // The lasting fault (or the settings refusal of the last connect); empty while healthy.
  std::string fault() const;
  // Only the lasting fault: writes are refused without asking Redis.
  std::string lasting_fault() const;

 private:
  void check_settings(Connection& connection);
  void check_record(Connection& connection);
  void went_back(Connection* connection, uint64_t store_seq);
  void set_fault(const std::string& reason, const std::string& event);

  const RedisOptions options_;
  const std::string key_;
  const std::string address_;
  mutable std::mutex mutex_;
  std::string id_;               // empty until the first connect
  uint64_t acknowledged_ = 0;    // the highest sequence a batch of this store was acknowledged at
  std::string fault_;            // lasting
  std::string settings_refusal_; // until a connect passes the check
  // The workflows written by the most recent acknowledged batches, by sequence: what a rollback
  // lost, for the log.
  std::deque<std::pair<uint64_t, std::vector<std::string>>> recent_;
};

}  // namespace actorflow::redis
