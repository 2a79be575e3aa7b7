#pragma once
// The process environment as a value, so library code never reads globals and tests can
// hand in exactly the variables they want.

#include <map>
#include <optional>
#include <string>

namespace k8sjobs::sys {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}

  // Snapshot of the real process environment (call once, at the edge, in main()).
  static Environment from_process();

  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  void unset(const std::string& name) { vars_.erase(name); }
  const std::map<std::string, std::string>& all() const { return vars_; }

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace k8sjobs::sys
