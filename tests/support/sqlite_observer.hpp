#pragma once
// A read-only view of a SQLite database that a child process of the test writes (the writer holds
// the database's lock, so a second writable store would be refused). The database is created
// first when missing, so that the view can open it before the child starts.
#include <actorflow/store.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace actorflow::testing {

inline std::shared_ptr<Store> open_sqlite_observer(const std::string& path) {
  // Creates the schema when the file is not there yet (its lock is released as it goes); a file
  // that exists may be held by its writer already.
  if (!std::filesystem::exists(path)) make_sqlite_store(path);
  SqliteOptions options;
  options.read_only = true;
  return make_sqlite_store(path, options);
}

}  // namespace actorflow::testing
