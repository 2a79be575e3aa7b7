#include "k8sjobs/local/process_info.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace k8sjobs::local {

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  // "pid (comm) state ppid ...": comm may contain ") ", so split at the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < rest.size()) {
    while (at < rest.size() && rest[at] == ' ') ++at;
    size_t end = rest.find(' ', at);
    if (end == std::string_view::npos) end = rest.size();
    if (end > at) fields.push_back(rest.substr(at, end - at));
    at = end;
  }
  // After comm: field 3 (state) is fields[0]; field 22 (starttime) is fields[19].
  if (fields.size() < 20 || fields[0].empty()) return std::nullopt;
  ProcessStat stat;
  stat.state = fields[0][0];
  auto parse = [](std::string_view field, auto& value) {
    auto result = std::from_chars(field.data(), field.data() + field.size(), value);
    return result.ec == std::errc() && result.ptr == field.data() + field.size();
  };
  if (!parse(fields[1], stat.parent) || !parse(fields[19], stat.start_ticks)) return std::nullopt;
  return stat;
}

std::optional<ProcessStat> read_process_stat(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  return parse_process_stat(text);
}

bool process_alive(const ProcessId& process) {
  auto stat = read_process_stat(process.pid);
  return stat && stat->start_ticks == process.start_ticks && stat->state != 'Z' &&
         stat->state != 'X';
}

std::vector<int> process_children(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<int> children;
  int child = 0;
  while (in >> child) children.push_back(child);
  return children;
}

bool launcher_restarted(const ProcessId& launcher) {
  if (!process_alive(launcher)) return false;
  long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) ticks_per_second = 100;
  for (int child : process_children(launcher.pid)) {
    auto stat = read_process_stat(child);
    if (stat &&
        stat->start_ticks >= launcher.start_ticks + static_cast<std::uint64_t>(ticks_per_second)) {
      return true;
    }
  }
  return false;
}

}  // namespace k8sjobs::local
