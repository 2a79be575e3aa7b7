#pragma once
// A hand-written HostView for the ge tests: a few files, directories and variables held in
// memory. Defaults are a Toolforge tool account: tools.alice with home /data/project/alice,
// running from its home (as cron did).

#include <map>
#include <set>
#include <string>

#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/ge/output_paths.h"

namespace k8sjobs::ge::testing {

class FakeHost : public HostView {
 public:
  std::map<std::string, std::string> files;  // path -> content
  std::set<std::string> executables;         // paths that are executable regular files
  std::set<std::string> directories;
  std::map<std::string, std::string> environment = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  std::string working_directory = "/data/project/alice";
  std::string home_directory = "/data/project/alice";
  std::string user_name = "tools.alice";
  std::string ctime = "Thu Mar  7 09:05:01 2024";
  std::optional<std::string> standard_input;  // what qsub reads without a script word

  // An executable script with this content.
  FakeHost& program(const std::string& path, const std::string& content = "#!/bin/sh\n") {
    files[path] = content;
    executables.insert(path);
    return *this;
  }

  bool exists(const std::string& path) const override {
    if (files.count(path) || executables.count(path) || directories.count(path)) return true;
    // Parents of known files exist too.
    const std::string prefix = path == "/" ? "/" : path + "/";
    auto starts = [&](const std::string& p) { return p.rfind(prefix, 0) == 0; };
    for (const auto& [p, _] : files) {
      if (starts(p)) return true;
    }
    for (const auto& p : executables) {
      if (starts(p)) return true;
    }
    for (const auto& p : directories) {
      if (starts(p)) return true;
    }
    return false;
  }
  bool is_directory(const std::string& path) const override {
    return exists(path) && !files.count(path) && !executables.count(path);
  }
  bool is_executable_file(const std::string& path) const override {
    return executables.count(path) > 0;
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    const auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second.substr(0, max_bytes);
  }
  std::optional<std::string> read_stdin(std::size_t max_bytes) const override {
    if (!standard_input) return std::nullopt;
    return standard_input->substr(0, max_bytes);
  }
  std::string cwd() const override { return working_directory; }
  std::string home() const override { return home_directory; }
  std::string user() const override { return user_name; }
  std::optional<std::string> env(const std::string& name) const override {
    const auto it = environment.find(name);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  }
  std::string ctime_now() const override { return ctime; }
};

}  // namespace k8sjobs::ge::testing
