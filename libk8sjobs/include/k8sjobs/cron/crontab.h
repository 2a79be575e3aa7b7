#pragma once
// Reading a user crontab the way Debian (Vixie) cron does, so the migration can say what each
// line ran, where, and with which environment. Pure: text in, values out; nothing is dropped,
// every line becomes an Entry (an unparsable line is an Entry holding its error).

#include <cstddef>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "k8sjobs/cron/schedule.h"
#include "k8sjobs/expected.h"

namespace k8sjobs::cron {

// `NAME=value` (blanks around `=` allowed). As cron: the value is taken literally (no `$`
// expansion), one pair of matching quotes around it is removed and keeps blanks, an unquoted
// value loses trailing blanks, the name may be quoted too, and an empty value needs quotes.
struct EnvironmentSetting {
  std::string name;
  std::string value;
  friend bool operator==(const EnvironmentSetting&, const EnvironmentSetting&) = default;
};

// What cron does with the command part: the first `%` not preceded by a backslash ends the
// command; the rest is the job's standard input with each further unescaped `%` turned into a
// newline; `\%` becomes `%` in both parts (other backslashes stay for the shell).
struct CommandParts {
  std::string command;               // what cron hands to `$SHELL -c`
  std::optional<std::string> input;  // standard input, when the line had an unescaped `%`
  // Offsets (in the text as typed) of the backslashes cron removed from `command`.
  std::vector<std::size_t> removed_backslashes;
};
CommandParts split_percent(std::string_view command_as_typed);

// A job line: schedule and command.
struct CronLine {
  Schedule schedule;
  std::string command;               // CommandParts::command
  std::optional<std::string> input;  // CommandParts::input
  std::string command_as_typed;      // everything after the schedule and its blanks
  std::size_t command_column = 0;    // 0-based byte offset of command_as_typed in the line
  std::vector<std::size_t> removed_backslashes;  // see CommandParts

  // Maps a byte offset in `command` (e.g. a span from find_grid_commands) to the line.
  std::size_t line_offset(std::size_t command_offset) const;
};

struct Comment {
  std::string text;                       // after the first `#`
  std::optional<CronLine> commented_job;  // `# 17 2 * * tue jsub ...`: what it would run
};

struct BlankLine {};

struct LineError {
  std::string reason;  // `bad minute field "61": 61 is outside 0-59`, `missing command`, ...
};

enum class EntryKind { Blank, Comment, Environment, Job, Error };

struct Entry {
  int line = 0;      // 1-based
  std::string text;  // the line as written, without its line ending
  std::variant<BlankLine, Comment, EnvironmentSetting, CronLine, LineError> content;

  EntryKind kind() const;
  const CronLine* job() const { return std::get_if<CronLine>(&content); }
  const EnvironmentSetting* environment() const {
    return std::get_if<EnvironmentSetting>(&content);
  }
  const Comment* comment() const { return std::get_if<Comment>(&content); }
  const LineError* error() const { return std::get_if<LineError>(&content); }
};

struct Crontab {
  std::vector<Entry> entries;  // one per line, in order

  std::vector<const Entry*> jobs() const;
  std::vector<const Entry*> errors() const;
  // The settings in effect for the job on `line`: cron applies a setting only to the lines
  // below it, and a later setting of the same name wins. Cron's own defaults (SHELL=/bin/sh,
  // HOME, LOGNAME, PATH=/usr/bin:/bin) are not included.
  std::map<std::string, std::string> environment_at(int line) const;
};

// Whole crontab text. Lines end with "\n" (a "\r" before it is dropped); a last line without
// a newline is read too (cron's `crontab` would refuse it as "premature EOF").
Crontab parse_crontab(std::string_view text);
// The same, a line at a time: f(number, line) for each line as parse_crontab splits the text,
// and the Entry parse_crontab makes of one line.
void for_each_line(std::string_view text, const std::function<void(int, std::string_view)>& f);
Entry parse_line(int number, std::string_view line);
// Whether parse_line makes a Job or an Error of the line (it is not blank, a comment or a
// setting), without parsing its schedule and command.
bool is_job_or_error_line(std::string_view line);
// Reads the stream to its end, then parse_crontab.
Crontab read_crontab(std::istream& in);

// One line, without its line ending. nullopt when it is not an environment setting.
std::optional<EnvironmentSetting> parse_environment_line(std::string_view line);
// One job line (five fields or @macro, then the command).
Expected<CronLine, LineError> parse_job_line(std::string_view line);
// A comment whose text after the `#`s is a valid job line, e.g. `# 17 2 * * tue jsub ...` or
// `#1 23 * * * cmd`; nullopt for ordinary comments and for lines that are not comments.
std::optional<CronLine> parse_commented_job(std::string_view line);

}  // namespace k8sjobs::cron
