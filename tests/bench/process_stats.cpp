#include "process_stats.hpp"

#include <malloc.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace bench {

double cpu_seconds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("cannot read " + path);
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its ')'.
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  int64_t utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoll(field);
    if (number == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t context_switches_of_this_process() {
  int64_t switches = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        switches += std::stoll(line.substr(line.find(':') + 1));
    }
  }
  return switches;
}

int64_t resident_bytes(pid_t pid) {
  if (pid == getpid()) malloc_trim(0);
  const std::string path = "/proc/" + std::to_string(pid) + "/statm";
  std::ifstream in(path);
  int64_t size_pages = 0, resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) throw std::runtime_error("cannot read " + path);
  return resident_pages * sysconf(_SC_PAGESIZE);
}

}  // namespace bench
