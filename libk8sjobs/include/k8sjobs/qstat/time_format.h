#pragma once
// Local time as a seam: Grid Engine prints times in the caller's zone, so renderers take a
// TimeZone value instead of reading TZ themselves. Tests use utc() and fixed_offset().

#include <chrono>
#include <ctime>
#include <functional>
#include <string>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::qstat {

class TimeZone {
 public:
  static TimeZone utc();
  // A zone without daylight saving time, e.g. fixed_offset(std::chrono::minutes(330)) for IST.
  static TimeZone fixed_offset(std::chrono::minutes east_of_utc);
  // The process's zone through localtime_r (honours TZ). Construct it once, in main().
  static TimeZone system_local();

  std::tm to_local(jobs::TimePoint t) const {
    return convert_(std::chrono::system_clock::to_time_t(t));
  }

 private:
  explicit TimeZone(std::function<std::tm(std::time_t)> convert) : convert_(std::move(convert)) {}
  std::function<std::tm(std::time_t)> convert_;
};

// "03/28/2022 09:25:26", the qstat listing's submit/start column.
std::string format_listing_time(jobs::TimePoint t, const TimeZone& zone);
// "Fri Apr  8 13:42:41 2011", C ctime() without the newline (qstat -j).
std::string format_ctime(jobs::TimePoint t, const TimeZone& zone);
// "2011-04-08T13:42:41", local time as qstat -xml prints it (no offset, like Grid Engine).
std::string format_xml_time(jobs::TimePoint t, const TimeZone& zone);

}  // namespace k8sjobs::qstat
