// k8sjobs-migrate convert: the exact CronJob for representative lines (its pod template is the
// one jsub builds, via translate::build_workload), names, schedules, time zones, skipped lines,
// jobs.yaml, and OpenAPI validity of everything converted from the corpus.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ge_fake_host.h"
#include "k8sjobs/migrate/convert.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/launcher_bytes.h"
#include "k8sjobs/translate/workload.h"
#include "support/build_paths.h"
#include "support/openapi_validator.h"

namespace k8sjobs::migrate {
namespace {

using nlohmann::json;

class MigrateConvert : public ::testing::Test {
 protected:
  MigrateConvert() {
    settings.user = "tools.alice";
    settings.home = "/data/project/alice";
    settings.submit.releases = {"bookworm"};
    settings.submit.map_unknown_releases = true;
    settings.submit.check_program = false;
    settings.site = &site;
    options.hostname = "cron-host";
  }

  std::vector<CrontabCheck> checks(const std::string& text) {
    return {check_crontab(cron::parse_crontab(text), "crontab", host, settings)};
  }
  Conversion cronjobs(const std::string& text) {
    return convert_to_cronjobs(checks(text), site, options);
  }
  json only(const std::string& text) {
    auto conversion = cronjobs(text);
    EXPECT_EQ(conversion.items.size(), 1U) << text;
    return conversion.items.empty() ? json() : conversion.items[0].object;
  }

  ge::testing::FakeHost host;
  site::SiteConfig site;
  CheckSettings settings;
  ConvertOptions options;
};

TEST_F(MigrateConvert, RepresentativeLineGivesThisCronJob) {
  std::string text =
      "MAILTO=alice@example.org\n"
      "17 2 * * tue jsub -once -N CleanupWorklistBot -mem 768m php clean.php\n";
  auto all = checks(text);
  auto conversion = convert_to_cronjobs(all, site, options);
  ASSERT_EQ(conversion.items.size(), 1U);
  EXPECT_TRUE(conversion.skipped.empty());
  const json& cronjob = conversion.items[0].object;

  // The pod template is exactly what jsub builds for the same submission.
  const ge::SubmitRequest& request = *all[0].lines[0].commands[0].request;
  translate::SubmitContext context;
  context.hostname = "cron-host";
  for (const auto& [name, value] :
       std::map<std::string, std::string>{{"HOME", "/data/project/alice"},
                                          {"LOGNAME", "tools.alice"},
                                          {"MAILTO", "alice@example.org"},
                                          {"PATH", "/usr/bin:/bin"},
                                          {"SHELL", "/bin/sh"}})
    context.environment.emplace_back(name, value);
  auto workload =
      translate::build_workload(request, site, {0, "tool-alice", "cleanupworklistbot"}, context);
  ASSERT_TRUE(workload);
  // ... except JOB_ID, which each run's pod reads from the number k8sjobs-controller gives it.
  json pod_template = workload->object["spec"]["template"];
  bool job_id_found = false;
  for (auto& variable : pod_template["spec"]["containers"][0]["env"]) {
    if (variable["name"] != "JOB_ID") continue;
    EXPECT_EQ(variable["value"], "0");
    variable = {
        {"name", "JOB_ID"},
        {"valueFrom",
         {{"fieldRef",
           {{"apiVersion", "v1"}, {"fieldPath", "metadata.labels['k8sjobs.io/job-id']"}}}}}};
    job_id_found = true;
  }
  EXPECT_TRUE(job_id_found);
  EXPECT_EQ(cronjob["spec"]["jobTemplate"]["spec"]["template"], pod_template);

  json job_annotations = workload->object["metadata"]["annotations"];
  job_annotations.erase(translate::kSubmitTimeAnnotation);
  json job_labels = workload->object["metadata"]["labels"];
  job_labels["k8sjobs.io/migrated-from"] = "crontab";
  job_labels["k8sjobs.io/awaiting-job-id"] = "true";
  json expected = {
      {"apiVersion", "batch/v1"},
      {"kind", "CronJob"},
      {"metadata",
       {{"name", "cleanupworklistbot"},
        {"namespace", "tool-alice"},
        {"labels",
         {{"app.kubernetes.io/managed-by", "k8sjobs"},
          {"k8sjobs.io/job-name", "CleanupWorklistBot"},
          {"k8sjobs.io/owner", "tools.alice"},
          {"k8sjobs.io/migrated-from", "crontab"}}},
        {"annotations",
         {{"k8sjobs.io/job-name", "CleanupWorklistBot"},
          {"k8sjobs.io/owner", "tools.alice"},
          {"k8sjobs.io/crontab-source", "crontab:2"},
          {"k8sjobs.io/crontab-line",
           "17 2 * * tue jsub -once -N CleanupWorklistBot -mem 768m php clean.php"},
          {"k8sjobs.io/cron-mailto", "alice@example.org"}}}}},
      {"spec",
       {{"schedule", "17 2 * * tue"},
        {"concurrencyPolicy", "Forbid"},
        {"startingDeadlineSeconds", 300},
        {"successfulJobsHistoryLimit", 1},
        {"failedJobsHistoryLimit", 1},
        {"jobTemplate",
         {{"metadata", {{"labels", job_labels}, {"annotations", job_annotations}}},
          {"spec", {{"backoffLimit", 0}, {"suspend", true}, {"template", pod_template}}}}}}}};
  EXPECT_EQ(cronjob, expected) << cronjob.dump(2);
  EXPECT_EQ(job_annotations.count(translate::kSubmitTimeAnnotation), 0U);
  EXPECT_EQ(cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["resources"]
                   ["limits"]["memory"],
            "768Mi");
}

// Grid Engine named qsub's output files after the job: each run of the CronJob writes to the
// files of the number it gets when it runs, not to job 0's.
TEST_F(MigrateConvert, EachRunsOutputFilesNameItsOwnJobNumber) {
  auto cronjob = only("0 * * * * qsub -b y -N tick /bin/true\n");
  const std::string launcher =
      cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][2];
  EXPECT_NE(launcher.find("/tick.o$${JOB_ID}"), std::string::npos) << launcher;
  EXPECT_NE(launcher.find("/tick.e$${JOB_ID}"), std::string::npos) << launcher;
  EXPECT_EQ(launcher.find("tick.o0"), std::string::npos) << launcher;
}

TEST_F(MigrateConvert, ConcurrencyPolicyFollowsOnce) {
  EXPECT_EQ(only("0 * * * * jsub -once run.sh\n")["spec"]["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(only("0 * * * * qcronsub run.sh\n")["spec"]["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(only("0 * * * * jsub run.sh\n")["spec"]["concurrencyPolicy"], "Allow");
}

TEST_F(MigrateConvert, JstartBecomesAForbidCronJobRunningTheRestartLoop) {
  auto conversion = cronjobs("*/10 * * * * jstart -N web serve.sh\n");
  ASSERT_EQ(conversion.items.size(), 1U);
  const json& cronjob = conversion.items[0].object;
  EXPECT_EQ(cronjob["spec"]["concurrencyPolicy"], "Forbid");
  const json& pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_NE(pod["containers"][0]["command"][2].get<std::string>().find("Respawning"),
            std::string::npos);
  EXPECT_FALSE(conversion.items[0].notes.empty());
}

TEST_F(MigrateConvert, StartingDeadlineIsTheIntervalUpToFiveMinutes) {
  EXPECT_EQ(only("* * * * * jsub -once run.sh\n")["spec"]["startingDeadlineSeconds"], 60);
  EXPECT_EQ(only("*/2 * * * * jsub -once run.sh\n")["spec"]["startingDeadlineSeconds"], 120);
  EXPECT_EQ(only("@daily jsub -once run.sh\n")["spec"]["startingDeadlineSeconds"], 300);
}

TEST_F(MigrateConvert, TimeZoneFromCronTzThenOption) {
  EXPECT_FALSE(only("0 3 * * * jsub run.sh\n")["spec"].contains("timeZone"));
  options.time_zone = "UTC";
  EXPECT_EQ(only("0 3 * * * jsub run.sh\n")["spec"]["timeZone"], "UTC");
  EXPECT_EQ(only("CRON_TZ=Europe/Berlin\n0 3 * * * jsub run.sh\n")["spec"]["timeZone"],
            "Europe/Berlin");
}

TEST_F(MigrateConvert, SpreadGivesAStablePerJobMinute) {
  auto plain = only("@daily jsub -once -N nightly run.sh\n");
  EXPECT_EQ(plain["spec"]["schedule"], "@daily");
  options.spread = true;
  auto spread = only("@daily jsub -once -N nightly run.sh\n");
  auto expected = cron::Schedule::parse("@daily")->spread("tools.alice/nightly");
  EXPECT_EQ(spread["spec"]["schedule"], expected.to_kubernetes_schedule());
  EXPECT_EQ(only("@daily jsub -once -N nightly run.sh\n")["spec"]["schedule"],
            spread["spec"]["schedule"]);
  // A five-field schedule stays as written.
  EXPECT_EQ(only("7 3 * * * jsub -once run.sh\n")["spec"]["schedule"], "7 3 * * *");
}

TEST_F(MigrateConvert, RepeatedNamesGetSuffixes) {
  auto conversion = cronjobs(
      "0 1 * * * jsub -N Report_Daily run.sh\n"
      "0 2 * * * jsub -N report-daily run.sh\n"
      "0 3 * * * jsub -N report.daily run.sh\n");
  ASSERT_EQ(conversion.items.size(), 3U);
  EXPECT_EQ(conversion.items[0].name, "report-daily");
  EXPECT_EQ(conversion.items[1].name, "report-daily-2");
  EXPECT_EQ(conversion.items[2].name, "report-daily-3");
  EXPECT_EQ(cronjob_name("___"), "job");
  EXPECT_EQ(cronjob_name(std::string(80, 'a')).size(), 52U);
}

TEST_F(MigrateConvert, SkippedLinesSayWhy) {
  auto conversion = cronjobs(
      "@reboot jsub run.sh\n"
      "0 * * * * jsub -hold_jid x run.sh\n"
      "0 * * * * jsub -mem lots run.sh\n"
      "0 * * * * qdel web\n"
      "0 * * * * date\n"
      "99 * * * * jsub run.sh\n"
      "0 * * * * jsub -mem 8g run.sh\n");
  EXPECT_TRUE(conversion.items.empty());
  ASSERT_EQ(conversion.skipped.size(), 6U);
  EXPECT_EQ(conversion.skipped[0].line, 1);
  EXPECT_EQ(conversion.skipped[0].reason,
            "@reboot: Kubernetes has no boot event (start a continuous job once with jstart)");
  EXPECT_EQ(conversion.skipped[1].reason, "unsupported: -hold_jid");
  EXPECT_EQ(conversion.skipped[2].reason.rfind("error: jsub: error: argument -mem", 0), 0U);
  EXPECT_EQ(conversion.skipped[3].reason, "qdel stops jobs: nothing to schedule");
  EXPECT_EQ(conversion.skipped[4].line, 6);
  EXPECT_EQ(conversion.skipped[5].reason, "unsupported: site limit");
}

TEST_F(MigrateConvert, HoldSuspendsTheCronJob) {
  auto cronjob = only("0 * * * * jsub -h run.sh\n");
  EXPECT_EQ(cronjob["spec"]["suspend"], true);
  // Each run starts suspended all the same: it waits for its job number, not for qrls.
  EXPECT_EQ(cronjob["spec"]["jobTemplate"]["spec"]["suspend"], true);
  EXPECT_EQ(cronjob["spec"]["jobTemplate"]["metadata"]["labels"]["k8sjobs.io/awaiting-job-id"],
            "true");
}

TEST_F(MigrateConvert, JobsYamlEntry) {
  auto conversion = convert_to_jobs_yaml(
      checks("0 * * * * jsub -once -N upd -mem 1g -m e -wd /data/project/alice/bot "
             "python3 up.py --lang 'de at'\n"
             "*/5 * * * * jstart -N web -o /dev/null -e /dev/null serve.sh\n"),
      site, options);
  ASSERT_EQ(conversion.items.size(), 2U);
  json expected{{"name", "upd"},
                {"command", "cd /data/project/alice/bot && python3 up.py --lang 'de at'"},
                {"image", "python3.11"},  // the image rules' choice for python3
                {"schedule", "0 * * * *"},
                {"mem", "1Gi"},
                {"emails", "onfinish"},
                {"filelog-stdout", "/data/project/alice/upd.out"},
                {"filelog-stderr", "/data/project/alice/upd.err"}};
  EXPECT_EQ(conversion.items[0].object, expected) << conversion.items[0].object.dump(2);
  json web{{"name", "web"},      {"command", "serve.sh"}, {"image", "bookworm"},
           {"continuous", true}, {"emails", "none"},      {"no-filelog", true}};
  EXPECT_EQ(conversion.items[1].object, web) << conversion.items[1].object.dump(2);

  // The text is one YAML list a jobs framework loader reads back.
  YAML::Node loaded = YAML::Load(jobs_yaml_text(conversion));
  ASSERT_TRUE(loaded.IsSequence());
  ASSERT_EQ(loaded.size(), 2U);
  EXPECT_EQ(loaded[0]["command"].as<std::string>(),
            "cd /data/project/alice/bot && python3 up.py --lang 'de at'");
  EXPECT_EQ(loaded[1]["continuous"].as<bool>(), true);
  const std::set<std::string> known{
      "name",  "command", "schedule", "continuous", "image",          "mem",           "cpu",
      "retry", "emails",  "wait",     "no-filelog", "filelog-stdout", "filelog-stderr"};
  for (const auto& item : conversion.items) {
    for (const auto& [key, value] : item.object.items()) EXPECT_TRUE(known.count(key)) << key;
  }
}

TEST_F(MigrateConvert, JobsYamlCommandCarriesBytesThatAreNotUtf8ThroughTheShell) {
  auto conversion = convert_to_jobs_yaml(
      checks("0 * * * * jsub -N raw /usr/bin/printf '[\\%s]' caf\xe9 'it'\\''s'\n"), site, options);
  ASSERT_EQ(conversion.items.size(), 1U);
  const std::string command = conversion.items[0].object["command"].get<std::string>();
  EXPECT_EQ(command, "/usr/bin/printf '[%s]' \"caf`printf '\\351'`\" 'it'\\''s'");
  ASSERT_NO_THROW(jobs_yaml_text(conversion));
  // The framework runs the command with /bin/sh -c: the program gets the bytes back.
  FILE* shell = popen(("/bin/sh -c " + translate::double_quoted(command)).c_str(), "r");
  ASSERT_NE(shell, nullptr);
  std::string out;
  char buffer[256];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, shell)) > 0;) out.append(buffer, n);
  EXPECT_EQ(pclose(shell), 0);
  EXPECT_EQ(out, "[caf\xe9][it's]");
}

// Everything convert makes from the corpus and the sample crontab is a valid batch/v1 CronJob.
TEST_F(MigrateConvert, CorpusCronJobsValidateAgainstOpenApi) {
  const std::string dir = std::string(K8SJOBS_TEST_DATA_DIR) + "/cron/";
  std::string crontab;
  std::ifstream in(dir + "corpus-crontab-lines.tsv");
  for (std::string row; std::getline(in, row);) {
    std::string text = row.substr(row.find('\t') + 1);
    crontab += text.substr(0, text.rfind('\t')) + "\n";
  }
  std::ifstream sample(dir + "sample.crontab");
  crontab += std::string(std::istreambuf_iterator<char>(sample), {});
  crontab += "\nCRON_TZ=Europe/Berlin\n0 0 1 * mon jsub -t 1-4 -tc 2 -once -l h_rt=60 run.sh\n";
  auto validator = testing::OpenApiValidator::load_default();
  for (bool spread : {false, true}) {
    options.spread = spread;
    auto conversion = cronjobs(crontab);
    EXPECT_GE(conversion.items.size(), 25U);
    for (const auto& item : conversion.items) {
      auto problems = validator.validate(item.object);
      EXPECT_TRUE(problems.empty()) << item.file << ":" << item.line << ": " << problems.front();
      EXPECT_EQ(item.object["metadata"]["name"].get<std::string>().size() <= 52, true);
    }
  }
}

}  // namespace
}  // namespace k8sjobs::migrate
