#include "k8sjobs/qstat/time_format.h"

#include <array>

namespace k8sjobs::qstat {

TimeZone TimeZone::utc() {
  return TimeZone([](std::time_t t) {
    std::tm out{};
    gmtime_r(&t, &out);
    return out;
  });
}

TimeZone TimeZone::fixed_offset(std::chrono::minutes east_of_utc) {
  const std::time_t shift = static_cast<std::time_t>(east_of_utc.count()) * 60;
  return TimeZone([shift](std::time_t t) {
    const std::time_t shifted = t + shift;
    std::tm out{};
    gmtime_r(&shifted, &out);
    return out;
  });
}

TimeZone TimeZone::system_local() {
  return TimeZone([](std::time_t t) {
    std::tm out{};
    localtime_r(&t, &out);
    return out;
  });
}

namespace {

std::string strftime_string(const std::tm& tm, const char* format) {
  std::array<char, 64> buffer{};
  const size_t n = std::strftime(buffer.data(), buffer.size(), format, &tm);
  return std::string(buffer.data(), n);
}

}  // namespace

std::string format_listing_time(jobs::TimePoint t, const TimeZone& zone) {
  return strftime_string(zone.to_local(t), "%m/%d/%Y %H:%M:%S");
}

std::string format_ctime(jobs::TimePoint t, const TimeZone& zone) {
  // strftime's %e pads the day with a space, as asctime() does; names are the C locale's.
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = zone.to_local(t);
  std::array<char, 64> buffer{};
  const int n = std::snprintf(buffer.data(), buffer.size(), "%s %s %2d %02d:%02d:%02d %d",
                              kDays.at(static_cast<size_t>(tm.tm_wday)),
                              kMonths.at(static_cast<size_t>(tm.tm_mon)), tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
  return std::string(buffer.data(), static_cast<size_t>(n));
}

std::string format_xml_time(jobs::TimePoint t, const TimeZone& zone) {
  return strftime_string(zone.to_local(t), "%Y-%m-%dT%H:%M:%S");
}

}  // namespace k8sjobs::qstat
