#include "k8sjobs/cron/crontab.h"

#include <array>
#include <cctype>

#include "k8sjobs/text/ascii.h"

namespace k8sjobs::cron {
namespace {

using text::is_blank;
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::size_t skip_blanks(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_blank(s[pos])) ++pos;
  return pos;
}

// `NAME=` with nothing after it: cron does not take it as a setting (an empty value needs
// quotes) and then fails to read it as a job; say the real reason.
std::optional<std::string> unquoted_empty_setting(std::string_view line) {
  std::size_t pos = skip_blanks(line, 0);
  const std::size_t name_begin = pos;
  while (pos < line.size() && !is_space(line[pos]) && line[pos] != '=') ++pos;
  if (pos == name_begin) return std::nullopt;
  const std::string_view name = line.substr(name_begin, pos - name_begin);
  pos = skip_blanks(line, pos);
  if (pos >= line.size() || line[pos] != '=') return std::nullopt;
  if (skip_blanks(line, pos + 1) != line.size()) return std::nullopt;
  return "\"" + std::string(line.substr(name_begin)) +
         "\" sets nothing: cron needs quotes for an " + "empty value (" + std::string(name) +
         "=\"\")";
}

}  // namespace

CommandParts split_percent(std::string_view typed) {
  CommandParts parts;
  if (typed.find('%') == std::string_view::npos) {  // the common case: all of it, as typed
    parts.command = std::string(typed);
    return parts;
  }
  bool escaped = false;
  std::size_t i = 0;
  bool has_input = false;
  for (; i < typed.size(); ++i) {
    const char ch = typed[i];
    if (escaped) {
      escaped = false;
      if (ch == '%') {
        parts.command.back() = '%';  // `\%` is a literal percent sign
        parts.removed_backslashes.push_back(i - 1);
        continue;
      }
      parts.command += ch;
      continue;
    }
    if (ch == '\\') {
      escaped = true;
      parts.command += ch;
      continue;
    }
    if (ch == '%') {
      has_input = true;
      ++i;
      break;
    }
    parts.command += ch;
  }
  if (!has_input) return parts;
  std::string input;
  escaped = false;
  for (; i < typed.size(); ++i) {
    char ch = typed[i];
    if (escaped) {
      if (ch != '%') input += '\\';
    } else if (ch == '%') {
      ch = '\n';
    }
    escaped = ch == '\\';
    if (!escaped) input += ch;
  }
  if (escaped) input += '\\';
  parts.input = std::move(input);
  return parts;
}

std::size_t CronLine::line_offset(std::size_t command_offset) const {
  std::size_t typed = command_offset;
  for (std::size_t removed : removed_backslashes) {
    if (removed > typed) break;
    ++typed;
  }
  return command_column + typed;
}

EntryKind Entry::kind() const {
  switch (content.index()) {
    case 0:
      return EntryKind::Blank;
    case 1:
      return EntryKind::Comment;
    case 2:
      return EntryKind::Environment;
    case 3:
      return EntryKind::Job;
    default:
      return EntryKind::Error;
  }
}

std::vector<const Entry*> Crontab::jobs() const {
  std::vector<const Entry*> out;
  for (const Entry& entry : entries) {
    if (entry.job() != nullptr) out.push_back(&entry);
  }
  return out;
}

std::vector<const Entry*> Crontab::errors() const {
  std::vector<const Entry*> out;
  for (const Entry& entry : entries) {
    if (entry.error() != nullptr) out.push_back(&entry);
  }
  return out;
}

std::map<std::string, std::string> Crontab::environment_at(int line) const {
  std::map<std::string, std::string> env;
  for (const Entry& entry : entries) {
    if (entry.line >= line) break;
    if (const auto* setting = entry.environment()) env[setting->name] = setting->value;
  }
  return env;
}

std::optional<EnvironmentSetting> parse_environment_line(std::string_view line) {
  // The state machine of Vixie/ISC cron's load_env(): NAME, blanks, '=', blanks, VALUE.
  std::size_t pos = skip_blanks(line, 0);
  if (pos >= line.size() || line[pos] == '#') return std::nullopt;
  EnvironmentSetting setting;
  if (line[pos] == '"' || line[pos] == '\'') {
    const char quote = line[pos++];
    const std::size_t close = line.find(quote, pos);
    if (close == std::string_view::npos) return std::nullopt;
    setting.name = std::string(line.substr(pos, close - pos));
    if (setting.name.find('=') != std::string::npos) return std::nullopt;
    pos = close + 1;
  } else {
    const std::size_t begin = pos;
    while (pos < line.size() && !is_space(line[pos]) && line[pos] != '=') ++pos;
    setting.name = std::string(line.substr(begin, pos - begin));
  }
  while (pos < line.size() && is_space(line[pos])) ++pos;
  if (pos >= line.size() || line[pos] != '=') return std::nullopt;
  ++pos;
  while (pos < line.size() && is_space(line[pos])) ++pos;
  if (pos >= line.size()) return std::nullopt;  // an empty value needs quotes
  if (line[pos] == '"' || line[pos] == '\'') {
    const char quote = line[pos++];
    const std::size_t close = line.find(quote, pos);
    if (close == std::string_view::npos) return std::nullopt;
    setting.value = std::string(line.substr(pos, close - pos));
    for (std::size_t rest = close + 1; rest < line.size(); ++rest) {
      if (!is_space(line[rest])) return std::nullopt;
    }
  } else {
    std::size_t end = line.size();
    while (end > pos && is_space(line[end - 1])) --end;
    setting.value = std::string(line.substr(pos, end - pos));
  }
  return setting;
}

Expected<CronLine, LineError> parse_job_line(std::string_view line) {
  const std::size_t begin = skip_blanks(line, 0);
  std::size_t end = begin;
  const int tokens = (begin < line.size() && line[begin] == '@') ? 1 : 5;
  for (int i = 0; i < tokens; ++i) {
    end = skip_blanks(line, end);
    while (end < line.size() && !is_blank(line[end])) ++end;
  }
  auto schedule = Schedule::parse(line.substr(begin, end - begin));
  if (!schedule) return unexpected(LineError{schedule.error().reason});
  const std::size_t command_begin = skip_blanks(line, end);
  if (command_begin >= line.size()) return unexpected(LineError{"missing command"});

  const std::string_view typed = line.substr(command_begin);
  CommandParts parts = split_percent(typed);
  if (parts.command.find_first_not_of(" \t") == std::string::npos) {
    return unexpected(LineError{"missing command (only standard input after '%')"});
  }
  CronLine job{std::move(schedule).value(),
               std::move(parts.command),
               std::move(parts.input),
               std::string(typed),
               command_begin,
               std::move(parts.removed_backslashes)};
  return job;
}

std::optional<CronLine> parse_commented_job(std::string_view line) {
  std::size_t pos = skip_blanks(line, 0);
  if (pos >= line.size() || line[pos] != '#') return std::nullopt;
  while (pos < line.size() && (line[pos] == '#' || is_blank(line[pos]))) ++pos;
  if (pos >= line.size()) return std::nullopt;
  auto job = parse_job_line(line.substr(pos));
  if (!job) return std::nullopt;
  CronLine result = std::move(job).value();
  result.command_column += pos;
  return result;
}

void for_each_line(std::string_view text, const std::function<void(int, std::string_view)>& f) {
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(++number, line);
  }
}

Entry parse_line(int number, std::string_view line) {
  Entry entry;
  entry.line = number;
  entry.text = std::string(line);
  const std::size_t first = skip_blanks(line, 0);
  if (first >= line.size()) {
    entry.content = BlankLine{};
  } else if (line[first] == '#') {
    entry.content = Comment{std::string(line.substr(first + 1)), parse_commented_job(line)};
  } else if (auto setting = parse_environment_line(line)) {
    entry.content = std::move(*setting);
  } else if (auto job = parse_job_line(line)) {
    entry.content = std::move(job).value();
  } else if (auto reason = unquoted_empty_setting(line)) {
    entry.content = LineError{std::move(*reason)};
  } else {
    entry.content = job.error();
  }
  return entry;
}

bool is_job_or_error_line(std::string_view line) {
  // parse_line's first three cases.
  const std::size_t first = skip_blanks(line, 0);
  return first < line.size() && line[first] != '#' && !parse_environment_line(line);
}

Crontab parse_crontab(std::string_view text) {
  Crontab crontab;
  for_each_line(text, [&](int number, std::string_view line) {
    crontab.entries.push_back(parse_line(number, line));
  });
  return crontab;
}

Crontab read_crontab(std::istream& in) {
  std::string text;
  std::array<char, 1 << 16> buffer;
  while (true) {  // in blocks: a 10 MB crontab is read in milliseconds, not byte by byte
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) text.append(buffer.data(), static_cast<std::size_t>(got));
    if (!in) break;
  }
  return parse_crontab(text);
}

}  // namespace k8sjobs::cron
