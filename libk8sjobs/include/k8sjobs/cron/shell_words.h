#pragma once
// A POSIX shell tokenizer for the subset cron command lines use: words with quote removal,
// operators (; & && || | |& ( ) ;;), redirections with their targets, and `#` comments.
// Expansions are not performed: `$var`, `${...}`, `$(...)` and backquotes stay in the word as
// typed and are flagged, as are a leading unquoted `~` and unquoted glob characters.
// Never crashes on garbage: unterminated quotes and substitutions are error values.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/expected.h"

namespace k8sjobs::cron {

struct ShellWord {
  std::string value;      // after quote removal
  std::size_t begin = 0;  // byte span of the word as typed
  std::size_t end = 0;
  bool quoted = false;     // some part was quoted or backslash-escaped
  bool tilde = false;      // begins with an unquoted `~` (the shell would expand it)
  bool expansion = false;  // contains an unquoted or double-quoted `$` or a backquote
  bool glob = false;       // contains an unquoted `*`, `?` or `[`
  // For each byte of `value`, its offset in the text as typed (maps spans found inside a
  // quoted `sh -c` string back to the line).
  std::vector<std::size_t> origins;
};

enum class ShellTokenKind { Word, Operator, Redirection };

struct ShellToken {
  ShellTokenKind kind = ShellTokenKind::Word;
  std::size_t begin = 0;  // byte span as typed (a redirection includes its target)
  std::size_t end = 0;
  ShellWord word;         // Word: the word; Redirection: its target
  std::string op;         // Operator: ; & && || | |& ( ) ;;  Redirection: > >> < << <<- >& <&
                          // <> >| and bash's &> &>>
  std::optional<int> fd;  // Redirection: the descriptor written before it (`2>`), if any
};

struct ShellSyntaxError {
  std::string reason;  // "unterminated single quote", ...
  std::size_t offset = 0;
};

Expected<std::vector<ShellToken>, ShellSyntaxError> tokenize_shell(std::string_view text);

// Only the word values (operators and redirections are left out). Convenience for
// tests and simple callers.
Expected<std::vector<std::string>, ShellSyntaxError> split_shell_words(std::string_view text);

}  // namespace k8sjobs::cron
