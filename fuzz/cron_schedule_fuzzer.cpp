// SPDX-License-Identifier: Apache-2.0
// Schedule::parse (cron/schedule.h) over any text: the time fields of a crontab line. What
// parses must say the same thing again: its Kubernetes schedule parses to the same times, and
// the spread of a macro is an ordinary schedule.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "k8sjobs/cron/schedule.h"

namespace {

using k8sjobs::cron::Schedule;

// Same minutes, hours and months, and the same days: the day fields themselves may differ
// (`1 * 1-7` runs every day, as `* * *` does).
bool same_times(const Schedule& a, const Schedule& b) {
  if (a.minutes() != b.minutes() || a.hours() != b.hours() || a.months() != b.months()) {
    return false;
  }
  for (int month = 1; month <= 12; ++month) {
    for (int day = 1; day <= 31; ++day) {
      for (int day_of_week = 0; day_of_week < 7; ++day_of_week) {
        if (a.runs_on(month, day, day_of_week) != b.runs_on(month, day, day_of_week)) return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto schedule = Schedule::parse(text);
  if (!schedule) {
    FUZZ_CHECK(!schedule.error().reason.empty());
    return 0;
  }
  // The text as typed, without the blanks around it.
  FUZZ_CHECK(text.find(schedule->text()) != std::string_view::npos);
  FUZZ_CHECK(!schedule->text().empty());
  FUZZ_CHECK(schedule->is_reboot() == (schedule->macro() == k8sjobs::cron::Macro::Reboot));

  const std::string kubernetes = schedule->to_kubernetes_schedule();
  if (schedule->is_reboot()) {
    FUZZ_CHECK(kubernetes.empty());
    FUZZ_CHECK(schedule->kubernetes_caveat().has_value());
  } else {
    const auto again = Schedule::parse(kubernetes);
    FUZZ_CHECK(again.has_value());
    // Kubernetes cannot say what cron does when both day fields are restricted and one
    // starts with '*': the caveat says so.
    if (!schedule->kubernetes_caveat()) FUZZ_CHECK(same_times(*schedule, *again));
    FUZZ_CHECK(again->to_kubernetes_schedule() == kubernetes);
  }

  const Schedule spread = schedule->spread(text);
  if (schedule->macro() == k8sjobs::cron::Macro::None || schedule->is_reboot()) {
    FUZZ_CHECK(spread == *schedule);
  } else {
    FUZZ_CHECK(spread.macro() == k8sjobs::cron::Macro::None);
    FUZZ_CHECK(Schedule::parse(spread.text()).has_value());
  }

  const auto interval = schedule->min_interval();
  FUZZ_CHECK(interval.count() > 0);
  FUZZ_CHECK(schedule->never_runs() == (interval == std::chrono::minutes::max()));
  if (!schedule->never_runs()) FUZZ_CHECK(schedule->minutes().any() && schedule->hours().any());
  (void)schedule->runs_at(2, 29, 4, 23, 59);
  return 0;
}
