#include "k8sjobs/migrate/convert.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/launcher_bytes.h"
#include "k8sjobs/translate/workload.h"
#include "k8sjobs/translate/yaml_output.h"

namespace k8sjobs::migrate {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxNameLength = 52;  // CronJob names leave room for the Job suffix
// A run more than this late is dropped, as cron drops runs it missed while down.
constexpr long long kMaxStartingDeadlineSeconds = 300;

std::string trim_dashes(std::string text) {
  while (!text.empty() && text.back() == '-') text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && text[start] == '-') ++start;
  return text.substr(start);
}

// Hands out each name once: "report", "report-2", "report-3"...
class NameRegistry {
 public:
  std::string take(const std::string& base) {
    int& count = counts_[base];
    ++count;
    if (count == 1) return base;
    std::string suffix = "-" + std::to_string(count);
    std::string head = base.substr(0, std::min(base.size(), kMaxNameLength - suffix.size()));
    return trim_dashes(head) + suffix;
  }

 private:
  std::map<std::string, int> counts_;
};

const std::string* setting(const LineCheck& line, const std::string& name) {
  if (!line.crontab_environment) return nullptr;
  auto found = line.crontab_environment->find(name);
  return found == line.crontab_environment->end() ? nullptr : &found->second;
}

// Why a grid command gives no object, or "" when it can be converted.
std::string skip_reason(const LineCheck& line, const CommandCheck& command) {
  if (line.schedule && line.schedule->is_reboot())
    return "@reboot: Kubernetes has no boot event (start a continuous job once with jstart)";
  if (command.command == "qdel" || command.command == "jstop")
    return command.command + " stops jobs: nothing to schedule";
  if (!command.refusals.empty()) {
    std::string options;
    for (const auto& refusal : command.refusals)
      options += (options.empty() ? "" : ", ") + refusal.option;
    return "unsupported: " + options;
  }
  if (!command.request) return "error: " + command.error;
  return "";
}

struct Source {
  const CrontabCheck* check;
  const LineCheck* line;
  const CommandCheck* command;
};

// Visits every convertible command; records the others as skipped.
template <class F>
void for_each_convertible(const std::vector<CrontabCheck>& checks, Conversion& conversion, F f) {
  for (const auto& check : checks) {
    for (const auto& line : check.lines) {
      if (line.commands.empty()) {
        if (line.verdict == Verdict::Error)
          conversion.skipped.push_back({check.file, line.line, "error: " + line.reason});
        continue;
      }
      for (const auto& command : line.commands) {
        std::string reason = skip_reason(line, command);
        if (!reason.empty()) {
          conversion.skipped.push_back({check.file, line.line, reason});
          continue;
        }
        f(Source{&check, &line, &command});
      }
    }
  }
}

translate::SubmitContext context_for(const LineCheck& line, const ge::SubmitRequest& request,
                                     const ConvertOptions& options) {
  CheckSettings settings;
  settings.user = request.user;
  settings.home = request.home;
  static const std::map<std::string, std::string> kNone;
  translate::SubmitContext context;
  context.hostname = options.hostname;
  // The submit time annotation is dropped: every run's Job has its own creationTimestamp.
  context.submit_time = std::chrono::system_clock::time_point{};
  for (const auto& [name, value] :
       cron_environment(line.crontab_environment ? *line.crontab_environment : kNone, settings))
    context.environment.emplace_back(name, value);
  return context;
}

long long starting_deadline(const cron::Schedule& schedule) {
  auto interval = schedule.min_interval();  // walks the calendar: once per CronJob
  if (interval == std::chrono::minutes::max()) return kMaxStartingDeadlineSeconds;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(interval).count();
  return std::min<long long>(seconds, kMaxStartingDeadlineSeconds);
}

std::string seed_for(const ge::SubmitRequest& request) {
  return request.user + "/" + request.job_name;
}

// A POSIX shell word: as is when it is safe, else single-quoted; a word that is not UTF-8 (a
// jobs.yaml file is UTF-8 text) as the launcher carries one, `printf` restoring the bytes.
std::string shell_quote(const std::string& word) {
  if (!text::is_valid_utf8(word)) return translate::double_quoted(word);
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
  });
  if (safe) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string emails_for(const std::string& mail_options) {
  bool begin = mail_options.find('b') != std::string::npos;
  bool end = mail_options.find('e') != std::string::npos;
  bool abort = mail_options.find('a') != std::string::npos;
  if (mail_options.find('n') != std::string::npos || (!begin && !end && !abort)) return "none";
  if (begin) return "all";
  if (end) return "onfinish";
  return "onfailure";
}

// The container's JOB_ID from the pod's k8sjobs.io/job-id label, which k8sjobs-controller
// sets in each run's template before it starts.
void number_from_pod_label(json& job_spec) {
  auto& containers = job_spec["template"]["spec"]["containers"];
  if (!containers.is_array()) return;
  for (auto& container : containers) {
    if (!container.contains("env") || !container["env"].is_array()) continue;
    for (auto& variable : container["env"]) {
      if (variable.value("name", "") != "JOB_ID") continue;
      variable.erase("value");
      variable["valueFrom"] = {
          {"fieldRef",
           {{"apiVersion", "v1"},
            {"fieldPath", std::string("metadata.labels['") + translate::kJobIdLabel + "']"}}}};
    }
  }
}

}  // namespace

std::string cronjob_name(std::string_view job_name) {
  return translate::dns_label(job_name, kMaxNameLength);
}

std::string kubernetes_schedule(const cron::Schedule& schedule, bool spread,
                                const std::string& seed) {
  return spread ? schedule.spread(seed).to_kubernetes_schedule()
                : schedule.to_kubernetes_schedule();
}

Conversion convert_to_cronjobs(const std::vector<CrontabCheck>& checks,
                               const site::SiteConfig& site, const ConvertOptions& options) {
  Conversion conversion;
  NameRegistry names;
  for_each_convertible(checks, conversion, [&](const Source& source) {
    const ge::SubmitRequest& request = *source.command->request;
    const LineCheck& line = *source.line;
    std::string name = names.take(cronjob_name(request.job_name));
    std::string namespace_name = site.namespace_for(request.user);
    translate::JobIdentity identity{0, namespace_name, name};
    translate::SubmitContext context = context_for(line, request, options);
    context.program_text = source.command->script_text;  // the image check chose by it
    auto workload = translate::build_workload(request, site, identity, context);
    if (!workload) {
      std::string message = workload.error().message;
      std::replace(message.begin(), message.end(), '\n', ' ');
      conversion.skipped.push_back({source.check->file, line.line, message});
      return;
    }
    Converted converted{source.check->file, line.line, name, json(), {}};

    json& built = workload->object;
    json job_spec;
    bool suspend = false;
    if (workload->kind == &kube::resources::kJobs) {
      job_spec = built["spec"];
      // History limits clean up a CronJob's Jobs; a TTL would delete the last failure too soon.
      job_spec.erase("ttlSecondsAfterFinished");
      if (job_spec.contains("suspend")) {
        suspend = job_spec["suspend"].get<bool>();
        job_spec.erase("suspend");
      }
    } else {
      // jstart: the Deployment's pod, run by a Job whose launcher loop restarts the program;
      // Forbid keeps it to one, as jstart refused a second copy.
      json pod_template = built["spec"]["template"];
      pod_template["spec"]["restartPolicy"] = "Never";
      job_spec = {{"backoffLimit", site.jobs.backoff_limit}, {"template", pod_template}};
      suspend = request.hold;
      converted.notes.push_back(
          "jstart: the continuous job runs as one long Job per schedule tick while none runs");
    }

    // Each run waits, suspended, for k8sjobs-controller to give it its own job number, which
    // its pod reads as JOB_ID from its label (controller/run_id_decision.h).
    json job_labels = built["metadata"]["labels"];
    job_labels[kMigratedLabel] = "crontab";
    job_labels[translate::kAwaitingJobIdLabel] = "true";
    job_spec["suspend"] = true;
    number_from_pod_label(job_spec);
    json job_annotations = built["metadata"]["annotations"];
    job_annotations.erase(translate::kSubmitTimeAnnotation);

    const cron::Schedule& schedule = *line.schedule;
    cron::Schedule effective = options.spread ? schedule.spread(seed_for(request)) : schedule;
    json labels{{translate::kManagedByLabel, translate::kManagedByValue},
                {translate::kJobNameLabel, translate::label_value(request.job_name)},
                {translate::kOwnerLabel, translate::label_value(request.user)},
                {kMigratedLabel, "crontab"}};
    for (const auto& [key, value] : site.pod.labels) labels[key] = value;
    json annotations{
        {translate::kNameAnnotation, request.job_name},
        {translate::kOwnerAnnotation, request.user},
        {kCrontabSourceAnnotation, source.check->file + ":" + std::to_string(line.line)},
        {kCrontabLineAnnotation, line.text}};
    if (const std::string* mailto = setting(line, "MAILTO"))
      annotations[kMailtoAnnotation] = *mailto;
    if (auto caveat = effective.kubernetes_caveat()) {
      annotations[kScheduleCaveatAnnotation] = *caveat;
      converted.notes.push_back(*caveat);
    }

    json spec{{"schedule", effective.to_kubernetes_schedule()}};
    if (const std::string* zone = setting(line, "CRON_TZ")) {
      spec["timeZone"] = *zone;
    } else if (options.time_zone) {
      spec["timeZone"] = *options.time_zone;
    }
    spec["concurrencyPolicy"] = request.once || request.continuous ? "Forbid" : "Allow";
    spec["startingDeadlineSeconds"] = starting_deadline(effective);
    spec["successfulJobsHistoryLimit"] = options.successful_jobs_history_limit;
    spec["failedJobsHistoryLimit"] = options.failed_jobs_history_limit;
    if (suspend) spec["suspend"] = true;
    spec["jobTemplate"] = {{"metadata", {{"labels", job_labels}, {"annotations", job_annotations}}},
                           {"spec", job_spec}};

    converted.object = {{"apiVersion", "batch/v1"},
                        {"kind", "CronJob"},
                        {"metadata",
                         {{"name", name},
                          {"namespace", namespace_name},
                          {"labels", labels},
                          {"annotations", annotations}}},
                        {"spec", spec}};
    conversion.items.push_back(std::move(converted));
  });
  return conversion;
}

Conversion convert_to_jobs_yaml(const std::vector<CrontabCheck>& checks,
                                const site::SiteConfig& site, const ConvertOptions& options) {
  Conversion conversion;
  NameRegistry names;
  for_each_convertible(checks, conversion, [&](const Source& source) {
    const ge::SubmitRequest& request = *source.command->request;
    const LineCheck& line = *source.line;
    std::string name = names.take(cronjob_name(request.job_name));
    Converted converted{source.check->file, line.line, name, json::object(), {}};
    json& job = converted.object;

    std::string command;
    if (request.working_dir != request.home)
      command = "cd " + shell_quote(request.working_dir) + " && ";
    command +=
        shell_quote(request.resolved_program.empty() ? request.program : request.resolved_program);
    for (const auto& word : request.program_args) command += " " + shell_quote(word);

    job["name"] = name;
    job["command"] = command;
    // The jobs framework names images by short name: the one the image rules chose when it is
    // a name on this site (check_crontab with a site), else the release's.
    const std::string& chosen = source.command->image_name;
    if (site.images.names.count(chosen) != 0 || site.images.releases.count(chosen) != 0) {
      job["image"] = chosen;
    } else {
      job["image"] =
          site.image_for(request.release) ? request.release : site.images.default_release;
    }
    if (request.continuous) {
      job["continuous"] = true;
      converted.notes.push_back("jstart: a continuous job (no schedule)");
    } else {
      job["schedule"] = kubernetes_schedule(*line.schedule, options.spread, seed_for(request));
    }
    if (request.memory_given)
      job["mem"] =
          site::format_memory_quantity(static_cast<std::int64_t>(request.memory_kib) * 1024);
    if (request.cpus) job["cpu"] = std::to_string(*request.cpus);
    if (request.rerunnable.value_or(false)) job["retry"] = 3;
    job["emails"] = emails_for(request.mail_options);

    ge::OutputPathContext path_context;
    ge::OutputPaths paths = ge::resolve_output_paths(request, path_context);
    if (paths.stdout_path == "/dev/null" && paths.stderr_path == "/dev/null") {
      job["no-filelog"] = true;
    } else {
      job["filelog-stdout"] = paths.stdout_path;
      job["filelog-stderr"] = paths.stderr_path;
    }
    if (line.schedule->kubernetes_caveat())
      converted.notes.push_back(*line.schedule->kubernetes_caveat());
    conversion.items.push_back(std::move(converted));
  });
  return conversion;
}

std::string jobs_yaml_text(const Conversion& conversion) {
  json list = json::array();
  for (const auto& item : conversion.items) list.push_back(item.object);
  return translate::to_yaml({list});
}

}  // namespace k8sjobs::migrate
