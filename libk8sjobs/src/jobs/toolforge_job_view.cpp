// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/toolforge_job_view.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;
using untrusted::object_member;
using untrusted::string_or;

namespace {

constexpr const char* kToolforgeLabel = "toolforge";
constexpr const char* kComponentLabel = "app.kubernetes.io/component";
constexpr const char* kNameLabel = "app.kubernetes.io/name";
constexpr const char* kCreatedByLabel = "app.kubernetes.io/created-by";
// What the user typed as the schedule (@daily), kept beside the schedule the framework made of it.
constexpr const char* kCronExpressionAnnotation = "jobs.toolforge.org/cron-expression";
// What qstat -j shows of a command: enough to recognise it.
constexpr std::size_t kMaxCommandBytes = 1024;

const char* component_of(ToolforgeJobCollector::Kind kind) {
  switch (kind) {
    case ToolforgeJobCollector::Kind::Job:
      return "jobs";
    case ToolforgeJobCollector::Kind::CronJob:
      return "cronjobs";
    case ToolforgeJobCollector::Kind::Deployment:
      return "deployments";
  }
  return "jobs";
}

const char* kind_name(ToolforgeJobCollector::Kind kind) {
  switch (kind) {
    case ToolforgeJobCollector::Kind::Job:
      return "Job";
    case ToolforgeJobCollector::Kind::CronJob:
      return "CronJob";
    case ToolforgeJobCollector::Kind::Deployment:
      return "Deployment";
  }
  return "Job";
}

const json& labels_of(const json& object) {
  return object_member(object_member(object, "metadata"), "labels");
}

// A label value as Kubernetes allows it: 1-63 of [A-Za-z0-9._-], alphanumeric at both ends.
// The server enforces it; a value that is not one did not come from a real server.
bool is_label_value(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(text.front()) || !alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// The label's value, or why it is not one the framework writes.
Expected<std::string, std::string> label(const json& object, const char* key) {
  const json* value = untrusted::member(labels_of(object), key);
  const std::string where = std::string("label ") + key;
  if (value == nullptr) return unexpected(where + " is missing");
  if (!value->is_string()) return unexpected(where + " is not a string");
  const auto& text = value->get_ref<const std::string&>();
  if (!is_label_value(text))
    return unexpected(where + " " + untrusted::quoted(text) + " is not a label value");
  return text;
}

Expected<std::string, std::string> expect_label(const json& object, const char* key,
                                                std::string_view wanted) {
  auto value = label(object, key);
  if (!value) return value;
  if (*value != wanted) {
    return unexpected(std::string("label ") + key + " " + untrusted::quoted(*value) + " is not " +
                      std::string(wanted));
  }
  return value;
}

// A uid as the server writes it (a UUID): what the job number is recorded under, a ConfigMap
// key, so only [0-9A-Za-z-], alphanumeric at both ends, at most 64 bytes.
bool is_uid(std::string_view text) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return !text.empty() && text.size() <= 64 && alnum(text.front()) && alnum(text.back()) &&
         std::all_of(text.begin(), text.end(), [&](char c) { return alnum(c) || c == '-'; });
}

// What makes an object the framework's job in this namespace: the framework's labels, the
// component of its kind, a job name, the tool that made it, a uid and this namespace.
// `component`: the component label wanted. Error: why it is not (for the warning).
Expected<Done, std::string> check_identity(const json& object, std::string_view component,
                                           const std::string& namespace_name) {
  if (auto managed = expect_label(object, translate::kManagedByLabel, kToolforgeManagedByValue);
      !managed) {
    return unexpected(managed.error());
  }
  if (auto toolforge = expect_label(object, kToolforgeLabel, "tool"); !toolforge)
    return unexpected(toolforge.error());
  if (auto kind = expect_label(object, kComponentLabel, component); !kind)
    return unexpected(kind.error());
  if (auto name = label(object, kNameLabel); !name) return unexpected(name.error());
  if (auto tool = label(object, kCreatedByLabel); !tool) return unexpected(tool.error());
  const json& metadata = object_member(object, "metadata");
  if (untrusted::string_member(metadata, "name").value_or("").empty())
    return unexpected(std::string("metadata.name is missing"));
  // Absent: the namespace listed (what a LIST of one namespace may leave out).
  if (const json* object_namespace = untrusted::member(metadata, "namespace")) {
    if (!object_namespace->is_string() ||
        object_namespace->get_ref<const std::string&>() != namespace_name) {
      return unexpected("metadata.namespace " +
                        (object_namespace->is_string()
                             ? untrusted::quoted(object_namespace->get<std::string>())
                             : std::string("(not a string)")) +
                        " is not the namespace listed");
    }
  }
  auto uid = untrusted::string_member(metadata, "uid");
  if (!uid || !is_uid(*uid)) return unexpected(std::string("metadata.uid is missing or not a uid"));
  return Done{};
}

bool condition_true(const json& object, const char* type) {
  for (const auto& condition :
       untrusted::array_member(object_member(object, "status"), "conditions")) {
    if (string_or(condition, "type") == type && string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

// Text for qstat -j: no control characters (a hostile command cannot drive the terminal), valid
// UTF-8, at most kMaxCommandBytes.
std::string displayable(std::string text) {
  if (text.size() > kMaxCommandBytes) text.resize(kMaxCommandBytes);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text::utf8_for_display(text);
}

// The pod template's first container: the framework's command and working directory.
const json& first_container(const json& object, ToolforgeJobCollector::Kind kind) {
  const json* spec = &object_member(object, "spec");
  if (kind == ToolforgeJobCollector::Kind::CronJob)
    spec = &object_member(object_member(*spec, "jobTemplate"), "spec");
  const auto& containers = untrusted::array_member(
      object_member(object_member(*spec, "template"), "spec"), "containers");
  static const json kNone = json::object();
  return containers.is_array() && !containers.empty() ? containers.front() : kNone;
}

void mark_deleting(TaskRecord& task) {
  task.deleting_while_starting =
      task.state != JobState::Running && task.state != JobState::Restarted;
  task.state = JobState::Deleting;
}

// The one task, as ours are derived (kube_job_view.cpp): a Job's conditions decide whether it
// ended; a continuous job's ended pod is being restarted; a scheduled job between runs waits
// (qw) for its next run.
TaskRecord derive_task(const ToolforgeJobCollector::OwnerFacts& facts, const TaskRecord* pod) {
  using Kind = ToolforgeJobCollector::Kind;
  TaskRecord task = pod != nullptr ? *pod : TaskRecord{};
  task.task_id = 0;
  const bool ended = task.state == JobState::Succeeded || task.state == JobState::Failed;
  switch (facts.kind) {
    case Kind::Job:
      if (facts.complete) task.state = JobState::Succeeded;
      if (facts.failed) task.state = JobState::Failed;
      break;
    case Kind::Deployment:
      if (ended) task.state = JobState::Restarted;
      break;
    case Kind::CronJob:
      if (ended || task.state == JobState::Deleting) task = TaskRecord{};
      break;
  }
  const bool finished = task.state == JobState::Succeeded || task.state == JobState::Failed;
  if (finished) return task;
  if (facts.deleting) {
    mark_deleting(task);
  } else if (facts.suspended && !still_running(task)) {
    task.state = JobState::Held;
  }
  return task;
}

}  // namespace

void ToolforgeJobCollector::add_owner(const json& object, Kind kind) {
  const std::string reference =
      untrusted::object_reference(object, kind == Kind::Job       ? "job"
                                          : kind == Kind::CronJob ? "cronjob"
                                                                  : "deployment");
  // A CronJob's runs are Jobs labelled with its component and name: part of it, not a job.
  if (kind == Kind::Job) {
    auto component = label(object, kComponentLabel);
    if (component && *component == component_of(Kind::CronJob)) return;
  }
  if (auto identity = check_identity(object, component_of(kind), namespace_); !identity) {
    warnings_.push_back("ignoring " + reference + ": " + identity.error());
    return;
  }
  const json& metadata = object_member(object, "metadata");
  const json& spec = object_member(object, "spec");
  ForeignJob job;
  job.uid = string_or(metadata, "uid");
  JobRecord& record = job.record;
  record.name = *label(object, kNameLabel);
  record.owner = tool_prefix_ + *label(object, kCreatedByLabel);
  record.continuous = kind == Kind::Deployment;
  record.priority = 0.5;  // Grid Engine's figure for -p 0
  if (auto created = text::parse_rfc3339(string_or(metadata, "creationTimestamp")))
    record.submission_time = *created;
  record.managed_by = kToolforgeManagedByValue;
  record.backend_uid = job.uid;
  record.backend_namespace = namespace_;
  record.backend_objects.emplace_back(kind_name(kind), string_or(metadata, "name"));
  record.account = kToolforgeManagedByValue;
  const json& container = first_container(object, kind);
  // The shell line the framework wrote, last in `args` (newer versions) or in `command`.
  for (const char* words : {"command", "args"}) {
    const auto& line = untrusted::array_member(container, words);
    if (line.is_array() && !line.empty() && line.back().is_string())
      record.script_file = displayable(line.back().get<std::string>());
  }
  record.cwd = displayable(string_or(container, "workingDir"));
  if (kind == Kind::CronJob) {
    std::string schedule = string_or(spec, "schedule");
    std::string typed =
        string_or(object_member(metadata, "annotations"), kCronExpressionAnnotation);
    record.scheduling_info =
        "runs on the schedule \"" + displayable(schedule) + "\"" +
        (typed.empty() || typed == schedule ? std::string()
                                            : " (given as \"" + displayable(typed) + "\")") +
        " of the Toolforge jobs framework";
  }

  OwnerFacts facts;
  facts.kind = kind;
  facts.deleting = untrusted::member(metadata, "deletionTimestamp") != nullptr;
  if (kind == Kind::Deployment) {
    facts.suspended = untrusted::int_or(spec, "replicas", 1) == 0;
  } else {
    facts.suspended = untrusted::bool_or(spec, "suspend", false);
  }
  if (kind == Kind::Job) {
    facts.complete = condition_true(object, "Complete");
    facts.failed = condition_true(object, "Failed");
  }
  owners_.emplace_back(std::move(job), facts);
}

void ToolforgeJobCollector::add_job(const json& job) {
  add_owner(job, Kind::Job);
}
void ToolforgeJobCollector::add_cronjob(const json& cronjob) {
  add_owner(cronjob, Kind::CronJob);
}
void ToolforgeJobCollector::add_deployment(const json& deployment) {
  add_owner(deployment, Kind::Deployment);
}

void ToolforgeJobCollector::add_pod(const json& pod) {
  auto managed = expect_label(pod, translate::kManagedByLabel, kToolforgeManagedByValue);
  auto component = label(pod, kComponentLabel);
  auto name = label(pod, kNameLabel);
  for (const auto* failed : {&managed, &component, &name}) {
    if (!*failed) {
      warnings_.push_back("ignoring " + untrusted::object_reference(pod, "pod") + ": " +
                          failed->error());
      return;
    }
  }
  std::string created = string_or(object_member(pod, "metadata"), "creationTimestamp");
  auto& slot = pods_[{*component, *name}];
  // The newest pod decides; of two created in the same second, the later one listed.
  if (!slot.created.empty() && created < slot.created) return;
  slot = PodTask{std::move(created), task_of_pod(pod)};
}

ForeignJobListing ToolforgeJobCollector::take() {
  ForeignJobListing listing;
  for (auto& [job, facts] : owners_) {
    auto pod = pods_.find({component_of(facts.kind), job.record.name});
    job.record.tasks.push_back(
        derive_task(facts, pod == pods_.end() ? nullptr : &pod->second.task));
    listing.jobs.push_back(std::move(job));
  }
  listing.warnings = std::move(warnings_);
  owners_.clear();
  pods_.clear();
  warnings_.clear();
  return listing;
}

}  // namespace k8sjobs::jobs
