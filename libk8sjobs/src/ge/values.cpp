#include "k8sjobs/ge/values.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

#include "k8sjobs/text/ascii.h"

namespace k8sjobs::ge {
namespace {

using text::is_digit;

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Decimal digits to an integer, refusing overflow.
std::optional<std::uint64_t> to_u64(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(separator, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

ValueResult<std::uint64_t> parse_jsub_memory_kib(std::string_view text) {
  auto fail = [&] {
    return unexpected("expected an integer followed by 'k', 'm' or 'g'. '" + std::string(text) +
                      "' given.");
  };
  if (text.size() < 2) return fail();
  const char unit = lower(text.back());
  const auto number = to_u64(text.substr(0, text.size() - 1));
  if (!number || *number == 0) return fail();
  std::uint64_t factor = 1;
  if (unit == 'm')
    factor = 1024;
  else if (unit == 'g')
    factor = 1024 * 1024;
  else if (unit != 'k')
    return fail();
  const auto kib = checked_mul(*number, factor);
  if (!kib) return fail();
  return *kib;
}

ValueResult<std::uint64_t> parse_ge_memory_bytes(std::string_view text) {
  auto fail = [&] { return unexpected("\"" + std::string(text) + "\" is not a memory value"); };
  if (text.empty()) return fail();
  std::uint64_t factor = 1;
  std::string_view number = text;
  switch (text.back()) {
    case 'k':
      factor = 1000ULL;
      break;
    case 'K':
      factor = 1024ULL;
      break;
    case 'm':
      factor = 1000ULL * 1000;
      break;
    case 'M':
      factor = 1024ULL * 1024;
      break;
    case 'g':
      factor = 1000ULL * 1000 * 1000;
      break;
    case 'G':
      factor = 1024ULL * 1024 * 1024;
      break;
    case 't':
      factor = 1000ULL * 1000 * 1000 * 1000;
      break;
    case 'T':
      factor = 1024ULL * 1024 * 1024 * 1024;
      break;
    default:
      break;
  }
  if (factor != 1) number = text.substr(0, text.size() - 1);
  // An optional decimal fraction ("1.5G"); the result is rounded up to whole bytes.
  const auto dot = number.find('.');
  const auto whole = to_u64(number.substr(0, dot));
  if (!whole) return fail();
  auto bytes = checked_mul(*whole, factor);
  if (!bytes) return fail();
  if (dot != std::string_view::npos) {
    const auto fraction = number.substr(dot + 1);
    if (!all_digits(fraction) || fraction.size() > 9) return fail();
    // fraction digits / 10^n of the factor, rounded up.
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10;
    const auto numerator = checked_mul(*to_u64(fraction), factor);
    if (!numerator) return fail();
    const std::uint64_t extra = (*numerator + scale - 1) / scale;
    if (*bytes > std::numeric_limits<std::uint64_t>::max() - extra) return fail();
    *bytes += extra;
  }
  return *bytes;
}

std::string format_ge_memory_kib(std::uint64_t kib) {
  if (kib % (1024 * 1024) == 0) return std::to_string(kib / (1024 * 1024)) + "G";
  if (kib % 1024 == 0) return std::to_string(kib / 1024) + "M";
  return std::to_string(kib) + "K";
}

ValueResult<std::uint64_t> parse_ge_memory_kib(std::string_view text) {
  auto bytes = parse_ge_memory_bytes(text);
  if (!bytes) return unexpected(bytes.error());
  return (*bytes + 1023) / 1024;
}

ValueResult<std::uint64_t> parse_resource_memory_kib(std::string_view text) {
  if (text.size() >= 2 && all_digits(text.substr(0, text.size() - 1))) {
    const char unit = lower(text.back());
    if (unit == 'k' || unit == 'm' || unit == 'g') return parse_jsub_memory_kib(text);
  }
  auto bytes = parse_ge_memory_bytes(text);
  if (!bytes) {
    return unexpected("expected an integer followed by 'k', 'm' or 'g'. '" + std::string(text) +
                      "' given.");
  }
  return (*bytes + 1023) / 1024;
}

ValueResult<std::uint64_t> parse_ge_time_seconds(std::string_view text) {
  auto fail = [&] { return unexpected("\"" + std::string(text) + "\" is not a time value"); };
  if (text.empty()) return fail();
  const auto fields = split(text, ':');
  if (fields.size() == 1) {
    const auto seconds = to_u64(text);
    if (!seconds) return fail();
    return *seconds;
  }
  if (fields.size() != 3) return fail();
  std::uint64_t total = 0;
  constexpr std::array<std::uint64_t, 3> kUnits = {3600, 60, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    if (fields[i].empty()) continue;
    const auto value = to_u64(fields[i]);
    if (!value) return fail();
    const auto part = checked_mul(*value, kUnits[i]);
    if (!part || total > std::numeric_limits<std::uint64_t>::max() - *part) return fail();
    total += *part;
  }
  return total;
}

ValueResult<TaskRange> parse_task_range(std::string_view text) {
  const std::string prefix = "invalid task range \"" + std::string(text) + "\": ";
  auto number = [](std::string_view digits) -> std::optional<std::uint32_t> {
    const auto value = to_u64(digits);
    if (!value || *value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
  };
  TaskRange range;
  std::string_view rest = text;
  std::string_view step_text;
  if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    step_text = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (step_text.empty()) return unexpected(prefix + "expected n[-m[:s]]");
  }
  const auto dash = rest.find('-');
  const auto first = number(rest.substr(0, dash));
  if (!first) return unexpected(prefix + "expected n[-m[:s]]");
  range.first = *first;
  range.last = *first;
  if (dash != std::string_view::npos) {
    const auto last = number(rest.substr(dash + 1));
    if (!last) return unexpected(prefix + "expected n[-m[:s]]");
    range.last = *last;
  } else if (!step_text.empty()) {
    return unexpected(prefix + "expected n[-m[:s]]");
  }
  if (!step_text.empty()) {
    const auto step = number(step_text);
    if (!step) return unexpected(prefix + "expected n[-m[:s]]");
    range.step = *step;
  }
  if (range.first < 1) return unexpected(prefix + "task ids start at 1");
  if (range.last < range.first) {
    return unexpected(prefix + "the last task id is lower than the first");
  }
  if (range.step < 1) return unexpected(prefix + "the step must be at least 1");
  range.last = range.first + (range.last - range.first) / range.step * range.step;
  return range;
}

ValueResult<DateTime> parse_date_time(std::string_view text) {
  // Grid Engine's sge_parse_date_time messages, after its own outer message.
  const std::string outer = "Wrong date/time format \"" + std::string(text) + "\": ";
  std::string_view digits = text;
  int seconds = 0;
  if (const auto dot = text.find('.'); dot != std::string_view::npos) {
    const auto sec = text.substr(dot + 1);
    if (sec.size() != 2 || !all_digits(sec)) {
      return unexpected(outer + "Invalid format of seconds field.");
    }
    seconds = std::stoi(std::string(sec));
    digits = text.substr(0, dot);
  }
  if (!all_digits(digits) || (digits.size() != 8 && digits.size() != 10 && digits.size() != 12)) {
    return unexpected(outer + "Invalid format of date/hour-minute field.");
  }
  auto take = [&](std::size_t pos) { return std::stoi(std::string(digits.substr(pos, 2))); };
  DateTime dt;
  std::size_t pos = 0;
  if (digits.size() == 12) {
    dt.year = std::stoi(std::string(digits.substr(0, 4)));
    pos = 4;
  } else if (digits.size() == 10) {
    const int yy = take(0);
    dt.year = yy < 70 ? 2000 + yy : 1900 + yy;
    pos = 2;
  }
  dt.month = take(pos);
  dt.day = take(pos + 2);
  dt.hour = take(pos + 4);
  dt.minute = take(pos + 6);
  dt.second = seconds;
  if (dt.month < 1 || dt.month > 12) return unexpected(outer + "Invalid month specification.");
  if (dt.day < 1 || dt.day > 31) return unexpected(outer + "Invalid day specification.");
  if (dt.hour > 23) return unexpected(outer + "Invalid hour specification.");
  if (dt.minute > 59) return unexpected(outer + "Invalid minute specification.");
  if (dt.second > 59) return unexpected(outer + "Invalid seconds specification.");
  return dt;
}

ValueResult<std::chrono::system_clock::time_point> parse_start_time(
    std::string_view text, std::chrono::system_clock::time_point now) {
  auto parsed = parse_date_time(text);
  if (!parsed) return unexpected(parsed.error());
  std::tm local{};
  if (parsed->year == 0) {
    const std::time_t now_seconds = std::chrono::system_clock::to_time_t(now);
    ::localtime_r(&now_seconds, &local);
    parsed->year = local.tm_year + 1900;
  }
  std::tm wanted{};
  wanted.tm_year = parsed->year - 1900;
  wanted.tm_mon = parsed->month - 1;
  wanted.tm_mday = parsed->day;
  wanted.tm_hour = parsed->hour;
  wanted.tm_min = parsed->minute;
  wanted.tm_sec = parsed->second;
  wanted.tm_isdst = -1;  // the zone's rule for that date decides
  std::tm normalised = wanted;
  const std::time_t seconds = ::mktime(&normalised);
  if (seconds == static_cast<std::time_t>(-1) || normalised.tm_mday != parsed->day ||
      normalised.tm_mon != wanted.tm_mon) {
    return unexpected("Wrong date/time format \"" + std::string(text) +
                      "\": Invalid day specification.");
  }
  // The clock counts nanoseconds in 64 bits: 1677 to 2262. A year outside (-a 802410250022,
  // found by the fuzzer) would overflow it.
  constexpr auto kClockSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count();
  if (seconds >= kClockSeconds || seconds <= -kClockSeconds) {
    return unexpected("Wrong date/time format \"" + std::string(text) +
                      "\": Invalid year specification.");
  }
  return std::chrono::system_clock::from_time_t(seconds);
}

ValueResult<bool> parse_jsub_yes_no(std::string_view text) {
  const auto word = lowered(text);
  if (word.starts_with('y')) return true;
  if (word == "n" || word == "no") return false;
  return unexpected("expected y[es]|n[o]. '" + std::string(text) + "' given.");
}

ValueResult<bool> parse_yes_no(std::string_view text) {
  const auto word = lowered(text);
  if (word == "y" || word == "yes") return true;
  if (word == "n" || word == "no") return false;
  return unexpected("invalid choice: '" + std::string(text) +
                    "' (choose from 'y', 'yes', 'n', 'no')");
}

ValueResult<int> parse_priority(std::string_view text) {
  constexpr auto kMessage = "invalid priority, must be an integer from -1023 to 1024";
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  const auto value = to_u64(digits);
  if (!value || *value > 1024) return unexpected(std::string(kMessage));
  const int priority = negative ? -static_cast<int>(*value) : static_cast<int>(*value);
  if (priority < -1023) return unexpected(std::string(kMessage));
  return priority;
}

ValueResult<unsigned> parse_umask(std::string_view text) {
  if (text.empty() || text.find_first_not_of("01234567") != std::string_view::npos) {
    return unexpected("expected an octal value. '" + std::string(text) + "' given.");
  }
  // Only the last three digits are permission bits (umask(2) ignores the rest).
  unsigned value = 0;
  for (char c : text.substr(text.size() > 3 ? text.size() - 3 : 0)) {
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  return value;
}

ValueResult<std::uint32_t> parse_count(std::string_view text) {
  const auto value = to_u64(text);
  if (!value || *value == 0 || *value > std::numeric_limits<std::uint32_t>::max()) {
    return unexpected("expected a positive integer. '" + std::string(text) + "' given.");
  }
  return static_cast<std::uint32_t>(*value);
}

ValueResult<ParallelEnvironment> parse_parallel_environment(std::string_view name,
                                                            std::string_view slots) {
  if (name.empty()) return unexpected(std::string("ERROR! -pe option must have pe_name argument"));
  const auto fail = [&] { return unexpected(quoted(slots) + " must be a valid slot range"); };
  ParallelEnvironment pe;
  pe.name = std::string(name);
  auto number = [](std::string_view digits) -> std::optional<std::uint32_t> {
    const auto value = to_u64(digits);
    if (!value || *value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
  };
  const auto dash = slots.find('-');
  if (dash == std::string_view::npos) {
    const auto n = number(slots);
    if (!n) return fail();
    pe.min_slots = *n;
    pe.max_slots = *n;
  } else {
    const auto low = slots.substr(0, dash);
    const auto high = slots.substr(dash + 1);
    if (low.empty() && high.empty()) return fail();
    if (!low.empty()) {
      const auto n = number(low);
      if (!n) return fail();
      pe.min_slots = *n;
    }
    if (!high.empty()) {
      const auto m = number(high);
      if (!m) return fail();
      pe.max_slots = *m;
    }
  }
  if (pe.min_slots < 1 || (pe.max_slots && *pe.max_slots < pe.min_slots)) return fail();
  return pe;
}

ValueResult<std::vector<VariableSetting>> parse_variable_list(std::string_view text) {
  std::vector<VariableSetting> out;
  for (const auto item : split(text, ',')) {
    const auto eq = item.find('=');
    VariableSetting setting;
    setting.name = std::string(item.substr(0, eq));
    if (eq != std::string_view::npos) setting.value = std::string(item.substr(eq + 1));
    if (setting.name.empty()) {
      return unexpected("ERROR! Wrong variable list format -v " + quoted(text) +
                        " or environment variable not set");
    }
    out.push_back(std::move(setting));
  }
  return out;
}

ValueResult<std::vector<ResourceRequest>> parse_resource_list(std::string_view text) {
  std::vector<ResourceRequest> out;
  for (const auto item : split(text, ',')) {
    const auto eq = item.find('=');
    ResourceRequest request;
    request.name = std::string(item.substr(0, eq));
    if (eq != std::string_view::npos) request.value = std::string(item.substr(eq + 1));
    if (request.name.empty() || (request.value && request.value->empty())) {
      return unexpected("ERROR! Wrong resource list format " + quoted(text) +
                        " specified to -l option");
    }
    out.push_back(std::move(request));
  }
  return out;
}

ValueResult<std::string> parse_mail_options(std::string_view text) {
  auto fail = [&] {
    return unexpected("ERROR! Wrong mail options list format " + quoted(text) +
                      " specified to -m option");
  };
  if (text.empty()) return fail();
  if (text == "n") return std::string(text);
  for (char c : text) {
    if (c != 'b' && c != 'e' && c != 'a' && c != 's') return fail();
  }
  return std::string(text);
}

ValueResult<std::vector<std::string>> parse_comma_list(std::string_view text) {
  std::vector<std::string> out;
  for (const auto item : split(text, ',')) {
    if (item.empty()) return unexpected("empty item in list " + quoted(text));
    out.emplace_back(item);
  }
  return out;
}

ValueResult<std::vector<std::string>> parse_jsub_mail_list(std::string_view text) {
  std::vector<std::string> out;
  for (const auto item : split(text, ',')) {
    const auto at = item.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == item.size()) {
      return unexpected("expected list of email addresses. '" + std::string(text) + "' given.");
    }
    out.emplace_back(item);
  }
  return out;
}

std::optional<std::string> jsub_resource_list_problem(std::string_view text) {
  for (const auto item : split(text, ',')) {
    if (item.find('=') == std::string_view::npos) {
      return "invalid argparse_resource value: " + python_repr(text);
    }
  }
  return std::nullopt;
}

std::string python_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == static_cast<unsigned char>(quote) || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += static_cast<char>(byte);  // UTF-8 text as it is (Python decoded argv as such)
    }
  }
  return out + quote;
}

std::optional<NameProblem> job_name_problem(std::string_view name) {
  if (name.empty()) {
    return NameProblem{"ERROR! empty string argument to -N option invalid", true};
  }
  if (name.find('/') != std::string_view::npos) {
    return NameProblem{"ERROR! argument to -N option must not contain / ", true};
  }
  const std::string denied = "denied: " + quoted(name) + " is not a valid object name (";
  if (name.size() > 512) {
    return NameProblem{denied + "longer than 512 characters)", false};
  }
  if (is_digit(name.front())) {
    return NameProblem{denied + "cannot start with a digit)", false};
  }
  for (char c : name) {
    std::string shown;
    switch (c) {
      case '\n':
        shown = "\\n";
        break;
      case '\t':
        shown = "\\t";
        break;
      case '\r':
        shown = "\\r";
        break;
      case ':':
      case '@':
      case '\\':
      case '*':
      case '?':
        shown = std::string(1, c);
        break;
      default:
        break;
    }
    if (!shown.empty()) return NameProblem{denied + "cannot contain '" + shown + "')", false};
  }
  if (name == "NONE" || name == "ALL" || name == "TEMPLATE") {
    return NameProblem{denied + "reserved word)", false};
  }
  return std::nullopt;
}

}  // namespace k8sjobs::ge
