#pragma once
// Finds the Grid Engine commands (jsub, jstart, qcronsub, qsub, jstop, qdel) inside a cron
// command, wherever people put them: after `cd dir &&`, after `A=b`, behind a path
// (/usr/bin/jsub), inside `bash -c '...'`, several per line, with redirections and pipes.
// Words are shell words after quote removal; nothing is expanded (see shell_words.h).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/cron/shell_words.h"

namespace k8sjobs::cron {

struct Redirection {
  std::string op;         // > >> < 2>&1's ">&" ... (see ShellToken::op)
  std::optional<int> fd;  // 2 in `2>&1`; nullopt when not written
  std::string target;     // "/dev/null", "1", "~/x.log" (not expanded)
  friend bool operator==(const Redirection&, const Redirection&) = default;
};

struct Assignment {
  std::string name;
  std::string value;  // after quote removal, not expanded
  friend bool operator==(const Assignment&, const Assignment&) = default;
};

struct GridCommand {
  std::string name;        // jsub, jstart, qcronsub, qsub, jstop or qdel
  std::string invoked_as;  // the command word: "jsub", "/usr/bin/jsub"
  // The words after the command name up to the end of its simple command, redirections
  // taken out. `$HOME`, `~`, `$(...)` are as typed: see `words` for the flags.
  std::vector<std::string> argv;
  std::vector<ShellWord> words;  // argv with spans (in the text given) and flags
  std::vector<Redirection> redirections;
  std::vector<Assignment> assignments;  // `A=b jsub ...`
  // The directory of the last `cd` before it in the same shell (relative ones joined:
  // `cd a; cd b` → "a/b"; a bare `cd` → "~"), as typed; nullopt if there was none.
  std::optional<std::string> cd_directory;
  std::size_t begin = 0;  // byte span of the whole simple command in the text given
  std::size_t end = 0;
  bool inside_shell_c = false;  // found inside `sh -c '...'`, `bash -c "..."`, ...
};

enum class CommandClass {
  Grid,        // at least one grid command
  Local,       // no grid command: cron ran it on the cron host itself
  Unparsable,  // the shell would refuse it (unterminated quote, ...): see CommandScan::error
};

struct CommandScan {
  CommandClass classification = CommandClass::Local;
  std::vector<GridCommand> commands;  // in order of appearance
  std::optional<ShellSyntaxError> error;
  bool uses_jlocal = false;  // `jlocal prog`: Toolforge's "run this on the cron host"
};

// Basename of a grid command word ("jsub" for "/usr/local/bin/jsub"), or "" if not one.
std::string_view grid_command_name(std::string_view command_word);

// `command` is what cron hands to the shell (CronLine::command); spans refer to it.
CommandScan find_grid_commands(std::string_view command);

}  // namespace k8sjobs::cron
