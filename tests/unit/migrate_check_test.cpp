// k8sjobs-migrate check: the verdict, the reasons and the cron warnings for crafted crontab
// lines, the rendering of the table and JSON, and every crontab line of the corpus.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ge_fake_host.h"
#include "k8sjobs/ge/option_table.h"
#include "k8sjobs/migrate/check.h"
#include "support/build_paths.h"

namespace k8sjobs::migrate {
namespace {

using ge::testing::FakeHost;

class MigrateCheck : public ::testing::Test {
 protected:
  MigrateCheck() {
    settings.user = "tools.alice";
    settings.home = "/data/project/alice";
    settings.submit.releases = {"bookworm", "buster"};
    settings.submit.map_unknown_releases = true;
    settings.submit.default_memory_kib = 524288;
    host.program("/usr/bin/php").program("/usr/bin/python3");
    host.program("/data/project/alice/run.sh").program("/data/project/alice/bot.py");
    host.program("/data/project/alice/reports/run.sh");
    host.program("/data/project/alice/daily.sh").program("/data/project/alice/serve.sh");
  }

  CrontabCheck check(const std::string& text) {
    return check_crontab(cron::parse_crontab(text), "crontab", host, settings);
  }
  LineCheck one(const std::string& text) {
    auto result = check(text);
    EXPECT_EQ(result.lines.size(), 1U) << text;
    return result.lines.empty() ? LineCheck{} : result.lines[0];
  }
  static std::vector<std::string> codes(const LineCheck& line) {
    std::vector<std::string> out;
    for (const auto& warning : line.hygiene) out.push_back(warning.code);
    return out;
  }

  FakeHost host;
  CheckSettings settings;
};

TEST_F(MigrateCheck, PlainJsubLineIsOkWithTildeExpanded) {
  auto line = one("*/10 * * * * /usr/bin/jsub -N cron-7 -once -quiet python3 ~/bot.py\n");
  EXPECT_EQ(line.verdict, Verdict::Ok);
  EXPECT_EQ(line.line, 1);
  ASSERT_EQ(line.commands.size(), 1U);
  const auto& command = line.commands[0];
  EXPECT_EQ(command.command, "jsub");
  EXPECT_EQ(command.argv, (std::vector<std::string>{"-N", "cron-7", "-once", "-quiet", "python3",
                                                    "/data/project/alice/bot.py"}));
  ASSERT_TRUE(command.request != nullptr);
  EXPECT_EQ(command.request->job_name, "cron-7");
  EXPECT_EQ(command.request->resolved_program, "/usr/bin/python3");
  EXPECT_TRUE(line.hygiene.empty());
}

TEST_F(MigrateCheck, HomeVariablesAndCrontabSettingsAreExpanded) {
  auto result = check(
      "BOTDIR=/data/project/alice\n@daily jsub -once -N d $HOME/daily.sh\n"
      "@daily jsub -once -N e ${BOTDIR}/run.sh\n");
  ASSERT_EQ(result.lines.size(), 2U);
  EXPECT_EQ(result.lines[0].commands[0].argv.back(), "/data/project/alice/daily.sh");
  EXPECT_EQ(result.lines[1].commands[0].argv.back(), "/data/project/alice/run.sh");
  EXPECT_EQ(result.lines[0].verdict, Verdict::Ok);
  EXPECT_EQ(result.lines[1].verdict, Verdict::Ok);
  EXPECT_EQ(result.lines[1].crontab_environment->at("BOTDIR"), "/data/project/alice");
}

TEST_F(MigrateCheck, CdBeforeJsubIsTheWorkingDirectory) {
  auto line = one("0 3 * * * cd ~/reports; /usr/bin/jsub -N r -once -cwd ./run.sh\n");
  ASSERT_EQ(line.verdict, Verdict::Ok);
  EXPECT_EQ(line.commands[0].request->working_dir, "/data/project/alice/reports");
  EXPECT_EQ(line.commands[0].request->resolved_program, "/data/project/alice/reports/run.sh");
}

TEST_F(MigrateCheck, AcceptedWithWarningIsChangesWithParserWarningAndTableText) {
  auto line = one("0 * * * * jsub -once -p 10 run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Changes);
  ASSERT_EQ(line.commands[0].changes.size(), 1U);
  const auto& change = line.commands[0].changes[0];
  EXPECT_EQ(change.option, "-p");
  EXPECT_EQ(change.kubernetes, ge::option_spec(ge::OptionId::Priority).kubernetes);
  EXPECT_EQ(change.message, line.commands[0].request->warnings[0].message);
}

TEST_F(MigrateCheck, RetiredReleaseIsAChange) {
  auto line = one("10 * * * * jsub -l release=trusty -once run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Changes);
  ASSERT_FALSE(line.commands[0].changes.empty());
  EXPECT_NE(line.commands[0].changes[0].message.find("trusty"), std::string::npos);
}

TEST_F(MigrateCheck, HoldJidInACronLineIsUnsupportedWithWhatToUseInstead) {
  auto line = one("0 * * * * jsub -once -hold_jid first run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Unsupported);
  ASSERT_EQ(line.commands[0].refusals.size(), 1U);
  const auto& refusal = line.commands[0].refusals[0];
  EXPECT_EQ(refusal.option, "-hold_jid");
  EXPECT_EQ(refusal.message, "a CronJob's Jobs cannot wait for other jobs");
  EXPECT_EQ(refusal.instead,
            "run the steps one after the other in one script, or submit the next job at the end "
            "of the previous one");
}

TEST_F(MigrateCheck, HoldJidAdInACronLineIsUnsupportedToo) {
  auto line = one("0 * * * * qsub -t 1-3 -hold_jid_ad first run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Unsupported);
  ASSERT_EQ(line.commands[0].refusals.size(), 1U);
  EXPECT_EQ(line.commands[0].refusals[0].option, "-hold_jid_ad");
  EXPECT_EQ(line.commands[0].refusals[0].message, "a CronJob's Jobs cannot wait for other jobs");
  EXPECT_EQ(line.commands[0].refusals[0].instead,
            "one array job whose tasks run both steps in turn");
}

TEST_F(MigrateCheck, StdinFromDevNullIsAcceptedOtherFilesAreNot) {
  EXPECT_EQ(one("0 * * * * jsub -once -i /dev/null run.sh\n").verdict, Verdict::Ok);
  auto line = one("0 * * * * jsub -once -i input.txt run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Unsupported);
  EXPECT_EQ(line.commands[0].refusals.at(0).option, "-i");
  EXPECT_EQ(line.commands[0].refusals.at(0).message,
            ge::option_spec(ge::OptionId::StdinPath).kubernetes);  // no advice in the table
  EXPECT_EQ(line.commands[0].refusals.at(0).instead,
            "-i /dev/null, or read the file inside the job (sh -c 'prog < file')");
}

TEST_F(MigrateCheck, SiteLimitsFoundByTheTranslationAreUnsupported) {
  site::SiteConfig site;
  settings.site = &site;
  auto line = one("0 * * * * jsub -once -mem 6g run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Unsupported);
  ASSERT_EQ(line.commands[0].refusals.size(), 1U);
  EXPECT_EQ(line.commands[0].refusals[0].option, "site limit");
  EXPECT_EQ(line.commands[0].refusals[0].message,
            "the job requests 6Gi of memory, more than this site's maximum of 4Gi.");
  EXPECT_EQ(one("0 * * * * jsub -once -mem 2g run.sh\n").verdict, Verdict::Ok);
}

TEST_F(MigrateCheck, JsubErrorsAreErrorsWithJsubsMessage) {
  auto line = one("0 * * * * jsub -once -mem lots run.sh\n");
  EXPECT_EQ(line.verdict, Verdict::Error);
  EXPECT_EQ(line.commands[0].error,
            "jsub: error: argument -mem: expected an integer followed by 'k', 'm' or 'g'. 'lots' "
            "given.");
  auto missing = one("0 * * * * jsub -once nothere.sh\n");
  EXPECT_EQ(missing.verdict, Verdict::Error);
  EXPECT_FALSE(missing.commands[0].error.empty());
}

TEST_F(MigrateCheck, WithoutProgramChecksMissingProgramsAreAccepted) {
  settings.submit.check_program = false;
  EXPECT_EQ(one("0 * * * * jsub -once nothere.sh\n").verdict, Verdict::Ok);
}

TEST_F(MigrateCheck, LocalCommandsAndJlocal) {
  auto plain = one("30 6 * * mon-fri mail -s report alice%Hello%\n");
  EXPECT_EQ(plain.verdict, Verdict::Local);
  EXPECT_EQ(plain.reason, "no grid command: runs on the cron host");
  auto jlocal = one("10 1 * * * jlocal /data/project/alice/run.sh >/dev/null\n");
  EXPECT_EQ(jlocal.verdict, Verdict::Local);
  EXPECT_EQ(jlocal.reason, "jlocal: runs on the cron host, as before (k8sjobs' jlocal)");
}

TEST_F(MigrateCheck, UnreadableLinesAreErrorsWithLineNumberAndReason) {
  auto result =
      check("# header\n61 * * * * jsub run.sh\n0 0 * * * jsub 'unterminated\n0 0 * * *\n");
  ASSERT_EQ(result.lines.size(), 3U);
  EXPECT_EQ(result.lines[0].line, 2);
  EXPECT_EQ(result.lines[0].verdict, Verdict::Error);
  EXPECT_NE(result.lines[0].reason.find("61"), std::string::npos);
  EXPECT_EQ(result.lines[1].line, 3);
  EXPECT_EQ(result.lines[1].verdict, Verdict::Error);
  EXPECT_NE(result.lines[1].reason.find("the shell would refuse the command: "), std::string::npos);
  EXPECT_NE(result.lines[1].reason.find("(column 16)"), std::string::npos);
  EXPECT_EQ(result.lines[2].line, 4);
  EXPECT_EQ(result.lines[2].verdict, Verdict::Error);
}

TEST_F(MigrateCheck, OtherGridCommands) {
  // qsub lines are checked as qsub reads them: the script's #$ lines, Grid Engine's errors.
  auto qsub = one("3 21 * * * qsub -N x -l h_vmem=256m run.sh\n");
  EXPECT_EQ(qsub.verdict, Verdict::Ok) << qsub.reason;
  ASSERT_TRUE(qsub.commands[0].request);
  EXPECT_EQ(qsub.commands[0].mode, ge::Mode::Qsub);
  EXPECT_EQ(qsub.commands[0].request->script, "#!/bin/sh\n");
  auto held = one("3 21 * * * qsub -hold_jid 1 run.sh\n");
  EXPECT_EQ(held.verdict, Verdict::Unsupported);
  EXPECT_EQ(held.commands[0].refusals.at(0).option, "-hold_jid");
  auto missing = one("3 21 * * * qsub nosuch.sh\n");
  EXPECT_EQ(missing.verdict, Verdict::Error);
  EXPECT_EQ(missing.commands[0].error,
            "Unable to read script file because of error: error opening nosuch.sh: No such file "
            "or directory");
  // jsub's own options on a qsub line: Grid Engine's qsub never took them.
  auto jsub_option = one("3 21 * * * qsub -mem 1g run.sh\n");
  EXPECT_EQ(jsub_option.verdict, Verdict::Error);
  EXPECT_EQ(jsub_option.commands[0].error, "qsub: invalid option argument \"-mem\"");
  EXPECT_EQ(one("0 4 * * * jstop web\n").verdict, Verdict::Ok);
  EXPECT_EQ(one("0 4 * * * qdel web\n").verdict, Verdict::Ok);
}

TEST_F(MigrateCheck, TheWorstCommandDecidesTheLine) {
  auto line = one("0 * * * * jsub -once run.sh; jsub -once -p 1 run.sh; qsub -a 01010000 run.sh\n");
  ASSERT_EQ(line.commands.size(), 3U);
  EXPECT_EQ(line.commands[0].verdict, Verdict::Ok);
  EXPECT_EQ(line.commands[1].verdict, Verdict::Changes);
  EXPECT_EQ(line.commands[2].verdict, Verdict::Unsupported);
  EXPECT_EQ(line.verdict, Verdict::Unsupported);
}

TEST_F(MigrateCheck, HygieneFrequentAndMissingOnce) {
  auto every_minute = one("* * * * * jsub -once run.sh\n");
  EXPECT_EQ(codes(every_minute), (std::vector<std::string>{"frequent"}));
  EXPECT_EQ(every_minute.hygiene[0].message,
            "runs every minute; grid jobs should run at most every 5 minutes (the Toolforge rule)");
  auto no_once = one("*/10 * * * * jsub run.sh\n");
  EXPECT_EQ(codes(no_once), (std::vector<std::string>{"no-once"}));
  EXPECT_EQ(no_once.hygiene[0].message,
            "runs every 10 minutes without -once: a run that lasts longer overlaps the next one; "
            "add -once (as a CronJob: concurrencyPolicy Forbid)");
  EXPECT_TRUE(one("0 3 * * * jsub run.sh\n").hygiene.empty());  // daily: -once is optional
  EXPECT_EQ(codes(one("*/2 * * * * jsub run.sh\n")),
            (std::vector<std::string>{"frequent", "no-once"}));
  EXPECT_TRUE(one("* * * * * echo local\n").hygiene.empty());  // only grid jobs
}

TEST_F(MigrateCheck, HygieneRebootJstartAndNeverRuns) {
  EXPECT_EQ(codes(one("@reboot jstart -N web ~/serve.sh\n")), (std::vector<std::string>{"reboot"}));
  EXPECT_EQ(codes(one("*/15 * * * * jstart -N web ~/serve.sh\n")),
            (std::vector<std::string>{"keep-alive"}));
  EXPECT_EQ(codes(one("0 0 30 2 * jsub run.sh\n")), (std::vector<std::string>{"never-runs"}));
  EXPECT_EQ(codes(one("0 0 */2 * mon jsub -once run.sh\n")),
            (std::vector<std::string>{"schedule-changes"}));
}

TEST_F(MigrateCheck, CommentedJobsAreCountedNotChecked) {
  auto result = check("# 17 2 * * tue jsub -N old php old.php\n# just a comment\n");
  EXPECT_TRUE(result.lines.empty());
  EXPECT_EQ(result.commented_jobs, 1);
  EXPECT_EQ(summarize({result}).commented_jobs, 1);
}

TEST_F(MigrateCheck, SummaryFailsOnlyForUnsupportedOrError) {
  EXPECT_FALSE(summarize({check("0 * * * * jsub -once -p 1 run.sh\n* * * * * date\n")}).failed());
  EXPECT_TRUE(summarize({check("0 * * * * jsub -once -a 202401010000 run.sh\n")}).failed());
  EXPECT_TRUE(summarize({check("99 * * * * date\n")}).failed());
}

TEST_F(MigrateCheck, TableRendering) {
  auto result = check(
      "MAILTO=alice@example.org\n"
      "0 * * * * jsub -once run.sh\n"
      "0 * * * * jsub -once -p 5 run.sh\n"
      "0 * * * * jsub -once -hold_jid a run.sh\n"
      "0 * * * * date\n"
      "61 * * * * jsub run.sh\n");
  std::string priority = ge::option_spec(ge::OptionId::Priority).kubernetes.data();
  std::string hold = "a CronJob's Jobs cannot wait for other jobs";
  const std::string pad(19, ' ');
  std::string expected =
      "LINE  VERDICT      COMMAND\n"
      "2     ok           jsub -once run.sh\n"
      "3     changes      jsub -once -p 5 run.sh\n" +
      pad + "change: -p: " + priority + "\n" +
      "4     unsupported  jsub -once -hold_jid a run.sh\n" + pad + "unsupported: " + hold + "\n" +
      pad +
      "  instead: run the steps one after the other in one script, or submit the next job at the "
      "end of the previous one\n"
      "5     local        date\n"
      "6     error        61 * * * * jsub run.sh\n" +
      pad + "error: " + result.lines[4].reason + "\n" +
      "\n5 job lines: 1 ok, 1 changes, 1 unsupported, 1 local, 1 error; 0 cron warnings\n";
  EXPECT_EQ(render_table({result}), expected);
}

TEST_F(MigrateCheck, TableWithSeveralFilesShowsFileAndLine) {
  auto a = check_crontab(cron::parse_crontab("0 * * * * date\n"), "a.cron", host, settings);
  auto b = check_crontab(cron::parse_crontab("\n0 * * * * date\n"), "b.cron", host, settings);
  std::string table = render_table({a, b});
  EXPECT_NE(table.find("\na.cron:1  local"), std::string::npos) << table;
  EXPECT_NE(table.find("\nb.cron:2  local"), std::string::npos) << table;
}

// check writes its table while it reads (write_table); it must be byte for byte what
// render_table(check_crontab(...)) gives: every verdict, details, settings, comments, CRLF, a
// last line without newline, trailing lines that get no row, several files.
TEST_F(MigrateCheck, StreamedTableEqualsRenderedTable) {
  site::SiteConfig site;
  settings.site = &site;
  const std::string every_verdict =
      "MAILTO=alice@example.org\n"
      "\n"
      "# a comment\n"
      "# 17 2 * * tue jsub -N old php old.php\n"
      "0 * * * * jsub -once run.sh\n"
      "*/2 * * * * jsub -p 3 run.sh\r\n"
      "0 * * * * jsub -once -hold_jid a run.sh\n"
      "0 * * * * jsub -once -mem 6g run.sh\n"
      "BOTDIR=/data/project/alice\n"
      "@daily jsub -once -N e ${BOTDIR}/run.sh\n"
      "0 * * * * jsub -once -mem lots run.sh\n"
      "@reboot jstart -N web ~/serve.sh\n"
      "0 * * * * date\n"
      "10 1 * * * jlocal /data/project/alice/run.sh\n"
      "61 * * * * jsub run.sh\n"
      "0 0 * * * jsub 'unterminated\n"
      "EMPTY=\n"
      "3 21 * * * qsub run.sh; jstop web\n"
      "0 * * * * jsub -once run.sh\n"  // a repeated command
      "0 0 30 2 * jsub run.sh";        // no newline at the end
  auto streamed = [&](const std::vector<CrontabText>& crontabs, CheckSummary* summary) {
    std::string out;
    *summary = write_table(crontabs, host, settings, [&](std::string_view text) { out += text; });
    return out;
  };
  auto rendered = [&](const std::vector<CrontabText>& crontabs) {
    std::vector<CrontabCheck> checks;
    for (const auto& crontab : crontabs)
      checks.push_back(
          check_crontab(cron::parse_crontab(crontab.text), crontab.file, host, settings));
    return checks;
  };
  // Nine lines more make the tenth line's number the widest; the comments after it get no row.
  std::string wide;
  for (int i = 0; i < 9; ++i) wide += "0 * * * * jsub -once run.sh\n";
  wide += "0 * * * * date\n# done\n\n# really\n";
  const std::vector<std::vector<CrontabText>> cases = {
      {{"crontab", every_verdict}},
      {{"crontab", wide}},
      {{"crontab", ""}},
      {{"crontab", "# only a comment\n"}},
      {{"a.cron", every_verdict}, {"b.cron", wide}, {"c", "0 * * * * date\n"}},
  };
  for (const auto& crontabs : cases) {
    CheckSummary summary;
    auto checks = rendered(crontabs);
    EXPECT_EQ(streamed(crontabs, &summary), render_table(checks)) << crontabs[0].text;
    CheckSummary expected = summarize(checks);
    EXPECT_EQ(summary.ok, expected.ok);
    EXPECT_EQ(summary.changes, expected.changes);
    EXPECT_EQ(summary.unsupported, expected.unsupported);
    EXPECT_EQ(summary.local, expected.local);
    EXPECT_EQ(summary.error, expected.error);
    EXPECT_EQ(summary.hygiene, expected.hygiene);
    EXPECT_EQ(summary.commented_jobs, expected.commented_jobs);
  }
  // Every verdict is in the first case.
  CheckSummary summary = summarize(rendered(cases[0]));
  EXPECT_GT(summary.ok, 0);
  EXPECT_GT(summary.changes, 0);
  EXPECT_GT(summary.unsupported, 0);
  EXPECT_GT(summary.local, 0);
  EXPECT_GT(summary.error, 0);
  EXPECT_GT(summary.hygiene, 0);
  EXPECT_EQ(summary.commented_jobs, 1);
}

// Checked away from the cron host, a crontab names thousands of scripts in directories that
// are not there: the directory is asked about once, the scripts not at all, and the verdicts
// are jsub's (the program is not found).
TEST_F(MigrateCheck, ScriptsInAMissingDirectoryAreNotEachLookedUp) {
  class CountingHost : public FakeHost {
   public:
    bool exists(const std::string& path) const override {
      count(path);
      return FakeHost::exists(path);
    }
    bool is_executable_file(const std::string& path) const override {
      count(path);
      return FakeHost::is_executable_file(path);
    }
    std::optional<std::string> read_file(const std::string& path,
                                         std::size_t max_bytes) const override {
      count(path);
      return FakeHost::read_file(path, max_bytes);
    }
    mutable int inside_gone = 0;

   private:
    void count(const std::string& path) const {
      if (path.rfind("/data/project/alice/gone/", 0) == 0) ++inside_gone;
    }
  };
  CountingHost counting;
  counting.program("/data/project/alice/run.sh");
  std::string text;
  for (int i = 0; i < 20; ++i)
    text += "0 * * * * jsub -once /data/project/alice/gone/run-" + std::to_string(i) + ".sh\n";
  text += "0 * * * * jsub -once /data/project/alice/run.sh\n";
  auto result = check_crontab(cron::parse_crontab(text), "crontab", counting, settings);
  ASSERT_EQ(result.lines.size(), 21U);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(result.lines[static_cast<std::size_t>(i)].verdict, Verdict::Error);
    EXPECT_EQ(result.lines[static_cast<std::size_t>(i)].commands.at(0).error,
              "jsub: error: argument program: Program '/data/project/alice/gone/run-" +
                  std::to_string(i) + ".sh' not found.");
  }
  EXPECT_EQ(result.lines[20].verdict, Verdict::Ok);
  EXPECT_EQ(counting.inside_gone, 0);
}

TEST_F(MigrateCheck, JsonTextOfLinesThatAreNotUtf8ShowsReplacementCharacters) {
  auto result = check("*/5 * * * * jsub -once -N x python3 caf\xe9 \xff\n");
  std::string text;
  ASSERT_NO_THROW(text = render_json_text({result}));
  EXPECT_EQ(text.back(), '\n');
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["files"][0]["lines"][0]["text"],
            "*/5 * * * * jsub -once -N x python3 caf\xef\xbf\xbd \xef\xbf\xbd");
  EXPECT_EQ(parsed["files"][0]["lines"][0]["verdict"], "ok");
}

TEST_F(MigrateCheck, JsonRendering) {
  auto result = check("*/2 * * * * jsub -p 3 run.sh\nbad line\n");
  nlohmann::json out = render_json({result});
  const auto& lines = out["files"][0]["lines"];
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0]["line"], 1);
  EXPECT_EQ(lines[0]["verdict"], "changes");
  EXPECT_EQ(lines[0]["schedule"], "*/2 * * * *");
  EXPECT_EQ(lines[0]["commands"][0]["command"], "jsub");
  EXPECT_EQ(lines[0]["commands"][0]["job_name"], "run");
  EXPECT_EQ(lines[0]["commands"][0]["changes"][0]["option"], "-p");
  EXPECT_EQ(lines[0]["warnings"][0]["code"], "frequent");
  EXPECT_EQ(lines[0]["warnings"][1]["code"], "no-once");
  EXPECT_EQ(lines[1]["verdict"], "error");
  EXPECT_EQ(lines[1]["line"], 2);
  EXPECT_EQ(out["summary"]["changes"], 1);
  EXPECT_EQ(out["summary"]["error"], 1);
  EXPECT_EQ(out["summary"]["warnings"], 2);
}

TEST(MigrateExpandWord, OnlySimpleExpansions) {
  std::map<std::string, std::string> env{{"HOME", "/h"}, {"X", "x"}};
  auto word = [](std::string value, bool tilde, bool expansion) {
    cron::ShellWord w;
    w.value = std::move(value);
    w.tilde = tilde;
    w.expansion = expansion;
    return w;
  };
  EXPECT_EQ(expand_word(word("~/a", true, false), env, "/home"), "/home/a");
  EXPECT_EQ(expand_word(word("~", true, false), env, "/home"), "/home");
  EXPECT_EQ(expand_word(word("~bob/a", true, false), env, "/home"), "~bob/a");
  EXPECT_EQ(expand_word(word("~/a", false, false), env, "/home"), "~/a");  // quoted
  EXPECT_EQ(expand_word(word("$HOME/${X}y$UNSET.", false, true), env, "/home"), "/h/xy.");
  EXPECT_EQ(expand_word(word("$(date)-$", false, true), env, "/home"), "$(date)-$");
  EXPECT_EQ(expand_word(word("$HOME", false, false), env, "/home"), "$HOME");  // single-quoted
}

// Every crontab line of the corpus: no line is dropped, every jsub/jstart line gets the argv
// the last Toolforge jsub received (tests/data/cron/corpus-crontab-lines.oracle.jsonl), and
// the verdict is the one reviewed here.
TEST_F(MigrateCheck, CorpusLines) {
  const std::string dir = std::string(K8SJOBS_TEST_DATA_DIR) + "/cron/";
  std::map<std::string, nlohmann::json> oracle;
  std::ifstream oracle_in(dir + "corpus-crontab-lines.oracle.jsonl");
  for (std::string text; std::getline(oracle_in, text);) {
    if (text.empty()) continue;
    auto entry = nlohmann::json::parse(text);
    oracle[entry["line"].get<std::string>()] = entry;
  }
  // The oracle host's programs are not all known: check without them, as on a machine that
  // is not the cron host.
  settings.submit.check_program = false;
  site::SiteConfig site;
  settings.site = &site;
  std::ifstream in(dir + "corpus-crontab-lines.tsv");
  std::map<std::string, int> verdicts;
  int lines = 0, compared = 0;
  for (std::string row; std::getline(in, row);) {
    std::string text = row.substr(row.find('\t') + 1);
    text = text.substr(0, text.rfind('\t'));
    for (std::size_t at; (at = text.find("\\t")) != std::string::npos;) text.replace(at, 2, "\t");
    ++lines;
    auto result = check(text + "\n");
    if (text[0] == '#') {
      EXPECT_TRUE(result.lines.empty()) << text;
      EXPECT_EQ(result.commented_jobs, 1) << text;
      ++verdicts["commented"];
      continue;
    }
    ASSERT_EQ(result.lines.size(), 1U) << text;
    const LineCheck& line = result.lines[0];
    ++verdicts[std::string(to_string(line.verdict))];
    auto found = oracle.find(text);
    if (found == oracle.end()) continue;
    ASSERT_FALSE(line.commands.empty()) << text;
    EXPECT_EQ(nlohmann::json(line.commands[0].argv), found->second["argv"]) << text;
    ++compared;
  }
  EXPECT_EQ(lines, 42);
  EXPECT_EQ(compared, 29);
  // Reviewed line by line: 7 commented-out jobs; 5 jlocal lines; the 3 trusty lines are changes
  // (run on the default release); -mem 8g is above the default site maximum (4Gi):
  // unsupported. The qsub line is an error: $STDOPTS is not set in the crontab, and the empty
  // word it leaves stands where qsub reads its script ("error opening : Is a directory").
  // (-mem 6G on the bigbrother lines is the script's argument.)
  std::map<std::string, int> expected{{"commented", 7}, {"ok", 25},         {"changes", 3},
                                      {"local", 5},     {"unsupported", 1}, {"error", 1}};
  EXPECT_EQ(verdicts, expected);
}

}  // namespace
}  // namespace k8sjobs::migrate
