#include "config/problems.hpp"

#include <actorflow/limits.hpp>

namespace actorflow::config {

void Problems::add(std::string problem) {
  if (list_.size() < static_cast<size_t>(limits::kYamlProblemsMax)) list_.push_back(std::move(problem));
  else ++dropped_;
}

std::vector<std::string> Problems::take() {
  std::vector<std::string> out = std::move(list_);
  if (dropped_ > 0)
    out.push_back("... and " + std::to_string(dropped_) + " more problems (at most " +
                  std::to_string(limits::kYamlProblemsMax) + " are reported)");
  list_.clear();
  dropped_ = 0;
  return out;
}

}  // namespace actorflow::config
