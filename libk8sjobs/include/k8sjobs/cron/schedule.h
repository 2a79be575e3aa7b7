#pragma once
// A cron schedule as Debian (Vixie) cron reads it, and what it becomes on Kubernetes.
// Kubernetes parses CronJob `spec.schedule` with robfig/cron (ParseStandard), which differs
// from Vixie cron in small ways (day-of-week 7, when "*/2" counts as "*", no @reboot); this
// type knows both so the migration can keep the user's text or say why it changed it.

#include <bitset>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "k8sjobs/expected.h"

namespace k8sjobs::cron {

enum class Macro { None, Reboot, Yearly, Annually, Monthly, Weekly, Daily, Midnight, Hourly };

// "@daily" etc.; "" for Macro::None.
std::string_view to_string(Macro macro);

struct ScheduleError {
  std::string reason;  // e.g. `bad minute field "61": 61 is outside 0-59`
};

class Schedule {
 public:
  // Five blank-separated time fields, or one @macro, exactly as in a crontab line (without
  // the command). Vixie cron grammar: lists, ranges, `*`, `/step` after a range or `*`,
  // three-letter month and day names in any case (also as range ends), day-of-week 0-7 with
  // 7 = Sunday. Stricter than cron where cron silently misreads: `5/10` (Vixie takes 5),
  // backwards ranges (Vixie sets nothing), trailing junk (`5x`, `*-3`) are errors here.
  static Expected<Schedule, ScheduleError> parse(std::string_view text);

  const std::string& text() const { return text_; }  // as typed
  Macro macro() const { return macro_; }
  bool is_reboot() const { return macro_ == Macro::Reboot; }

  // The expanded sets. Macros expand the way Vixie cron does (@daily = 0 0 * * *).
  std::bitset<60> minutes() const { return std::bitset<60>(minutes_); }
  std::bitset<24> hours() const { return std::bitset<24>(hours_); }
  std::bitset<32> days_of_month() const { return std::bitset<32>(days_of_month_); }  // 1..31
  std::bitset<13> months() const { return std::bitset<13>(months_); }                // 1..12
  std::bitset<7> days_of_week() const { return std::bitset<7>(days_of_week_); }      // 0 = Sun
  // Vixie cron's rule: when either day field starts with `*`, a day must match both day
  // fields; otherwise it must match either.
  bool day_of_month_star() const { return dom_star_; }
  bool day_of_week_star() const { return dow_star_; }

  // Whether cron would start the job on this date / at this minute (month 1-12, day 1-31,
  // day_of_week 0-6 with 0 = Sunday). Always false for @reboot.
  bool runs_on(int month, int day, int day_of_week) const;
  bool runs_at(int month, int day, int day_of_week, int hour, int minute) const;

  // The CronJob `spec.schedule`: the user's text when Kubernetes reads it the same way,
  // otherwise an equivalent normalised 5-field form (`5-7` in day-of-week → `0,5,6`).
  // "" for @reboot, which Kubernetes has no schedule for.
  std::string to_kubernetes_schedule() const;
  // Why to_kubernetes_schedule() is not exactly what cron did (@reboot; both day fields
  // restricted while one starts with `*`, which Kubernetes cannot express), or nullopt.
  std::optional<std::string> kubernetes_caveat() const;

  // The smallest gap between two consecutive runs, over the whole 400-year Gregorian cycle.
  // minutes::max() for @reboot and for schedules that never run (`0 0 30 2 *`).
  std::chrono::minutes min_interval() const;
  bool never_runs() const;

  // For @hourly/@daily/@midnight/@weekly/@monthly/@yearly/@annually: a 5-field schedule with
  // minute = text::fnv1a_64(seed) % 60 and (daily and longer) hour = text::fnv1a_64(seed) / 60 %
  // 24, like the Toolforge jobs framework spread such jobs over the hour and day. Weekly runs on
  // Sunday, monthly on the 1st, yearly on 1 January, as the macros do. Any other schedule is
  // returned unchanged.
  Schedule spread(std::string_view seed) const;

  friend bool operator==(const Schedule&, const Schedule&) = default;

 private:
  Schedule() = default;
  bool kubernetes_reads_text_as_is() const;

  std::string text_;
  Macro macro_ = Macro::None;
  std::uint64_t minutes_ = 0;
  std::uint64_t hours_ = 0;
  std::uint64_t days_of_month_ = 0;
  std::uint64_t months_ = 0;
  std::uint64_t days_of_week_ = 0;
  bool dom_star_ = false;
  bool dow_star_ = false;
  // How robfig/cron would read the typed day fields: `*` counts only without a step > 1.
  bool k8s_dom_star_ = false;
  bool k8s_dow_star_ = false;
  bool k8s_rejects_text_ = false;  // e.g. day-of-week 7
};

}  // namespace k8sjobs::cron
