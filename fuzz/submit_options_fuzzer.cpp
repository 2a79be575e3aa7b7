// SPDX-License-Identifier: Apache-2.0
// The submit parser (ge/submit_parser.h) over any options: jsub, jstart and qcronsub command
// lines, ~/.jsubrc, -@ files and the `#$` lines of the script. The input is
//
//   byte 0: mode (value % 3: jsub, jstart, qcronsub); bit 0x10 turns check_program off, bit
//           0x20 turns map_unknown_releases on;
//   then up to four parts separated by NUL bytes: the command line (one word per line), the
//   script run.sh (whose `#$` lines are read), ~/.jsubrc, and the file `opts` (for `-@ opts`).
//
// Checks that nothing escapes, that an accepted submission runs the program it was given and
// that an error says something, and that each line of the script that splits into words
// splits into the same words again once each is quoted.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "k8sjobs/ge/submit_parser.h"

namespace {

using k8sjobs::ge::HostView;

constexpr const char* kHome = "/data/project/alice";

// A tool account's home holding the fuzzed files, and two programs on $PATH.
class FuzzHost : public HostView {
 public:
  std::map<std::string, std::string> files;  // all executable but opts and .jsubrc

  bool exists(const std::string& path) const override {
    return files.count(path) > 0 || is_directory(path);
  }
  bool is_directory(const std::string& path) const override {
    return path == "/" || path == "/data" || path == "/data/project" || path == kHome ||
           path == std::string(kHome) + "/logs" || path == "/usr" || path == "/usr/bin";
  }
  bool is_executable_file(const std::string& path) const override {
    return files.count(path) > 0 && !path.ends_with("/opts") && !path.ends_with("/.jsubrc");
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    const auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second.substr(0, max_bytes);
  }
  std::string cwd() const override { return kHome; }
  std::string home() const override { return kHome; }
  std::string user() const override { return "tools.alice"; }
  std::optional<std::string> env(const std::string& name) const override {
    if (name == "PATH") return "/usr/local/bin:/usr/bin:/bin";
    return std::nullopt;
  }
  std::string ctime_now() const override { return "Thu Mar  7 09:05:01 2024"; }
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string single_quoted(const std::string& word) {
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void check_line_words(std::string_view script) {
  for (const auto line : split(script, '\n')) {
    const auto words = k8sjobs::ge::split_line_words(line);
    if (!words) continue;
    std::string requoted;
    for (const auto& word : *words) requoted += single_quoted(word) + " ";
    const auto again = k8sjobs::ge::split_line_words(requoted);
    FUZZ_CHECK(again && *again == *words);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const auto mode = static_cast<k8sjobs::ge::Mode>(selector % 3);
  k8sjobs::ge::SubmitSettings settings;
  settings.check_program = (selector & 0x10) == 0;
  settings.map_unknown_releases = (selector & 0x20) != 0;

  const auto parts =
      split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0');
  std::vector<std::string> argv;
  for (const auto word : split(parts[0], '\n')) argv.emplace_back(word);
  if (parts[0].empty()) argv.clear();

  FuzzHost host;
  const std::string home = kHome;
  host.files["/usr/bin/python3"] = std::string(
      "\x7f"
      "ELF\0\1",
      6);
  host.files["/usr/bin/php"] = "#!/bin/sh\n";
  host.files[home + "/run.sh"] = parts.size() > 1 ? std::string(parts[1]) : "#!/bin/sh\n";
  if (parts.size() > 2) host.files[home + "/.jsubrc"] = std::string(parts[2]);
  if (parts.size() > 3) host.files[home + "/opts"] = std::string(parts[3]);

  const auto request = k8sjobs::ge::parse_submit(mode, argv, host, settings);
  if (request) {
    FUZZ_CHECK(request->mode == mode);
    FUZZ_CHECK(!request->resolved_program.empty());
    FUZZ_CHECK(!request->job_name.empty());
    FUZZ_CHECK(request->user == "tools.alice");
  } else {
    FUZZ_CHECK(!request.error().message.empty());
    FUZZ_CHECK(request.error().exit_code == 1 || request.error().exit_code == 2);
  }
  if (parts.size() > 1) check_line_words(parts[1]);
  return 0;
}
