// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the last Toolforge jsub did with each real line of the corpus
// (tests/data/corpus/real-lines.oracle.jsonl, one JSON object a line), and the host it ran on
// (oracle-host.txt): the corpus replay and the image table read them the same way. An entry's
// "stubs" are the programs that host had to have installed for that line (placeholders the
// oracle created so that jsub found them), as absolute paths.

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ge_fake_host.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_request.h"
#include "support/build_paths.h"

namespace k8sjobs::ge::testing {

inline std::string corpus_dir() {
  return std::string(K8SJOBS_TEST_DATA_DIR) + "/corpus/";
}

inline std::vector<nlohmann::json> oracle_entries() {
  std::ifstream in(corpus_dir() + "real-lines.oracle.jsonl");
  std::vector<nlohmann::json> entries;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) entries.push_back(nlohmann::json::parse(line));
  }
  return entries;
}

// A path ending in '/' is a directory, any other an executable file.
inline void add_host_path(FakeHost& host, const std::string& path) {
  if (path.back() == '/') {
    host.directories.insert(absolute_path("/", path));
  } else {
    host.executables.insert(absolute_path("/", path));
  }
}

// The oracle's host: every path of oracle-host.txt (lines with '#' are comments).
inline void add_oracle_host(FakeHost& host) {
  std::ifstream in(corpus_dir() + "oracle-host.txt");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') add_host_path(host, line);
  }
}

// The programs the oracle installed for `entry`'s line.
inline void add_entry_programs(FakeHost& host, const nlohmann::json& entry) {
  for (const auto& program : entry.at("stubs")) add_host_path(host, program.get<std::string>());
}

inline Mode mode_of_command(const std::string& command) {
  if (command == "jstart") return Mode::Jstart;
  if (command == "qcronsub") return Mode::Qcronsub;
  if (command == "qsub") return Mode::Qsub;
  return Mode::Jsub;
}

}  // namespace k8sjobs::ge::testing
