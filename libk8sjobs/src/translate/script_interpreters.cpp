// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/translate/script_interpreters.h"

#include <algorithm>
#include <array>

namespace k8sjobs::translate {

namespace {

bool is_blank_or_cr(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Characters that end a shell word for this scan: blanks, operators, quotes, expansions.
bool ends_word(char c) {
  static constexpr std::string_view kSeparators = " \t\r\n;|&()<>`\"'$={}[],";
  return kSeparators.find(c) != std::string_view::npos;
}

std::vector<std::string_view> blank_separated(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && is_blank_or_cr(text[at])) ++at;
    const std::size_t start = at;
    while (at < text.size() && !is_blank_or_cr(text[at])) ++at;
    if (at > start) words.push_back(text.substr(start, at - start));
  }
  return words;
}

}  // namespace

std::string basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::optional<std::string> shebang_interpreter(std::string_view script) {
  if (!script.starts_with("#!")) return std::nullopt;
  const auto end = script.find('\n');
  const auto words =
      blank_separated(script.substr(2, end == std::string_view::npos ? end : end - 2));
  if (words.empty()) return std::nullopt;
  // A path ending in '/' names no program: the kernel refuses it, so there is no interpreter.
  auto named = [](std::string_view word) -> std::optional<std::string> {
    std::string name = basename_of(word);
    if (name.empty()) return std::nullopt;
    return name;
  };
  if (basename_of(words[0]) != "env") return named(words[0]);
  // env [-S] [-i] [-u NAME] [NAME=VALUE]... program: the first word that is none of those.
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string_view word = words[i];
    if (word == "-u" || word == "-C") {
      ++i;  // takes an argument
      continue;
    }
    if (word.starts_with('-') || word.find('=') != std::string_view::npos) continue;
    return named(word);
  }
  return std::string("env");
}

bool is_shell(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kShells = {"sh",  "bash", "dash", "ksh",
                                                              "zsh", "ash",  "mksh"};
  return std::find(kShells.begin(), kShells.end(), word) != kShells.end();
}

bool is_interpreter_word(std::string_view word, const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), word) != known.end()) return true;
  static constexpr std::array<std::string_view, 12> kInterpreters = {
      "php",  "python",  "node",  "nodejs", "perl", "ruby",
      "java", "Rscript", "tclsh", "lua",    "mono", "pypy3"};
  for (std::string_view name : kInterpreters) {
    if (!word.starts_with(name)) continue;
    const std::string_view version = word.substr(name.size());
    if (std::all_of(version.begin(), version.end(),
                    [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
        !version.starts_with('.')) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> interpreters_called(std::string_view script,
                                             const std::vector<std::string>& known) {
  script = script.substr(0, std::min(script.size(), kScriptScanBytes));
  std::vector<std::string> found;
  std::size_t at = 0;
  while (at < script.size()) {
    while (at < script.size() && ends_word(script[at])) ++at;
    if (at < script.size() && script[at] == '#') {  // a comment, to the end of the line
      const auto newline = script.find('\n', at);
      at = newline == std::string_view::npos ? script.size() : newline;
      continue;
    }
    const std::size_t start = at;
    while (at < script.size() && !ends_word(script[at])) ++at;
    const std::string word = basename_of(script.substr(start, at - start));
    if (!word.empty() && is_interpreter_word(word, known) &&
        std::find(found.begin(), found.end(), word) == found.end()) {
      found.push_back(word);
    }
  }
  return found;
}

}  // namespace k8sjobs::translate
