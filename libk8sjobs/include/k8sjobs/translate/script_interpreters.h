// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a script says about the interpreters it needs, read from its first bytes (pure: the
// caller reads the file). The #! line names the one that runs it; a shell script's words name
// the ones it calls.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace k8sjobs::translate {

// How much of a program file is read for its #! line and words (the same as the #$ scan).
inline constexpr std::size_t kScriptScanBytes = 64 * 1024;

// The interpreter a #! line runs, as a basename: "#!/usr/bin/php" -> "php",
// "#!/usr/bin/env python3" -> "python3", "#!/usr/bin/env -S python3 -u" -> "python3"; nullopt
// without a #! line (or with an empty one).
std::optional<std::string> shebang_interpreter(std::string_view script);

// "/usr/bin/python3" -> "python3"; "php" -> "php".
std::string basename_of(std::string_view path);

// sh, bash, dash, ksh, zsh, ...: a script they run is scanned for the interpreters it calls.
bool is_shell(std::string_view word);

// A word that names an interpreter: one of `known` (the rules' words), or a well-known
// interpreter (php, python, node, perl, ruby, java, Rscript, tclsh, ...) with an optional
// version suffix of digits and dots (php8.2, python3.11, node18).
bool is_interpreter_word(std::string_view word, const std::vector<std::string>& known);

// The interpreters a shell script calls (basenames, first use first, each once): its words,
// outside comments, that are interpreter words. A heuristic: a word in an echo'd string counts
// too. Only the first kScriptScanBytes are looked at.
std::vector<std::string> interpreters_called(std::string_view script,
                                             const std::vector<std::string>& known);

}  // namespace k8sjobs::translate
