// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/text/rfc3339.h"

#include <cstdio>

namespace k8sjobs::text {

namespace {

using namespace std::chrono;

// Reads exactly `count` digits at `at`; nullopt unless they are all there.
std::optional<int> digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2200;

}  // namespace

std::optional<system_clock::time_point> parse_rfc3339(std::string_view text) {
  // full-date "T" partial-time time-offset: 2026-11-23T14:54:30[.frac](Z|+hh:mm|-hh:mm)
  if (text.size() < 20 || text.size() > 64) return std::nullopt;
  auto y = digits(text, 0, 4);
  auto mo = digits(text, 5, 2);
  auto d = digits(text, 8, 2);
  auto h = digits(text, 11, 2);
  auto mi = digits(text, 14, 2);
  auto s = digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  // Leap seconds (60) are not representable in system_clock: refused like other bad values.
  // Years outside 1970..2200 are refused too: system_clock counts nanoseconds in 64 bits (years
  // 1678..2262), and a difference of two accepted times must fit as well (about 292 years).
  if (*y < kFirstYear || *y > kLastYear || !date.ok() || *h > 23 || *mi > 59 || *s > 59)
    return std::nullopt;
  size_t at = 19;
  microseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    size_t first = at;
    long long micros = 0;
    int scale = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (scale < 6) {
        micros = micros * 10 + (text[at] - '0');
        ++scale;
      }
      ++at;
    }
    if (at == first) return std::nullopt;
    for (; scale < 6; ++scale) micros *= 10;
    fraction = microseconds(micros);
  }
  if (at >= text.size()) return std::nullopt;
  minutes offset{0};
  char zone = text[at];
  if (zone == 'Z' || zone == 'z') {
    ++at;
  } else if (zone == '+' || zone == '-') {
    auto oh = digits(text, at + 1, 2);
    auto om = digits(text, at + 4, 2);
    if (!oh || !om || at + 3 >= text.size() || text[at + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = hours(*oh) + minutes(*om);
    if (zone == '-') offset = -offset;
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  sys_seconds local = sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s);
  return time_point_cast<system_clock::duration>(local - offset + fraction);
}

std::string format_rfc3339(system_clock::time_point time) {
  auto whole = floor<seconds>(time);
  auto days = floor<std::chrono::days>(whole);
  year_month_day date(days);
  hh_mm_ss clock(whole - days);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

std::string format_rfc3339_micro(system_clock::time_point time) {
  const auto whole = floor<seconds>(time);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time - whole).count();
  std::string text = format_rfc3339(whole);
  char fraction[32];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ", static_cast<long long>(micros));
  text.pop_back();  // the Z
  return text + fraction;
}

}  // namespace k8sjobs::text
