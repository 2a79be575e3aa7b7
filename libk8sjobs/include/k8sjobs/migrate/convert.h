#pragma once
// `k8sjobs-migrate convert`: crontab grid lines as Kubernetes CronJobs (the same pod spec jsub
// builds for the line, via translate::build_workload) or as the Toolforge jobs framework's
// jobs.yaml. Pure: checked lines and the site configuration in, objects out.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/migrate/check.h"
#include "k8sjobs/site/site_config.h"

namespace k8sjobs::migrate {

inline constexpr const char* kCrontabSourceAnnotation = "k8sjobs.io/crontab-source";  // file:line
inline constexpr const char* kCrontabLineAnnotation = "k8sjobs.io/crontab-line";      // the line
inline constexpr const char* kMailtoAnnotation = "k8sjobs.io/cron-mailto";  // crontab's MAILTO
inline constexpr const char* kScheduleCaveatAnnotation = "k8sjobs.io/schedule-caveat";
inline constexpr const char* kMigratedLabel = "k8sjobs.io/migrated-from";  // value: "crontab"

struct ConvertOptions {
  bool spread = false;  // @hourly/@daily/... get a stable per-job minute (Schedule::spread)
  // spec.timeZone when the crontab sets no CRON_TZ (the site config has no time zone key);
  // nullopt: no timeZone (the controller's zone, UTC on most clusters).
  std::optional<std::string> time_zone;
  std::string hostname;  // the cron host, for SGE_O_HOST (as jsub on that host would set)
  // Fixed history limits: the last success shows the job ran, the last failure stays until
  // the next one replaces it (Jobs of a CronJob carry no TTL: the limits clean up).
  int successful_jobs_history_limit = 1;
  int failed_jobs_history_limit = 1;
};

// One converted grid command.
struct Converted {
  std::string file;
  int line = 0;
  std::string name;                // CronJob name / jobs.yaml name
  nlohmann::json object;           // a batch/v1 CronJob, or one jobs.yaml mapping
  std::vector<std::string> notes;  // what changed on the way (schedule caveat, jstart...)
};

// A grid line (or command) that was not converted, and why.
struct Skipped {
  std::string file;
  int line = 0;
  std::string reason;
};

struct Conversion {
  std::vector<Converted> items;
  std::vector<Skipped> skipped;  // grid lines only; local lines are not reported
};

// One CronJob per convertible grid command (jsub/jstart/qcronsub that parse), named after the
// job (`-2`, `-3` for repeated names). Skips @reboot, unsupported and erroneous lines, qdel,
// jstop and qsub commands.
Conversion convert_to_cronjobs(const std::vector<CrontabCheck>& checks,
                               const site::SiteConfig& site, const ConvertOptions& options);

// The Toolforge jobs framework's jobs.yaml entries (keys: name, command, image, schedule,
// continuous, mem, cpu, retry, emails, no-filelog, filelog-stdout, filelog-stderr).
Conversion convert_to_jobs_yaml(const std::vector<CrontabCheck>& checks,
                                const site::SiteConfig& site, const ConvertOptions& options);

// A DNS-1123 name of at most 52 characters for a job name ("CleanupWorklistBot" ->
// "cleanupworklistbot"); "job" when nothing usable is left.
std::string cronjob_name(std::string_view job_name);

// The CronJob schedule for a line: the Kubernetes form, spread when asked. "" for @reboot.
std::string kubernetes_schedule(const cron::Schedule& schedule, bool spread,
                                const std::string& seed);

// The text of the jobs.yaml file (one YAML list).
std::string jobs_yaml_text(const Conversion& conversion);

}  // namespace k8sjobs::migrate
