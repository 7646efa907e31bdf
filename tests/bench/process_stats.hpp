#pragma once
// What the kernel says a process has used: CPU time (/proc/<pid>/stat) and resident memory
// (/proc/<pid>/statm). Throws std::runtime_error when the process is not there.
#include <sys/types.h>

#include <cstdint>

namespace bench {

// User + system CPU seconds the process has used so far (all its threads).
double cpu_seconds(pid_t pid);
// Context switches (voluntary and not) of the threads of this process alive now, so far.
int64_t context_switches_of_this_process();
// Resident bytes. For this process, freed memory is first returned to the system (malloc_trim),
// so the figure is what is still held.
int64_t resident_bytes(pid_t pid);

}  // namespace bench
