#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "k8sjobs/cron/schedule.h"
#include "k8sjobs/text/fnv1a.h"

namespace k8sjobs::cron {
namespace {

using std::chrono::minutes;

Schedule parse_ok(std::string_view text) {
  auto s = Schedule::parse(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << (s ? "" : s.error().reason);
  return std::move(s).value();
}

std::string parse_error(std::string_view text) {
  auto s = Schedule::parse(text);
  EXPECT_FALSE(s.has_value()) << text;
  return s ? "" : s.error().reason;
}

template <std::size_t N>
std::string members(const std::bitset<N>& bits) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (bits[i]) out += (out.empty() ? "" : ",") + std::to_string(i);
  }
  return out;
}

TEST(CronSchedule, StarSingleListRangeAndSteps) {
  const Schedule s = parse_ok("*/15 1,2,5-7 1-10/3 * *");
  EXPECT_EQ(members(s.minutes()), "0,15,30,45");
  EXPECT_EQ(members(s.hours()), "1,2,5,6,7");
  EXPECT_EQ(members(s.days_of_month()), "1,4,7,10");
  EXPECT_EQ(s.months().count(), 12u);
  EXPECT_FALSE(s.months()[0]);
  EXPECT_EQ(s.days_of_week().count(), 7u);
  EXPECT_FALSE(s.day_of_month_star());
  EXPECT_TRUE(s.day_of_week_star());
  EXPECT_EQ(s.text(), "*/15 1,2,5-7 1-10/3 * *");
  EXPECT_EQ(s.macro(), Macro::None);
}

TEST(CronSchedule, TextKeepsTheSpacingAsTyped) {
  EXPECT_EQ(parse_ok("  0   0\t*   *   0  ").text(), "0   0\t*   *   0");
}

TEST(CronSchedule, LeadingZerosAndStepOverAList) {
  const Schedule s = parse_ok("05,00 08 * * *");
  EXPECT_EQ(members(s.minutes()), "0,5");
  EXPECT_EQ(members(s.hours()), "8");
  EXPECT_EQ(members(parse_ok("0-59/20,7 * * * *").minutes()), "0,7,20,40");
}

TEST(CronSchedule, NamesInAnyCaseAndInRanges) {
  const Schedule s = parse_ok("0 0 * JAN,mar-May Tue");
  EXPECT_EQ(members(s.months()), "1,3,4,5");
  EXPECT_EQ(members(s.days_of_week()), "2");
  EXPECT_EQ(members(parse_ok("0 0 * * mon-fri").days_of_week()), "1,2,3,4,5");
  EXPECT_EQ(members(parse_ok("0 0 * jan-dec/3 *").months()), "1,4,7,10");
}

TEST(CronSchedule, SevenIsSunday) {
  EXPECT_EQ(members(parse_ok("0 0 * * 7").days_of_week()), "0");
  EXPECT_EQ(members(parse_ok("0 0 * * 5-7").days_of_week()), "0,5,6");
  EXPECT_EQ(members(parse_ok("0 0 * * 0-7").days_of_week()), "0,1,2,3,4,5,6");
}

TEST(CronSchedule, Macros) {
  struct Case {
    const char* text;
    Macro macro;
    const char* minutes;
    const char* hours;
    std::size_t dom_count;
    std::size_t month_count;
    const char* dow;
  };
  const Case cases[] = {
      {"@yearly", Macro::Yearly, "0", "0", 1, 1, "0,1,2,3,4,5,6"},
      {"@annually", Macro::Annually, "0", "0", 1, 1, "0,1,2,3,4,5,6"},
      {"@monthly", Macro::Monthly, "0", "0", 1, 12, "0,1,2,3,4,5,6"},
      {"@weekly", Macro::Weekly, "0", "0", 31, 12, "0"},
      {"@daily", Macro::Daily, "0", "0", 31, 12, "0,1,2,3,4,5,6"},
      {"@midnight", Macro::Midnight, "0", "0", 31, 12, "0,1,2,3,4,5,6"},
  };
  for (const Case& c : cases) {
    const Schedule s = parse_ok(c.text);
    EXPECT_EQ(s.macro(), c.macro) << c.text;
    EXPECT_EQ(to_string(s.macro()), c.text);
    EXPECT_EQ(members(s.minutes()), c.minutes) << c.text;
    EXPECT_EQ(members(s.hours()), c.hours) << c.text;
    EXPECT_EQ(s.days_of_month().count(), c.dom_count) << c.text;
    EXPECT_EQ(s.months().count(), c.month_count) << c.text;
    EXPECT_EQ(members(s.days_of_week()), c.dow) << c.text;
    EXPECT_EQ(s.to_kubernetes_schedule(), c.text);
    EXPECT_FALSE(s.is_reboot());
  }
  const Schedule hourly = parse_ok("@hourly");
  EXPECT_EQ(hourly.hours().count(), 24u);
  EXPECT_EQ(members(hourly.minutes()), "0");
  EXPECT_TRUE(parse_ok("@reboot").is_reboot());
  EXPECT_EQ(parse_ok("@reboot").minutes().count(), 0u);
  // The weekly macro still runs on Sundays only (cron's DOM_STAR makes days an AND).
  EXPECT_TRUE(parse_ok("@weekly").runs_on(6, 4, 0));
  EXPECT_FALSE(parse_ok("@weekly").runs_on(6, 5, 1));
}

TEST(CronSchedule, FieldErrors) {
  EXPECT_EQ(parse_error("61 * * * *"), "bad minute field \"61\": 61 is outside 0-59");
  EXPECT_EQ(parse_error("0 24 * * *"), "bad hour field \"24\": 24 is outside 0-23");
  EXPECT_EQ(parse_error("0 0 0 * *"), "bad day-of-month field \"0\": 0 is outside 1-31");
  EXPECT_EQ(parse_error("0 0 32 * *"), "bad day-of-month field \"32\": 32 is outside 1-31");
  EXPECT_EQ(parse_error("0 0 * 13 *"), "bad month field \"13\": 13 is outside 1-12");
  EXPECT_EQ(parse_error("0 0 * * 8"), "bad day-of-week field \"8\": 8 is outside 0-7");
  EXPECT_EQ(parse_error("0 0 * * funday"),
            "bad day-of-week field \"funday\": \"funday\" is not a number or a day name (sun-sat)");
  EXPECT_EQ(parse_error("0 0 * * tuesday"),
            "bad day-of-week field \"tuesday\": \"tuesday\" is not a number or a day name "
            "(sun-sat)");
  EXPECT_EQ(parse_error("0 0 * june *"),
            "bad month field \"june\": \"june\" is not a number or a month name (jan-dec)");
  EXPECT_EQ(parse_error("x * * * *"), "bad minute field \"x\": \"x\" is not a number");
  EXPECT_EQ(parse_error("mon * * * *"), "bad minute field \"mon\": \"mon\" is not a number");
  EXPECT_EQ(parse_error("*/0 * * * *"), "bad minute field \"*/0\": a step must be at least 1");
  EXPECT_EQ(parse_error("*/x * * * *"), "bad minute field \"*/x\": step \"x\" is not a number");
  EXPECT_EQ(parse_error("5/10 * * * *"),
            "bad minute field \"5/10\": a step needs a range or *, e.g. 5-59/10");
  EXPECT_EQ(parse_error("0 5-1 * * *"), "bad hour field \"5-1\": range 5-1 goes backwards (5-1)");
  EXPECT_EQ(parse_error("0 0 * * fri-sun"),
            "bad day-of-week field \"fri-sun\": range fri-sun goes backwards (5-0)");
  EXPECT_EQ(parse_error("1,,2 * * * *"), "bad minute field \"1,,2\": empty list element");
  EXPECT_EQ(parse_error("1, * * * *"), "bad minute field \"1,\": empty list element");
  EXPECT_EQ(parse_error("-5 * * * *"), "bad minute field \"-5\": a value is missing");
  EXPECT_EQ(parse_error("5x * * * *"), "bad minute field \"5x\": \"5x\" is not a number");
  EXPECT_EQ(parse_error("*-3 * * * *"), "bad minute field \"*-3\": \"*\" is not a number");
  EXPECT_EQ(parse_error("99999999999999999999 * * * *"),
            "bad minute field \"99999999999999999999\": 99999999999999999999 is outside 0-59");
  EXPECT_EQ(parse_error("1 2 3 4"), "missing day-of-week field");
  EXPECT_EQ(parse_error(""), "missing minute field");
  EXPECT_EQ(parse_error("1 2 3 4 5 6"), "unexpected \"6\" after the day-of-week field");
  EXPECT_EQ(parse_error("@Daily"),
            "bad time specifier \"@Daily\" (known: @reboot @yearly @annually @monthly @weekly "
            "@daily @midnight @hourly)");
  EXPECT_FALSE(Schedule::parse("@every 5m").has_value());
  EXPECT_FALSE(Schedule::parse("0 0 ? * *").has_value());  // robfig-only syntax
}

TEST(CronSchedule, DayFieldsCombineLikeVixieCron) {
  // Both restricted: either matches. 2024-06-03 is a Monday, 2024-06-15 a Saturday.
  const Schedule either = parse_ok("0 0 15 * mon");
  EXPECT_TRUE(either.runs_on(6, 3, 1));
  EXPECT_TRUE(either.runs_on(6, 15, 6));
  EXPECT_FALSE(either.runs_on(6, 4, 2));
  // A field starting with '*' (even */2) makes it "both".
  const Schedule both = parse_ok("0 0 */2 * mon");
  EXPECT_TRUE(both.runs_on(6, 3, 1));
  EXPECT_FALSE(both.runs_on(6, 10, 1));
  EXPECT_FALSE(both.runs_on(6, 5, 3));
  EXPECT_TRUE(both.runs_at(6, 3, 1, 0, 0));
  EXPECT_FALSE(both.runs_at(6, 3, 1, 0, 1));
  EXPECT_FALSE(parse_ok("0 0 * 2 *").runs_on(3, 1, 5));
}

TEST(CronSchedule, KubernetesKeepsTextItReadsTheSameWay) {
  EXPECT_EQ(parse_ok("*/10 * * * *").to_kubernetes_schedule(), "*/10 * * * *");
  EXPECT_EQ(parse_ok("17 2 * * tue").to_kubernetes_schedule(), "17 2 * * tue");
  EXPECT_EQ(parse_ok("0   0   *   *   0").to_kubernetes_schedule(), "0   0   *   *   0");
  EXPECT_EQ(parse_ok("5,20,35,50 * * * *").to_kubernetes_schedule(), "5,20,35,50 * * * *");
  EXPECT_EQ(parse_ok("0 0 15 * mon").to_kubernetes_schedule(), "0 0 15 * mon");
  EXPECT_EQ(parse_ok("0 0 */2 * *").to_kubernetes_schedule(), "0 0 */2 * *");
  EXPECT_EQ(parse_ok("@hourly").to_kubernetes_schedule(), "@hourly");
  EXPECT_FALSE(parse_ok("17 2 * * tue").kubernetes_caveat().has_value());
}

TEST(CronSchedule, KubernetesNormalisesWhatItWouldReadDifferently) {
  // robfig/cron allows day-of-week 0-6 only.
  EXPECT_EQ(parse_ok("0 0 * * 7").to_kubernetes_schedule(), "0 0 * * 0");
  EXPECT_EQ(parse_ok("30 4 * * 5-7").to_kubernetes_schedule(), "30 4 * * 0,5,6");
  EXPECT_EQ(parse_ok("*/5 1-10/3 * * 1-7").to_kubernetes_schedule(), "*/5 1-10/3 * * *");
  // `*/2` in day-of-week counts as "*" for cron (days must match both fields) but not for
  // robfig (either); the day-of-month field is full, so writing it `*` keeps cron's meaning.
  const Schedule s = parse_ok("0 0 1-31 * */2");
  EXPECT_EQ(s.to_kubernetes_schedule(), "0 0 * * 0-6/2");
  EXPECT_FALSE(s.kubernetes_caveat().has_value());
  // Found by fuzzing: `7,*/2,7` is every odd day, which compacts to `*/2`; a leading `*` would
  // turn cron's "either day field" into "both", so a restricted day field is never written so.
  const Schedule odd = parse_ok("*/2,7 */2 7,*/2,7 2 2,7");
  EXPECT_EQ(odd.to_kubernetes_schedule(),
            "0,2,4,6-8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48,50,52,54,56,58 "
            "*/2 1-31/2 2 0,2");
  const Schedule again = parse_ok(odd.to_kubernetes_schedule());
  for (int day = 1; day <= 31; ++day) {
    for (int weekday = 0; weekday < 7; ++weekday) {
      EXPECT_EQ(again.runs_on(2, day, weekday), odd.runs_on(2, day, weekday)) << day << weekday;
    }
  }
  const Schedule t = parse_ok("0 0 */1 * 1-5/2");
  EXPECT_EQ(t.to_kubernetes_schedule(), "0 0 */1 * 1-5/2");
}

TEST(CronSchedule, KubernetesCannotSayBothDayFields) {
  const Schedule s = parse_ok("0 0 */2 * mon");
  EXPECT_EQ(s.to_kubernetes_schedule(), "0 0 1-31/2 * 1");
  ASSERT_TRUE(s.kubernetes_caveat().has_value());
  EXPECT_NE(s.kubernetes_caveat()->find("matching both"), std::string::npos);
}

TEST(CronSchedule, RebootHasNoKubernetesSchedule) {
  const Schedule s = parse_ok("@reboot");
  EXPECT_EQ(s.to_kubernetes_schedule(), "");
  ASSERT_TRUE(s.kubernetes_caveat().has_value());
  EXPECT_NE(s.kubernetes_caveat()->find("@reboot"), std::string::npos);
}

TEST(CronSchedule, MinInterval) {
  EXPECT_EQ(parse_ok("*/2 * * * *").min_interval(), minutes(2));
  EXPECT_EQ(parse_ok("0 * * * *").min_interval(), minutes(60));
  EXPECT_EQ(parse_ok("*/7 * * * *").min_interval(), minutes(4));  // 56 -> next hour's 0
  EXPECT_EQ(parse_ok("* * * * *").min_interval(), minutes(1));
  EXPECT_EQ(parse_ok("@reboot").min_interval(), minutes::max());
  EXPECT_EQ(parse_ok("@daily").min_interval(), minutes(24 * 60));
  EXPECT_EQ(parse_ok("@weekly").min_interval(), minutes(7 * 24 * 60));
  EXPECT_EQ(parse_ok("@hourly").min_interval(), minutes(60));
  EXPECT_EQ(parse_ok("50 23 * * *").min_interval(), minutes(24 * 60));
  // 23:50 then 00:10 the next day.
  EXPECT_EQ(parse_ok("10,50 0,23 * * *").min_interval(), minutes(20));
  EXPECT_EQ(parse_ok("0 5,13,21 * * *").min_interval(), minutes(8 * 60));
  // Friday 23:59 and Saturday 00:00.
  EXPECT_EQ(parse_ok("59,0 23,0 * * fri,sat").min_interval(), minutes(1));
  // On the 31st: 31 July then 31 August.
  EXPECT_EQ(parse_ok("0 0 31 * *").min_interval(), minutes(31 * 24 * 60));
  // 29 February: every four years (eight across 2100).
  EXPECT_EQ(parse_ok("0 0 29 2 *").min_interval(), minutes(1461LL * 24 * 60));
  EXPECT_FALSE(parse_ok("0 0 29 2 *").never_runs());
  EXPECT_EQ(parse_ok("0 0 30 2 *").min_interval(), minutes::max());
  EXPECT_TRUE(parse_ok("0 0 30 2 *").never_runs());
}

TEST(CronSchedule, Fnv1aMatchesPublishedVectors) {
  EXPECT_EQ(text::fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(text::fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(CronSchedule, SpreadIsStable) {
  // fnv1a_64("alice-daily-job") = 0x023c330eed3f5a05: minute 57, hour 21.
  EXPECT_EQ(parse_ok("@daily").spread("alice-daily-job").text(), "57 21 * * *");
  EXPECT_EQ(parse_ok("@midnight").spread("alice-daily-job").text(), "57 21 * * *");
  EXPECT_EQ(parse_ok("@hourly").spread("alice-daily-job").text(), "57 * * * *");
  // fnv1a_64("tool-alice/backup") = 0xc97522ce66fcbe39: minute 49, hour 6.
  EXPECT_EQ(parse_ok("@weekly").spread("tool-alice/backup").text(), "49 6 * * 0");
  EXPECT_EQ(parse_ok("@monthly").spread("tool-alice/backup").text(), "49 6 1 * *");
  EXPECT_EQ(parse_ok("@yearly").spread("tool-alice/backup").text(), "49 6 1 1 *");
  EXPECT_EQ(parse_ok("@annually").spread("").text(), "17 19 1 1 *");
  const Schedule spread = parse_ok("@daily").spread("alice-daily-job");
  EXPECT_EQ(spread.macro(), Macro::None);
  EXPECT_EQ(spread.min_interval(), minutes(24 * 60));
  EXPECT_EQ(spread.to_kubernetes_schedule(), "57 21 * * *");
  // Same seed, same answer; other schedules unchanged.
  EXPECT_EQ(parse_ok("@daily").spread("x"), parse_ok("@daily").spread("x"));
  EXPECT_EQ(parse_ok("*/5 * * * *").spread("x"), parse_ok("*/5 * * * *"));
  EXPECT_TRUE(parse_ok("@reboot").spread("x").is_reboot());
}

}  // namespace
}  // namespace k8sjobs::cron
