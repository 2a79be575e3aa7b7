#include "k8sjobs/sys/environment.h"

#include <unistd.h>

extern char** environ;  // NOLINT: POSIX

namespace k8sjobs::sys {

Environment Environment::from_process() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string line(*entry);
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    vars.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return Environment(std::move(vars));
}

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::string Environment::get_or(const std::string& name, const std::string& fallback) const {
  auto value = get(name);
  return value ? *value : fallback;
}

}  // namespace k8sjobs::sys
