#pragma once
// The problems one load of a config, definition or chaos text finds, in the order found.
#include <cstddef>
#include <string>
#include <vector>

namespace actorflow::config {

// At most limits::kYamlProblemsMax are kept, the rest are counted. Not thread-safe.
class Problems {
 public:
  void add(std::string problem);
  // Every problem found so far, kept or not: compare before and after to see whether a part added any.
  size_t count() const { return list_.size() + dropped_; }
  // The kept problems, and one line saying how many were left out.
  std::vector<std::string> take();

 private:
  std::vector<std::string> list_;
  size_t dropped_ = 0;
};

}  // namespace actorflow::config
