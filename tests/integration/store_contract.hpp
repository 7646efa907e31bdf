#pragma once
// The behaviour every Store backend must have. A backend's test file instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory{"sqlite", make}));
#include <actorflow/store.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace actorflow::testing {

struct StoreFactory {
  std::string name;
  // Returns a fresh, empty store. Called once per test.
  std::function<std::shared_ptr<Store>()> make;
};

inline std::string PrintToString(const StoreFactory& f) { return f.name; }

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store = GetParam().make(); }
  std::shared_ptr<Store> store;
};

}  // namespace actorflow::testing
