#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/cron/crontab.h"
#include "support/build_paths.h"

namespace k8sjobs::cron {
namespace {

CronLine job_ok(std::string_view line) {
  auto job = parse_job_line(line);
  EXPECT_TRUE(job.has_value()) << line << ": " << (job ? "" : job.error().reason);
  return std::move(job).value();
}

std::string job_error(std::string_view line) {
  auto job = parse_job_line(line);
  EXPECT_FALSE(job.has_value()) << line;
  return job ? "" : job.error().reason;
}

TEST(CronEnvironment, NameValueWithOptionalBlanks) {
  auto a = parse_environment_line("MAILTO=tools.alice@toolforge.org");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, (EnvironmentSetting{"MAILTO", "tools.alice@toolforge.org"}));
  EXPECT_EQ(*parse_environment_line("  SHELL = /bin/bash  "),
            (EnvironmentSetting{"SHELL", "/bin/bash"}));
  EXPECT_EQ(*parse_environment_line("CRON_TZ=UTC"), (EnvironmentSetting{"CRON_TZ", "UTC"}));
  // Inner blanks stay; nothing is expanded; `#` is part of the value.
  EXPECT_EQ(*parse_environment_line("A = b  c # d"), (EnvironmentSetting{"A", "b  c # d"}));
  EXPECT_EQ(*parse_environment_line("PATH=$HOME/bin:$PATH"),
            (EnvironmentSetting{"PATH", "$HOME/bin:$PATH"}));
}

TEST(CronEnvironment, QuotesLikeCron) {
  EXPECT_EQ(*parse_environment_line("A=\"b c\""), (EnvironmentSetting{"A", "b c"}));
  EXPECT_EQ(*parse_environment_line("A=' padded '"), (EnvironmentSetting{"A", " padded "}));
  EXPECT_EQ(*parse_environment_line("MAILTO=\"\""), (EnvironmentSetting{"MAILTO", ""}));
  EXPECT_EQ(*parse_environment_line("\"MY VAR\" = x"), (EnvironmentSetting{"MY VAR", "x"}));
  EXPECT_EQ(*parse_environment_line("A=\"it's\""), (EnvironmentSetting{"A", "it's"}));
  // Quotes only around part of the value are kept as they are.
  EXPECT_EQ(*parse_environment_line("A=b\"c\""), (EnvironmentSetting{"A", "b\"c\""}));
  // Not settings: unterminated quote, text after the closing quote, no value, a job line.
  EXPECT_FALSE(parse_environment_line("A=\"b c").has_value());
  EXPECT_FALSE(parse_environment_line("A=\"b\" c").has_value());
  EXPECT_FALSE(parse_environment_line("MAILTO=").has_value());
  EXPECT_FALSE(parse_environment_line("\"A=B\"=c").has_value());
  EXPECT_FALSE(parse_environment_line("* * * * * A=b cmd").has_value());
  EXPECT_FALSE(parse_environment_line("# A=b").has_value());
  EXPECT_FALSE(parse_environment_line("").has_value());
}

TEST(CronJobLine, ScheduleAndCommand) {
  const CronLine job = job_ok("17 2 * * tue jsub -N x php x.php >/dev/null");
  EXPECT_EQ(job.schedule.text(), "17 2 * * tue");
  EXPECT_EQ(job.command, "jsub -N x php x.php >/dev/null");
  EXPECT_EQ(job.command_as_typed, job.command);
  EXPECT_EQ(job.command_column, 13u);
  EXPECT_FALSE(job.input.has_value());

  const CronLine tabs = job_ok("0\t0\t*\t*\t0\t  /usr/bin/jsub a");
  EXPECT_EQ(tabs.command, "/usr/bin/jsub a");
  EXPECT_EQ(tabs.command_column, 12u);

  const CronLine macro = job_ok("@reboot   jstart -N web ~/serve.sh");
  EXPECT_TRUE(macro.schedule.is_reboot());
  EXPECT_EQ(macro.command, "jstart -N web ~/serve.sh");
  EXPECT_EQ(macro.command_column, 10u);
}

TEST(CronJobLine, PercentEndsTheCommandAndFeedsInput) {
  const CronLine job = job_ok("30 6 * * mon-fri mail -s report alice%Hello,%the report%");
  EXPECT_EQ(job.command, "mail -s report alice");
  ASSERT_TRUE(job.input.has_value());
  EXPECT_EQ(*job.input, "Hello,\nthe report\n");

  const CronLine escaped = job_ok("* * * * * date +\\%Y-\\%m-\\%d > /tmp/d");
  EXPECT_EQ(escaped.command, "date +%Y-%m-%d > /tmp/d");
  EXPECT_FALSE(escaped.input.has_value());
  // Offsets in the command map back to the line across the removed backslashes.
  EXPECT_EQ(escaped.line_offset(0), 10u);
  EXPECT_EQ(escaped.line_offset(6), 17u);   // first '%'
  EXPECT_EQ(escaped.line_offset(9), 21u);   // second '%'
  EXPECT_EQ(escaped.line_offset(14), 27u);  // the blank before '>'

  const CronLine input = job_ok("* * * * * cat%a\\%b%c\\d");
  EXPECT_EQ(input.command, "cat");
  EXPECT_EQ(*input.input, "a%b\nc\\d");

  // Other backslashes are left for the shell; an empty input is still an input.
  const CronLine other = job_ok("* * * * * echo a\\ b%");
  EXPECT_EQ(other.command, "echo a\\ b");
  EXPECT_EQ(other.input, std::optional<std::string>(""));
}

TEST(CronJobLine, SplitPercentDirectly) {
  const CommandParts parts = split_percent("printf '100\\%'%x%y");
  EXPECT_EQ(parts.command, "printf '100%'");
  EXPECT_EQ(*parts.input, "x\ny");
  EXPECT_EQ(parts.removed_backslashes, std::vector<std::size_t>{11});
  EXPECT_EQ(split_percent("a\\\\%b").command, "a\\\\");
  EXPECT_EQ(*split_percent("a%b\\").input, "b\\");
}

TEST(CronJobLine, Errors) {
  EXPECT_EQ(job_error("61 * * * * jsub x"), "bad minute field \"61\": 61 is outside 0-59");
  EXPECT_EQ(job_error("0 0 * * funday jsub x"),
            "bad day-of-week field \"funday\": \"funday\" is not a number or a day name (sun-sat)");
  EXPECT_EQ(job_error("0 0 * * *"), "missing command");
  EXPECT_EQ(job_error("0 0 * * *    "), "missing command");
  EXPECT_EQ(job_error("@daily"), "missing command");
  EXPECT_EQ(job_error("0 0 * *"), "missing day-of-week field");
  EXPECT_EQ(job_error("* * * * * %only input"), "missing command (only standard input after '%')");
  EXPECT_EQ(job_error("jsub -N x foo.sh"), "bad minute field \"jsub\": \"jsub\" is not a number");
  EXPECT_EQ(job_error("@every 5m cmd").rfind("bad time specifier \"@every\" (known: @reboot", 0),
            0u);
}

TEST(CronJobLine, CommentedOutJobs) {
  auto a = parse_commented_job("# 17 2 * * tue jsub -N CleanupWorklistBot php x.php >/dev/null");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->schedule.text(), "17 2 * * tue");
  EXPECT_EQ(a->command, "jsub -N CleanupWorklistBot php x.php >/dev/null");
  EXPECT_EQ(a->command_column, 15u);
  auto b = parse_commented_job("#1\t23\t*\t*\t* /usr/bin/jsub -N canvi_dia x.sh");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->command, "/usr/bin/jsub -N canvi_dia x.sh");
  auto c = parse_commented_job("  ## @daily jsub x");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->schedule.macro(), Macro::Daily);
  // Ordinary comments, the default crontab header, commented settings, and non-comments.
  EXPECT_FALSE(parse_commented_job("# m h  dom mon dow   command").has_value());
  EXPECT_FALSE(
      parse_commented_job("# Edit this file to introduce tasks to be run by cron.").has_value());
  EXPECT_FALSE(parse_commented_job("# MAILTO=x").has_value());
  EXPECT_FALSE(parse_commented_job("#").has_value());
  EXPECT_FALSE(parse_commented_job("17 2 * * tue jsub x").has_value());
}

TEST(Crontab, EveryLineBecomesAnEntry) {
  const std::string text =
      "# header\n"
      "MAILTO=\"\"\r\n"
      "\n"
      "  \t\n"
      "*/5 * * * * jsub -N a a.sh\n"
      "# 0 1 * * * jsub -N old old.sh\n"
      "MAILTO=\n"
      "0 0 31 2 * jsub never.sh\n"
      "61 * * * * jsub x\n"
      "0 0 * * *";  // no final newline
  const Crontab crontab = parse_crontab(text);
  ASSERT_EQ(crontab.entries.size(), 10u);
  const EntryKind kinds[] = {EntryKind::Comment, EntryKind::Environment, EntryKind::Blank,
                             EntryKind::Blank,   EntryKind::Job,         EntryKind::Comment,
                             EntryKind::Error,   EntryKind::Job,         EntryKind::Error,
                             EntryKind::Error};
  for (std::size_t i = 0; i < crontab.entries.size(); ++i) {
    EXPECT_EQ(crontab.entries[i].line, static_cast<int>(i) + 1);
    EXPECT_EQ(crontab.entries[i].kind(), kinds[i]) << "line " << i + 1;
  }
  EXPECT_EQ(crontab.entries[1].text, "MAILTO=\"\"");
  EXPECT_EQ(crontab.entries[1].environment()->value, "");
  EXPECT_EQ(crontab.entries[0].comment()->text, " header");
  EXPECT_FALSE(crontab.entries[0].comment()->commented_job.has_value());
  ASSERT_TRUE(crontab.entries[5].comment()->commented_job.has_value());
  EXPECT_EQ(crontab.entries[5].comment()->commented_job->command, "jsub -N old old.sh");
  EXPECT_EQ(crontab.entries[6].error()->reason,
            "\"MAILTO=\" sets nothing: cron needs quotes for an empty value (MAILTO=\"\")");
  EXPECT_TRUE(crontab.entries[7].job()->schedule.never_runs());
  EXPECT_EQ(crontab.entries[8].error()->reason, "bad minute field \"61\": 61 is outside 0-59");
  EXPECT_EQ(crontab.entries[9].error()->reason, "missing command");
  EXPECT_EQ(crontab.jobs().size(), 2u);
  ASSERT_EQ(crontab.errors().size(), 3u);
  EXPECT_EQ(crontab.errors()[0]->line, 7);
  EXPECT_TRUE(parse_crontab("").entries.empty());
  EXPECT_EQ(parse_crontab("\n").entries.size(), 1u);
}

TEST(Crontab, SampleFile) {
  std::ifstream in(std::string(K8SJOBS_TEST_DATA_DIR) + "/cron/sample.crontab", std::ios::binary);
  ASSERT_TRUE(in.good());
  const Crontab crontab = read_crontab(in);
  ASSERT_EQ(crontab.entries.size(), 22u);

  const auto& env = crontab.entries[5];
  EXPECT_EQ(*env.environment(), (EnvironmentSetting{"GREETING", " hello world "}));

  const auto& rewritten = crontab.entries[7];
  ASSERT_NE(rewritten.job(), nullptr);
  EXPECT_EQ(rewritten.job()->schedule.min_interval(), std::chrono::minutes(10));
  const CommandScan scan = find_grid_commands(rewritten.job()->command);
  ASSERT_EQ(scan.commands.size(), 1u);
  EXPECT_EQ(scan.commands[0].argv,
            (std::vector<std::string>{"-N", "cron-7", "-once", "-quiet", "python3", "~/bot.py"}));

  const auto& with_cd = crontab.entries[8];
  const CommandScan cd_scan = find_grid_commands(with_cd.job()->command);
  ASSERT_EQ(cd_scan.commands.size(), 1u);
  EXPECT_EQ(cd_scan.commands[0].cd_directory, std::optional<std::string>("~/reports"));
  // The span maps back onto the line as written.
  const CronLine& job = *with_cd.job();
  const std::size_t b = job.line_offset(cd_scan.commands[0].begin);
  const std::size_t e = job.line_offset(cd_scan.commands[0].end);
  EXPECT_EQ(with_cd.text.substr(b, e - b), "/usr/bin/jsub -N cron-8 -once -quiet -cwd ./run.sh");

  EXPECT_EQ(crontab.entries[9].kind(), EntryKind::Comment);
  EXPECT_TRUE(crontab.entries[9].comment()->commented_job.has_value());
  EXPECT_EQ(crontab.entries[10].job()->schedule.macro(), Macro::Daily);
  EXPECT_TRUE(crontab.entries[11].job()->schedule.is_reboot());
  EXPECT_EQ(*crontab.entries[13].job()->input, "Hello,\nthe report is ready.\n");
  EXPECT_EQ(crontab.entries[14].kind(), EntryKind::Error);
  EXPECT_EQ(crontab.entries[15].kind(), EntryKind::Error);
  EXPECT_EQ(crontab.entries[16].error()->reason, "missing command");
  EXPECT_EQ(crontab.entries[18].job()->command, "echo '100% done' > /dev/null");
  EXPECT_EQ(crontab.entries[19].kind(), EntryKind::Blank);
  EXPECT_EQ(crontab.entries[21].job()->command, "jsub -N halfyear ~/h.sh");
  EXPECT_EQ(crontab.entries[21].line, 22);

  // Settings apply to the lines below them; the later one wins.
  auto at_8 = crontab.environment_at(8);
  EXPECT_EQ(at_8["MAILTO"], "tools.alice@toolforge.org");
  EXPECT_EQ(at_8["SHELL"], "/bin/bash");
  EXPECT_EQ(at_8["PATH"], "/usr/local/bin:/usr/bin:/bin");
  EXPECT_EQ(at_8.count("CRON_TZ"), 0u);
  auto at_22 = crontab.environment_at(22);
  EXPECT_EQ(at_22["MAILTO"], "");
  EXPECT_EQ(at_22["CRON_TZ"], "Europe/Berlin");
  EXPECT_TRUE(crontab.environment_at(1).empty());
}

TEST(Crontab, ReadsAStream) {
  std::istringstream in("MAILTO=a\n@hourly jsub x\n");
  const Crontab crontab = read_crontab(in);
  ASSERT_EQ(crontab.entries.size(), 2u);
  EXPECT_EQ(crontab.entries[1].job()->schedule.macro(), Macro::Hourly);
}

// write_table sizes the LINE column with is_job_or_error_line: it must agree with parse_line.
TEST(Crontab, IsJobOrErrorLineAgreesWithParseLine) {
  const std::vector<std::string> lines = {"",
                                          "   ",
                                          "\t",
                                          "# comment",
                                          "  # 0 * * * * jsub x",
                                          "#1 2 * * * x",
                                          "A=b",
                                          " A = b ",
                                          "A=\"\"",
                                          "A=",
                                          "'A'=b",
                                          "\"A=b",
                                          "0 * * * * jsub run.sh",
                                          "@daily x",
                                          "@reboot",
                                          "61 * * * * x",
                                          "0 * * * *",
                                          "junk",
                                          "0 * * * * echo a=b",
                                          "PATH=$PATH:/x",
                                          "x=y z",
                                          "0 * * * * x % y"};
  for (const auto& line : lines) {
    auto kind = parse_line(1, line).kind();
    EXPECT_EQ(is_job_or_error_line(line), kind == EntryKind::Job || kind == EntryKind::Error)
        << '"' << line << '"';
  }
}

}  // namespace
}  // namespace k8sjobs::cron
