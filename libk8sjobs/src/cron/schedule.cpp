#include "k8sjobs/cron/schedule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <vector>

#include "k8sjobs/text/ascii.h"
#include "k8sjobs/text/fnv1a.h"

namespace k8sjobs::cron {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

struct FieldSpec {
  std::string_view name;  // as cron's own messages call it ("bad day-of-month")
  int low;
  int high;
  const std::string_view* names;  // nullptr when the field has no names
  int name_count;
  int name_base;  // value of names[0]
  std::string_view names_hint;
};

constexpr FieldSpec kMinute{"minute", 0, 59, nullptr, 0, 0, ""};
constexpr FieldSpec kHour{"hour", 0, 23, nullptr, 0, 0, ""};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr, 0, 0, ""};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames.data(), 12, 1, "a month name (jan-dec)"};
// 7 is Sunday too, as in Vixie cron; folded into 0 after parsing.
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, kDayNames.data(), 7, 0, "a day name (sun-sat)"};

struct FieldValue {
  std::uint64_t bits = 0;
  bool star = false;         // Vixie: the field starts with '*'
  bool k8s_star = false;     // robfig/cron: some element is `*` with no step above 1
  bool k8s_rejects = false;  // robfig/cron would refuse the text (day-of-week 7)
};

using text::is_blank;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// Parses a digit string; values too long to matter become a large sentinel (caught by the
// range check) instead of overflowing.
int to_int(std::string_view digits) {
  long long value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
    if (value > 1000000) return 1000000;
  }
  return static_cast<int>(value);
}

std::string bad(const FieldSpec& spec, std::string_view text, const std::string& detail) {
  return "bad " + std::string(spec.name) + " field \"" + std::string(text) + "\": " + detail;
}

Expected<int, std::string> parse_value(const FieldSpec& spec, std::string_view field,
                                       std::string_view token) {
  if (all_digits(token)) {
    int value = to_int(token);
    if (value < spec.low || value > spec.high) {
      return unexpected(bad(spec, field,
                            std::string(token) + " is outside " + std::to_string(spec.low) + "-" +
                                std::to_string(spec.high)));
    }
    return value;
  }
  if (spec.names != nullptr) {
    const std::string wanted = lower(token);
    for (int i = 0; i < spec.name_count; ++i) {
      if (spec.names[i] == wanted) return spec.name_base + i;
    }
  }
  std::string what =
      token.empty() ? "a value is missing" : "\"" + std::string(token) + "\" is not a number";
  if (!token.empty() && spec.names != nullptr) what += " or " + std::string(spec.names_hint);
  return unexpected(bad(spec, field, what));
}

Expected<FieldValue, std::string> parse_field(const FieldSpec& spec, std::string_view field) {
  FieldValue result;
  result.star = !field.empty() && field.front() == '*';
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = field.find(',', start);
    const std::string_view element = field.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (element.empty()) return unexpected(bad(spec, field, "empty list element"));

    std::string_view range = element;
    std::optional<int> step;
    if (const std::size_t slash = element.find('/'); slash != std::string_view::npos) {
      range = element.substr(0, slash);
      const std::string_view step_text = element.substr(slash + 1);
      if (!all_digits(step_text)) {
        return unexpected(
            bad(spec, field, "step \"" + std::string(step_text) + "\" is not a number"));
      }
      step = to_int(step_text);
      if (*step == 0) return unexpected(bad(spec, field, "a step must be at least 1"));
    }

    int low = 0;
    int high = 0;
    if (range == "*") {
      low = spec.low;
      high = spec.high;
      if (!step || *step == 1) result.k8s_star = true;
    } else {
      const std::size_t dash = range.find('-');
      auto first = parse_value(spec, field, range.substr(0, dash));
      if (!first) return unexpected(first.error());
      low = high = *first;
      if (dash != std::string_view::npos) {
        auto second = parse_value(spec, field, range.substr(dash + 1));
        if (!second) return unexpected(second.error());
        high = *second;
        if (high < low) {
          return unexpected(bad(spec, field,
                                "range " + std::string(range) + " goes backwards (" +
                                    std::to_string(low) + "-" + std::to_string(high) + ")"));
        }
      } else if (step) {
        // Vixie cron silently reads `5/10` as `5`; robfig/cron as `5-max/10`. Ask instead.
        return unexpected(bad(spec, field,
                              "a step needs a range or *, e.g. " + std::string(range) + "-" +
                                  std::to_string(spec.high) + "/" + std::to_string(*step)));
      }
      if (high == 7 && spec.high == 7) result.k8s_rejects = true;
    }
    for (int v = low; v <= high; v += step.value_or(1)) result.bits |= std::uint64_t{1} << v;

    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return result;
}

std::uint64_t full_mask(int low, int high) {
  std::uint64_t bits = 0;
  for (int v = low; v <= high; ++v) bits |= std::uint64_t{1} << v;
  return bits;
}

constexpr std::uint64_t bit(int v) {
  return std::uint64_t{1} << v;
}

// The shortest correct text for a set: `*`, `*/s`, `a-b/s`, or runs joined by commas.
std::string compact(std::uint64_t bits, int low, int high) {
  std::vector<int> values;
  for (int v = low; v <= high; ++v) {
    if ((bits & bit(v)) != 0) values.push_back(v);
  }
  if (static_cast<int>(values.size()) == high - low + 1) return "*";
  if (values.size() >= 3) {
    const int step = values[1] - values[0];
    bool progression = step >= 2;
    for (std::size_t i = 2; progression && i < values.size(); ++i) {
      progression = values[i] - values[i - 1] == step;
    }
    if (progression) {
      const std::string step_text = "/" + std::to_string(step);
      if (values.front() == low && values.back() + step > high) return "*" + step_text;
      return std::to_string(values.front()) + "-" + std::to_string(values.back()) + step_text;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
    if (!out.empty()) out += ',';
    if (j - i >= 2) {
      out += std::to_string(values[i]) + "-" + std::to_string(values[j]);
      i = j + 1;
    } else {
      out += std::to_string(values[i]);
      ++i;
    }
  }
  return out;
}

// Never starts with `*` (`1-31`, `1-31/2` for `*/2`), for day fields whose star-ness matters:
// both cron and robfig/cron read a leading `*` as "this field is unrestricted".
std::string spelled(std::uint64_t bits, int low, int high) {
  std::string text = compact(bits, low, high);
  if (text.starts_with('*'))
    return std::to_string(low) + "-" + std::to_string(high) + text.substr(1);
  return text;
}

struct MacroInfo {
  std::string_view name;
  Macro macro;
};
constexpr std::array<MacroInfo, 8> kMacros = {{{"@reboot", Macro::Reboot},
                                               {"@yearly", Macro::Yearly},
                                               {"@annually", Macro::Annually},
                                               {"@monthly", Macro::Monthly},
                                               {"@weekly", Macro::Weekly},
                                               {"@daily", Macro::Daily},
                                               {"@midnight", Macro::Midnight},
                                               {"@hourly", Macro::Hourly}}};

}  // namespace

std::string_view to_string(Macro macro) {
  for (const auto& info : kMacros) {
    if (info.macro == macro) return info.name;
  }
  return "";
}

Expected<Schedule, ScheduleError> Schedule::parse(std::string_view text) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && is_blank(text[b])) ++b;
  while (e > b && is_blank(text[e - 1])) --e;
  const std::string_view trimmed = text.substr(b, e - b);

  Schedule s;
  s.text_ = std::string(trimmed);
  if (!trimmed.empty() && trimmed.front() == '@') {
    // Vixie cron compares macro names case-sensitively, and so does robfig/cron.
    for (const auto& info : kMacros) {
      if (info.name == trimmed) s.macro_ = info.macro;
    }
    if (s.macro_ == Macro::None) {
      return unexpected(ScheduleError{"bad time specifier \"" + std::string(trimmed) +
                                      "\" (known: @reboot @yearly @annually @monthly @weekly "
                                      "@daily @midnight @hourly)"});
    }
    switch (s.macro_) {
      case Macro::Reboot:
        break;
      case Macro::Yearly:
      case Macro::Annually:
        s.minutes_ = bit(0), s.hours_ = bit(0), s.days_of_month_ = bit(1), s.months_ = bit(1);
        s.days_of_week_ = full_mask(0, 6);
        s.dow_star_ = s.k8s_dow_star_ = true;
        break;
      case Macro::Monthly:
        s.minutes_ = bit(0), s.hours_ = bit(0), s.days_of_month_ = bit(1);
        s.months_ = full_mask(1, 12), s.days_of_week_ = full_mask(0, 6);
        s.dow_star_ = s.k8s_dow_star_ = true;
        break;
      case Macro::Weekly:
        s.minutes_ = bit(0), s.hours_ = bit(0), s.days_of_month_ = full_mask(1, 31);
        s.months_ = full_mask(1, 12), s.days_of_week_ = bit(0);
        s.dom_star_ = s.k8s_dom_star_ = true;
        break;
      case Macro::Daily:
      case Macro::Midnight:
        s.minutes_ = bit(0), s.hours_ = bit(0), s.days_of_month_ = full_mask(1, 31);
        s.months_ = full_mask(1, 12), s.days_of_week_ = full_mask(0, 6);
        break;
      case Macro::Hourly:
        s.minutes_ = bit(0), s.hours_ = full_mask(0, 23), s.days_of_month_ = full_mask(1, 31);
        s.months_ = full_mask(1, 12), s.days_of_week_ = full_mask(0, 6);
        break;
      case Macro::None:
        break;
    }
    return s;
  }

  static constexpr std::array<const FieldSpec*, 5> kSpecs = {&kMinute, &kHour, &kDayOfMonth,
                                                             &kMonth, &kDayOfWeek};
  std::array<FieldValue, 5> values;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < kSpecs.size(); ++i) {
    while (pos < trimmed.size() && is_blank(trimmed[pos])) ++pos;
    std::size_t end = pos;
    while (end < trimmed.size() && !is_blank(trimmed[end])) ++end;
    if (end == pos) {
      return unexpected(ScheduleError{"missing " + std::string(kSpecs[i]->name) + " field"});
    }
    auto value = parse_field(*kSpecs[i], trimmed.substr(pos, end - pos));
    if (!value) return unexpected(ScheduleError{value.error()});
    values[i] = *value;
    pos = end;
  }
  while (pos < trimmed.size() && is_blank(trimmed[pos])) ++pos;
  if (pos != trimmed.size()) {
    return unexpected(ScheduleError{"unexpected \"" + std::string(trimmed.substr(pos)) +
                                    "\" after the day-of-week field"});
  }
  s.minutes_ = values[0].bits;
  s.hours_ = values[1].bits;
  s.days_of_month_ = values[2].bits;
  s.months_ = values[3].bits;
  s.days_of_week_ = values[4].bits;
  if ((s.days_of_week_ & bit(7)) != 0) s.days_of_week_ = (s.days_of_week_ & ~bit(7)) | bit(0);
  s.dom_star_ = values[2].star;
  s.dow_star_ = values[4].star;
  s.k8s_dom_star_ = values[2].k8s_star;
  s.k8s_dow_star_ = values[4].k8s_star;
  s.k8s_rejects_text_ = values[4].k8s_rejects;
  return s;
}

bool Schedule::runs_on(int month, int day, int day_of_week) const {
  if (is_reboot() || month < 1 || month > 12 || day < 1 || day > 31 || day_of_week < 0 ||
      day_of_week > 6) {
    return false;
  }
  if ((months_ & bit(month)) == 0) return false;
  const bool dom = (days_of_month_ & bit(day)) != 0;
  const bool dow = (days_of_week_ & bit(day_of_week)) != 0;
  return (dom_star_ || dow_star_) ? (dom && dow) : (dom || dow);
}

bool Schedule::runs_at(int month, int day, int day_of_week, int hour, int minute) const {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  return runs_on(month, day, day_of_week) && (hours_ & bit(hour)) != 0 &&
         (minutes_ & bit(minute)) != 0;
}

bool Schedule::kubernetes_reads_text_as_is() const {
  if (macro_ != Macro::None) return macro_ != Macro::Reboot;
  if (k8s_rejects_text_) return false;
  const bool cron_and = dom_star_ || dow_star_;
  const bool k8s_and = k8s_dom_star_ || k8s_dow_star_;
  const bool both_full = days_of_month_ == full_mask(1, 31) && days_of_week_ == full_mask(0, 6);
  return cron_and == k8s_and || both_full;
}

std::string Schedule::to_kubernetes_schedule() const {
  if (is_reboot()) return "";
  if (kubernetes_reads_text_as_is()) return text_;
  const bool dom_full = days_of_month_ == full_mask(1, 31);
  const bool dow_full = days_of_week_ == full_mask(0, 6);
  std::string dom;
  std::string dow;
  if (dom_star_ || dow_star_) {
    // Cron needs both day fields to match: a full field must become robfig's `*` (which also
    // means "both"); two restricted fields cannot be said (see kubernetes_caveat()).
    dom = dom_full ? "*" : spelled(days_of_month_, 1, 31);
    dow = dow_full ? "*" : spelled(days_of_week_, 0, 6);
  } else if (dom_full || dow_full) {
    dom = "*";  // either field matching every day means every day
    dow = "*";
  } else {
    dom = spelled(days_of_month_, 1, 31);
    dow = spelled(days_of_week_, 0, 6);
  }
  return compact(minutes_, 0, 59) + " " + compact(hours_, 0, 23) + " " + dom + " " +
         compact(months_, 1, 12) + " " + dow;
}

std::optional<std::string> Schedule::kubernetes_caveat() const {
  if (is_reboot()) {
    return std::string(
        "@reboot has no Kubernetes schedule: run it once as a Job, or as a "
        "continuous job if it starts a service");
  }
  if (kubernetes_reads_text_as_is()) return std::nullopt;
  const bool dom_full = days_of_month_ == full_mask(1, 31);
  const bool dow_full = days_of_week_ == full_mask(0, 6);
  if ((dom_star_ || dow_star_) && !dom_full && !dow_full) {
    return "cron runs \"" + text_ +
           "\" only on days matching both the day-of-month and the day-of-week field (one "
           "starts with '*'); Kubernetes cannot say that and runs it on days matching either";
  }
  return std::nullopt;
}

bool Schedule::never_runs() const {
  return min_interval() == std::chrono::minutes::max();
}

std::chrono::minutes Schedule::min_interval() const {
  constexpr auto kNever = std::chrono::minutes::max();
  if (is_reboot()) return kNever;
  std::vector<int> times;  // minutes after midnight, ascending
  for (int h = 0; h < 24; ++h) {
    if ((hours_ & bit(h)) == 0) continue;
    for (int m = 0; m < 60; ++m) {
      if ((minutes_ & bit(m)) != 0) times.push_back(h * 60 + m);
    }
  }
  if (times.empty()) return kNever;
  long long best = std::numeric_limits<long long>::max();
  for (std::size_t i = 1; i < times.size(); ++i)
    best = std::min<long long>(best, times[i] - times[i - 1]);

  // Days that match, over the 400-year Gregorian cycle (146097 days, a whole number of weeks),
  // starting on Saturday 1 January 2000; the cycle wraps onto itself exactly.
  constexpr long long kCycleDays = 146097;
  static constexpr std::array<int, 12> kMonthDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  long long first = -1;
  long long previous = -1;
  long long min_day_gap = std::numeric_limits<long long>::max();
  int year = 2000;
  int month = 1;
  int day = 1;
  int dow = 6;
  for (long long index = 0; index < kCycleDays; ++index) {
    if (runs_on(month, day, dow)) {
      if (first < 0) first = index;
      if (previous >= 0) min_day_gap = std::min(min_day_gap, index - previous);
      previous = index;
      // Two days in a row: no gap can be smaller (the wrap-around gap below is at least one
      // day too), so the rest of the cycle cannot change the answer.
      if (min_day_gap == 1) break;
    }
    dow = (dow + 1) % 7;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int length =
        kMonthDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
    if (++day > length) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  if (first < 0) return kNever;
  min_day_gap = std::min(min_day_gap, first + kCycleDays - previous);
  best = std::min(best, min_day_gap * 1440 + times.front() - times.back());
  return std::chrono::minutes(best);
}

Schedule Schedule::spread(std::string_view seed) const {
  const std::uint64_t hash = text::fnv1a_64(seed);
  const std::string minute = std::to_string(hash % 60);
  const std::string hour = std::to_string(hash / 60 % 24);
  std::string text;
  switch (macro_) {
    case Macro::Hourly:
      text = minute + " * * * *";
      break;
    case Macro::Daily:
    case Macro::Midnight:
      text = minute + " " + hour + " * * *";
      break;
    case Macro::Weekly:
      text = minute + " " + hour + " * * 0";
      break;
    case Macro::Monthly:
      text = minute + " " + hour + " 1 * *";
      break;
    case Macro::Yearly:
    case Macro::Annually:
      text = minute + " " + hour + " 1 1 *";
      break;
    case Macro::None:
    case Macro::Reboot:
      return *this;
  }
  return std::move(parse(text).value());
}

}  // namespace k8sjobs::cron
