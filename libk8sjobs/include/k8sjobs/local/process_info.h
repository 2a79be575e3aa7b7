#pragma once
// What /proc says about a process: enough to tell our process from a later one that reuses
// its pid, and to see a continuous job's restarts.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "k8sjobs/local/local_job.h"

namespace k8sjobs::local {

struct ProcessStat {
  char state = '?';  // R, S, D, Z, T, ...
  int parent = 0;
  std::uint64_t start_ticks = 0;  // clock ticks after boot
};

// Parses the text of /proc/<pid>/stat (the command name may hold spaces and parentheses).
std::optional<ProcessStat> parse_process_stat(std::string_view text);

std::optional<ProcessStat> read_process_stat(int pid);

// The process with this start time exists and has not ended (a zombie has ended).
bool process_alive(const ProcessId& process);

// The direct children of a process (/proc/<pid>/task/<pid>/children).
std::vector<int> process_children(int pid);

// A continuous job's launcher runs the program as its child and, after a non-zero exit,
// sleeps 5 s and runs it again: so a child started a second or more after the launcher means
// the program has ended at least once.
bool launcher_restarted(const ProcessId& launcher);

}  // namespace k8sjobs::local
