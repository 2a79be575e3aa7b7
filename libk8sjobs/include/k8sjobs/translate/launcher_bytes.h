// SPDX-License-Identifier: Apache-2.0
#pragma once
// Words that are not UTF-8, on their way into a container. Grid Engine passed argv and
// environment bytes through unchanged; a Kubernetes manifest is JSON and holds only UTF-8
// text. A word that is valid UTF-8 goes into the manifest as it is; one that is not is carried
// as ASCII shell text that the launcher (POSIX sh) turns back into the bytes with printf(1)'s
// octal escapes (\NNN reproduces any byte but NUL, which argv and environ cannot hold).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace k8sjobs::translate {

// The printf(1) format that prints exactly `word`: well-formed UTF-8 characters as they are
// (but `\` as `\\` and `%` as `%%`), every other byte as a three-digit octal escape `\NNN`.
// The result is valid UTF-8.
std::string printf_format_of(std::string_view word);

// One double-quoted POSIX shell word ("...") that expands to exactly `text`, with no expansion
// left in it but, for bytes that are not UTF-8, `printf '\NNN...'` in backquotes (never a
// newline, so nothing is lost to command substitution). Valid UTF-8 in, valid UTF-8 out; text
// that is valid UTF-8 gives the same word as before bytes were carried.
std::string double_quoted(std::string_view text);

// What the launcher restores before it runs the program (all empty for valid UTF-8).
struct CarriedBytes {
  // "$@" of the launcher (the program and its arguments) and the 1-based positions in it that
  // hold printf_format_of() of the real word.
  std::size_t word_count = 0;
  std::vector<std::size_t> encoded_words;
  // Variables whose values are not UTF-8: left out of the container's env, exported here.
  std::vector<std::pair<std::string, std::string>> exported;
  // A working directory that is not UTF-8: the container's workingDir is left out, cd here.
  std::optional<std::string> working_dir;

  bool empty() const { return encoded_words.empty() && exported.empty() && !working_dir; }
};

// The launcher lines that restore `carried` (empty when there is nothing to restore).
std::string restore_bytes_script(const CarriedBytes& carried);

// True for a POSIX shell variable name ([A-Za-z_][A-Za-z0-9_]*): only those can be exported
// by the launcher.
bool is_shell_name(std::string_view name);

}  // namespace k8sjobs::translate
