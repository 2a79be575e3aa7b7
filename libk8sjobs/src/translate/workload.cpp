#include "k8sjobs/translate/workload.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/values.h"
#include "k8sjobs/jobs/array_dependency.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/kube/kubelet_expansion.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/job_environment.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::translate {

std::optional<std::string> SubmitContext::environment_value(std::string_view name) const {
  for (const auto& [key, value] : environment) {
    if (key == name) return value;
  }
  return std::nullopt;
}

using nlohmann::json;

namespace {

// Array output paths may name $TASK_ID; the number is only known inside the pod. Paths are
// resolved with this stand-in, which the launcher turns back into a shell expansion.
constexpr std::uint32_t kTaskIdStandIn = 2147480009;
constexpr const char* kTaskIdStandInText = "2147480009";
// Job 0 is a converted CronJob's run, numbered when it runs (controller/run_id_decision.h):
// its output paths name the number the pod gets, ${JOB_ID}, as the grid's did.
constexpr std::uint64_t kJobIdStandIn = 2147480011;
constexpr const char* kJobIdStandInText = "2147480011";

// The container's env: values that are UTF-8 as they are; the others go to `carried`, for the
// launcher to export (a name the shell cannot assign cannot take them: refused).
Expected<json, TranslateError> env_json(const EnvironmentList& environment, CarriedBytes& carried) {
  json list = json::array();
  for (const auto& [name, value] : environment) {
    if (text::is_valid_utf8(value)) {
      list.push_back({{"name", name}, {"value", kube::escape_kubelet_references(value)}});
    } else if (is_shell_name(name)) {
      carried.exported.emplace_back(name, value);
    } else {
      return unexpected(TranslateError{
          "Unable to run job: the value of the variable \"" + name +
              "\" is not UTF-8 text; Kubernetes can pass such a value only to a variable whose "
              "name is a shell name ([A-Za-z_][A-Za-z0-9_]*).\nExiting.",
          1});
    }
  }
  return list;
}

json volume_json(const site::VolumeSpec& volume) {
  json out{{"name", volume.name}};
  switch (volume.type) {
    case site::VolumeSpec::Type::HostPath:
      out["hostPath"] = {{"path", volume.path}, {"type", "Directory"}};
      break;
    case site::VolumeSpec::Type::Nfs:
      out["nfs"] = {
          {"server", volume.server}, {"path", volume.path}, {"readOnly", volume.read_only}};
      break;
    case site::VolumeSpec::Type::Pvc:
      out["persistentVolumeClaim"] = {{"claimName", volume.claim_name},
                                      {"readOnly", volume.read_only}};
      break;
  }
  return out;
}

}  // namespace

namespace {

// A path for the launcher, with the $TASK_ID stand-in turned into a live expansion.
std::string shell_path(const std::string& path) {
  std::string quoted = double_quoted(path);
  for (size_t at; (at = quoted.find(kTaskIdStandInText)) != std::string::npos;) {
    quoted.replace(at, std::string_view(kTaskIdStandInText).size(), "${SGE_TASK_ID}");
  }
  for (size_t at; (at = quoted.find(kJobIdStandInText)) != std::string::npos;) {
    quoted.replace(at, std::string_view(kJobIdStandInText).size(), "${JOB_ID}");
  }
  return quoted;
}

}  // namespace

std::vector<std::string> job_words(const ge::SubmitRequest& request) {
  std::vector<std::string> words;
  if (request.script) {
    words = request.interpreter.empty() ? std::vector<std::string>{"/bin/sh"} : request.interpreter;
  } else {
    words.push_back(request.resolved_program.empty() ? request.program : request.resolved_program);
  }
  words.insert(words.end(), request.program_args.begin(), request.program_args.end());
  return words;
}

std::string launcher_script(const ge::SubmitRequest& request, const std::string& stdout_path,
                            const std::string& stderr_path, unsigned umask,
                            const CarriedBytes& carried) {
  char umask_text[8];
  std::snprintf(umask_text, sizeof umask_text, "%03o", umask & 0777U);
  std::string script = "umask ";
  script += umask_text;
  script += "\n";
  script += restore_bytes_script(carried);
  if (request.array) {
    script +=
        "SGE_TASK_ID=$((SGE_TASK_FIRST + JOB_COMPLETION_INDEX * SGE_TASK_STEPSIZE))\n"
        "export SGE_TASK_ID\n";
  }
  script += "exec >>" + shell_path(stdout_path);
  if (stderr_path == stdout_path) {
    script += " 2>&1\n";
  } else {
    script += " 2>>" + shell_path(stderr_path) + "\n";
  }
  if (request.script) {
    // qsub: the script as submitted, from the environment into a private file (mode 0700),
    // held open on descriptor 9 and unlinked at once: the job reads it as /dev/fd/9 in place
    // of the interpreter's first argument, and the kernel frees it when the job's last process
    // ends, however it ends, while the launcher still execs the job (ARCHITECTURE.md).
    script +=
        "JOB_SCRIPT=`mktemp \"${TMPDIR:-/tmp}/k8sjobs-script.XXXXXX\"` || exit 1\n"
        "printf %s \"$K8SJOBS_JOB_SCRIPT\" >\"$JOB_SCRIPT\" && chmod 700 \"$JOB_SCRIPT\" && "
        "exec 9<\"$JOB_SCRIPT\" || { rm -f \"$JOB_SCRIPT\"; exit 1; }\n"
        "rm -f \"$JOB_SCRIPT\"\n"
        "unset K8SJOBS_JOB_SCRIPT\n"
        "JOB_SCRIPT=/dev/fd/9\n"
        "export JOB_SCRIPT\n";
    if (request.interpreter.size() > 1) {
      script += "k8sjobs_i=$1 k8sjobs_a=$2\nshift 2\n";
      script += "set -- \"$k8sjobs_i\" \"$k8sjobs_a\" \"$JOB_SCRIPT\" \"$@\"\n";
    } else {
      script += "k8sjobs_i=$1\nshift\nset -- \"$k8sjobs_i\" \"$JOB_SCRIPT\" \"$@\"\n";
    }
  }
  if (request.continuous) {
    // jsub's restart wrapper, word for word but for "$@" in place of the program: a non-zero
    // exit restarts the program after 5 seconds, exit 0 ends the job.
    script +=
        "until \"$@\" ; do\n"
        "    echo \"[`date +%Y-%m-%dT%H:%M:%S`] $1 exited with code $?. Respawning...\" >&2\n"
        "    sleep 5\n"
        "done\n";
  } else {
    script += "exec \"$@\"\n";
  }
  return script;
}

Expected<JobResources, TranslateError> job_resources(const ge::SubmitRequest& request,
                                                     const site::SiteConfig& site) {
  auto refuse = [](std::string why) {
    return unexpected(TranslateError{"Unable to run job: " + std::move(why) + "\nExiting.", 1});
  };
  std::uint64_t memory_bytes = request.memory_kib * 1024;
  if (!request.memory_given) {
    memory_bytes = std::max<std::uint64_t>(
        memory_bytes, static_cast<std::uint64_t>(site.resources.default_memory_bytes));
  }
  if (memory_bytes > static_cast<std::uint64_t>(site.resources.max_memory_bytes)) {
    return refuse("the job requests " +
                  site::format_memory_quantity(static_cast<std::int64_t>(memory_bytes)) +
                  " of memory, more than this site's maximum of " +
                  site::format_memory_quantity(site.resources.max_memory_bytes) + ".");
  }
  std::int64_t cpu_millis = request.cpus ? static_cast<std::int64_t>(*request.cpus) * 1000
                                         : site.resources.default_cpu_millis;
  if (cpu_millis > site.resources.max_cpu_millis) {
    return refuse("the job requests " + site::format_cpu_quantity(cpu_millis) +
                  " CPUs, more than this site's maximum of " +
                  site::format_cpu_quantity(site.resources.max_cpu_millis) + ".");
  }
  JobResources resources;
  resources.memory_bytes = memory_bytes;
  resources.cpu_millis = cpu_millis;
  resources.slots = request.cpus ? static_cast<int>(*request.cpus) : 1;
  return resources;
}

Expected<Workload, TranslateError> build_workload(const ge::SubmitRequest& request,
                                                  const site::SiteConfig& site,
                                                  const JobIdentity& identity,
                                                  const SubmitContext& context) {
  // Resources bounded by the site's limits, the image its rules choose, the -v names.
  auto admitted = admit(request, site, context.program_text);
  if (!admitted) return unexpected(admitted.error());
  std::uint64_t memory_bytes = admitted->resources.memory_bytes;
  std::int64_t cpu_millis = admitted->resources.cpu_millis;
  int slots = admitted->resources.slots;
  const std::string& image = admitted->image;

  // Output files, as Grid Engine and jsub named them.
  ge::OutputPathContext path_context;
  path_context.job_id = static_cast<std::uint64_t>(identity.id);
  if (request.array) path_context.task_id = kTaskIdStandIn;
  path_context.hostname = "$HOSTNAME";
  ge::OutputPaths paths = ge::resolve_output_paths(request, path_context);
  // What the launcher opens: the same, with job 0's number taken when the pod runs.
  ge::OutputPaths launcher_paths = paths;
  if (identity.id == 0) {
    path_context.job_id = kJobIdStandIn;
    launcher_paths = ge::resolve_output_paths(request, path_context);
  }

  unsigned umask = job_umask(request, site);
  std::string queue = job_queue(request);

  // Labels: identity (selectable), site extras, Toolforge's webhook label for the home mounts.
  json labels = json::object();
  for (const auto& [key, value] : site.pod.labels) labels[key] = value;
  labels[kManagedByLabel] = kManagedByValue;
  labels[kJobIdLabel] = std::to_string(identity.id);
  labels[kJobNameLabel] = label_value(request.job_name);
  labels[kOwnerLabel] = label_value(request.user);
  labels[kQueueLabel] = request.continuous ? "continuous" : "task";
  if (request.once) labels[kOnceLabel] = "true";

  jobs::JobDetails details =
      jobs::job_details_of(request, paths, request.resolved_program, queue, slots);
  auto submit_var = [&](const char* label, const char* variable) {
    if (auto value = context.environment_value(variable))
      details.submit_environment.emplace_back(label, *value);
  };
  json annotations = json::object();
  for (const auto& [key, value] : site.pod.annotations) annotations[key] = value;
  // Annotations are for display (qstat): bytes that are not UTF-8 show as U+FFFD. The job's
  // own words (argv, environment) reach it byte for byte through the container (below).
  const std::string display_name = text::utf8_for_display(request.job_name);
  annotations[kNameAnnotation] = display_name;
  annotations[kOwnerAnnotation] = text::utf8_for_display(request.user);
  annotations[kSubmitTimeAnnotation] = text::format_rfc3339(context.submit_time);
  annotations[kImageRuleAnnotation] = text::utf8_for_display(admitted->image_choice.summary());
  std::string mail_list;
  for (const auto& address : request.mail_list)
    mail_list += (mail_list.empty() ? "" : ",") + address;
  if (!request.mail_options.empty()) {
    annotations[kMailOptionsAnnotation] = text::utf8_for_display(request.mail_options);
  }
  if (!mail_list.empty()) annotations[kMailListAnnotation] = text::utf8_for_display(mail_list);
  // -a: the object is created suspended while its time is ahead and k8sjobs-controller starts
  // it then; one already past starts now. The annotation stays for qstat -j's execution_time;
  // with -h the hold is marked too, so the controller leaves the job to qrls.
  const bool deferred = request.start_time && *request.start_time > context.submit_time;
  if (request.start_time) {
    annotations[kStartAfterAnnotation] = text::format_rfc3339(*request.start_time);
  }
  // -hold_jid, resolved at submission: suspended until the controller sees all of them
  // finished. With -h too the hold is marked, so the controller leaves the job to qrls.
  const bool waits_for_jobs = !request.predecessors.empty();
  if (waits_for_jobs) {
    annotations[kHoldJidAnnotation] = jobs::format_predecessors(request.predecessors);
  }
  if (request.hold && (request.start_time || waits_for_jobs)) annotations[kHoldAnnotation] = "user";
  const bool suspended = request.hold || deferred || waits_for_jobs;

  submit_var("sge_o_home", "HOME");
  submit_var("sge_o_log_name", "LOGNAME");
  submit_var("sge_o_path", "PATH");
  submit_var("sge_o_shell", "SHELL");
  submit_var("sge_o_tz", "TZ");
  submit_var("sge_o_mail", "MAIL");
  details.submit_environment.emplace_back("sge_o_workdir", request.submit_cwd);
  details.submit_environment.emplace_back("sge_o_host", context.hostname);
  details.image_rule = admitted->image_choice.summary();
  annotations[kDetailsAnnotation] = jobs::to_annotation(details);
  // The job's environment, as Grid Engine set it.
  auto env = job_environment(request, identity, context, paths);
  if (!env) return unexpected(env.error());

  // Words that are not UTF-8 are carried encoded; the launcher restores them (launcher_bytes.h).
  CarriedBytes carried;
  auto env_list = env_json(*env, carried);
  if (!env_list) return unexpected(env_list.error());
  std::vector<std::string> words = job_words(request);
  carried.word_count = words.size();
  std::vector<std::string> program_words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (text::is_valid_utf8(words[i])) {
      program_words.push_back(words[i]);
    } else {
      program_words.push_back(printf_format_of(words[i]));
      carried.encoded_words.push_back(i + 1);
    }
  }
  if (!text::is_valid_utf8(request.working_dir)) carried.working_dir = request.working_dir;

  std::string stdout_path = launcher_paths.stdout_path;
  std::string stderr_path =
      launcher_paths.merged ? launcher_paths.stdout_path : launcher_paths.stderr_path;
  // The kubelet expands `$(NAME)` and `$$` in the command and env values: every `$` is doubled
  // so the launcher and the program get their words as written (kube/kubelet_expansion.h).
  json command = json::array({"/bin/sh", "-c",
                              kube::escape_kubelet_references(launcher_script(
                                  request, stdout_path, stderr_path, umask, carried)),
                              "k8sjobs-job"});
  for (const auto& word : program_words) command.push_back(kube::escape_kubelet_references(word));

  json container{
      {"name", "job"},
      {"image", image},
      {"imagePullPolicy", site.pod.image_pull_policy},
      {"command", command},
      {"env", std::move(*env_list)},
      {"resources",
       {{"requests",
         {{"memory", site::format_memory_quantity(static_cast<std::int64_t>(memory_bytes))},
          {"cpu", site::format_cpu_quantity(cpu_millis)}}},
        {"limits",
         {{"memory", site::format_memory_quantity(static_cast<std::int64_t>(memory_bytes))},
          {"cpu", site::format_cpu_quantity(cpu_millis)}}}}}};
  json volumes = json::array();
  json mounts = json::array();
  for (const auto& volume : site.home.volumes) {
    volumes.push_back(volume_json(volume));
    mounts.push_back(
        {{"name", volume.name}, {"mountPath", volume.mount_path}, {"readOnly", volume.read_only}});
  }
  if (!mounts.empty()) container["volumeMounts"] = mounts;
  if (!carried.working_dir) container["workingDir"] = request.working_dir;

  json pod_spec{{"containers", json::array({container})},
                {"restartPolicy", request.continuous ? "Always" : "Never"}};
  if (!volumes.empty()) pod_spec["volumes"] = volumes;
  if (!site.pod.node_selector.empty()) pod_spec["nodeSelector"] = site.pod.node_selector;
  if (site.pod.service_account) pod_spec["serviceAccountName"] = *site.pod.service_account;
  // The pod does not talk to the API server; do not hand it a token.
  pod_spec["automountServiceAccountToken"] = false;

  json metadata{{"name", identity.object_name},
                {"namespace", identity.namespace_name},
                {"labels", labels},
                {"annotations", annotations}};
  json pod_template{
      {"metadata", {{"labels", labels}, {"annotations", {{kNameAnnotation, display_name}}}}},
      {"spec", pod_spec}};
  // -hold_jid_ad: each task's pod waits behind a scheduling gate until k8sjobs-controller sees
  // the predecessor tasks it waits for finished (jobs/array_dependency.h).
  if (!request.array_predecessors.empty() && request.array && !request.continuous) {
    const std::string ids = jobs::format_predecessors(request.array_predecessors);
    metadata["annotations"][jobs::kHoldJidAdAnnotation] = ids;
    pod_template["metadata"]["annotations"][jobs::kHoldJidAdAnnotation] = ids;
    pod_template["metadata"]["labels"][jobs::kArrayHoldLabel] = "true";
    pod_template["metadata"]["annotations"][jobs::kArrayRangeAnnotation] =
        jobs::format_array_range(jobs::ArrayRange{static_cast<int>(request.array->first),
                                                  static_cast<int>(request.array->last),
                                                  static_cast<int>(request.array->step)});
    json gate = json::object();
    gate["name"] = jobs::kHoldJidAdGate;
    pod_template["spec"]["schedulingGates"] = json::array();
    pod_template["spec"]["schedulingGates"].push_back(std::move(gate));
  }

  Workload workload;
  if (request.continuous) {
    pod_spec["terminationGracePeriodSeconds"] = site.jobs.deployment_termination_grace_seconds;
    pod_template["spec"] = pod_spec;
    workload.kind = &kube::resources::kDeployments;
    workload.object = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", metadata},
        {"spec",
         {{"replicas", suspended ? 0 : 1},
          {"strategy", {{"type", "Recreate"}}},
          {"selector",
           {{"matchLabels",
             {{kJobIdLabel, std::to_string(identity.id)}, {kManagedByLabel, kManagedByValue}}}}},
          {"template", pod_template}}}};
    return workload;
  }

  json job_spec{{"backoffLimit", request.rerunnable.value_or(false)
                                     ? std::max<std::int64_t>(site.jobs.backoff_limit, 3)
                                     : site.jobs.backoff_limit},
                {"ttlSecondsAfterFinished", site.jobs.ttl_seconds_after_finished},
                {"template", pod_template}};
  if (request.time_limit_seconds) job_spec["activeDeadlineSeconds"] = *request.time_limit_seconds;
  if (suspended) job_spec["suspend"] = true;
  if (request.array) {
    std::uint32_t count = request.array->count();
    job_spec["completionMode"] = "Indexed";
    job_spec["completions"] = count;
    job_spec["parallelism"] =
        request.task_concurrency ? std::min(*request.task_concurrency, count) : count;
    // One failing task must not stop the others, as in Grid Engine.
    job_spec["backoffLimitPerIndex"] = job_spec["backoffLimit"];
    job_spec.erase("backoffLimit");
  }
  workload.kind = &kube::resources::kJobs;
  workload.object = {
      {"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", metadata}, {"spec", job_spec}};
  return workload;
}

}  // namespace k8sjobs::translate
