#include "k8sjobs/jobs/kube_job_view.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "k8sjobs/jobs/array_dependency.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/jobs/start_gate.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

// Container waiting reasons that mean the job cannot start without help: Grid Engine's Eqw.
bool is_error_reason(const std::string& reason) {
  return reason == "ImagePullBackOff" || reason == "ErrImagePull" || reason == "InvalidImageName" ||
         reason == "CrashLoopBackOff" || reason == "CreateContainerConfigError" ||
         reason == "CreateContainerError" || reason == "RunContainerError";
}

using untrusted::array_member;
using untrusted::int_or;
using untrusted::object_member;
using untrusted::string_or;

std::optional<TimePoint> parse_time(const std::string& text) {
  return text::parse_rfc3339(text);
}

const json& field(const json& object, const char* key) {
  return object_member(object, key);
}

const json* label_member(const json& object, const char* key) {
  return untrusted::member(object_member(object_member(object, "metadata"), "labels"), key);
}

std::string annotation(const json& object, const char* key) {
  return string_or(field(field(object, "metadata"), "annotations"), key);
}

// The job number a label names; the reason in words when it names none.
Expected<long long, std::string> job_id_of(const json& object) {
  if (awaits_job_id(object)) {
    return unexpected(
        std::string("a CronJob's run that waits for k8sjobs-controller to give it a job number"));
  }
  const std::string where = std::string("label ") + translate::kJobIdLabel;
  const json* value = label_member(object, translate::kJobIdLabel);
  if (value == nullptr) return unexpected(where + " is missing");
  if (!value->is_string()) return unexpected(where + " is not a string");
  const auto& text = value->get_ref<const std::string&>();
  auto id = untrusted::parse_job_number(text);
  if (!id) return unexpected(where + " " + untrusted::quoted(text) + " " + id.error());
  return id;
}

// What makes an owner ours and its user's: k8sjobs' label, a job number, and the same owner
// in the label (what selectors see) and the annotation (what every command compares).
Expected<long long, std::string> check_owner_identity(const json& object) {
  const json* managed = label_member(object, translate::kManagedByLabel);
  if (managed == nullptr || !managed->is_string() ||
      managed->get_ref<const std::string&>() != translate::kManagedByValue) {
    return unexpected(std::string("label ") + translate::kManagedByLabel + " is not " +
                      translate::kManagedByValue);
  }
  if (untrusted::string_member(field(object, "metadata"), "name").value_or("").empty())
    return unexpected(std::string("metadata.name is missing"));
  auto id = job_id_of(object);
  if (!id) return id;
  auto owner = untrusted::string_member(field(field(object, "metadata"), "annotations"),
                                        translate::kOwnerAnnotation);
  if (!owner || owner->empty()) {
    return unexpected(std::string("annotation ") + translate::kOwnerAnnotation +
                      " is missing or not a string");
  }
  const json* owner_label = label_member(object, translate::kOwnerLabel);
  std::string label_text =
      owner_label != nullptr && owner_label->is_string() ? owner_label->get<std::string>() : "";
  if (owner_label == nullptr || label_text != translate::label_value(*owner)) {
    return unexpected(std::string("label ") + translate::kOwnerLabel + " " +
                      untrusted::quoted(label_text) + " does not match annotation " +
                      translate::kOwnerAnnotation + " " + untrusted::quoted(*owner));
  }
  return id;
}

bool condition_true(const json& object, const std::string& type) {
  for (const auto& condition : array_member(field(object, "status"), "conditions")) {
    if (string_or(condition, "type") == type && string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

// The task as one pod shows it. Status fields the server writes: a wrong type reads as unset.
TaskRecord task_from_pod(const json& pod, int task_id) {
  TaskRecord task;
  task.task_id = task_id;
  const auto& status = field(pod, "status");
  std::string phase = string_or(status, "phase", "Pending");
  task.node = string_or(field(pod, "spec"), "nodeName");
  task.start_time = parse_time(string_or(status, "startTime"));
  for (const auto& container : array_member(status, "containerStatuses")) {
    task.restarts = std::max(task.restarts, int_or(container, "restartCount", 0, 0));
    const auto& state = field(container, "state");
    if (untrusted::member(state, "waiting") != nullptr) {
      const auto& waiting = field(state, "waiting");
      std::string reason = string_or(waiting, "reason");
      if (is_error_reason(reason)) {
        task.state = JobState::Error;
        task.error_reason = reason;
        std::string message = string_or(waiting, "message");
        if (!message.empty()) task.error_reason += ": " + message;
        return task;
      }
    }
    if (untrusted::member(state, "running") != nullptr) {
      if (auto started = parse_time(string_or(field(state, "running"), "startedAt")))
        task.start_time = started;
    }
    if (untrusted::member(state, "terminated") != nullptr) {
      const auto& terminated = field(state, "terminated");
      task.exit_code = int_or(terminated, "exitCode", 0);
      if (auto started = parse_time(string_or(terminated, "startedAt"))) task.start_time = started;
      task.end_time = parse_time(string_or(terminated, "finishedAt"));
      // The container runtime reports a signal, or the shell's 128+N convention shows it.
      int signal = int_or(terminated, "signal", 0, 0, 255);
      if (signal == 0 && *task.exit_code > 128 && *task.exit_code <= 128 + 64)
        signal = *task.exit_code - 128;
      if (signal != 0) task.signal = signal;
    }
  }
  for (const auto& condition : array_member(status, "conditions")) {
    if (string_or(condition, "type") == "PodScheduled" &&
        string_or(condition, "status") == "False") {
      task.scheduling_info = string_or(condition, "message", string_or(condition, "reason"));
    }
  }
  if (phase == "Running") {
    task.state = task.restarts > 0 ? JobState::Restarted : JobState::Running;
  } else if (phase == "Succeeded") {
    task.state = JobState::Succeeded;
  } else if (phase == "Failed") {
    task.state = JobState::Failed;
  } else if (task.node.empty() && has_array_hold_gate(pod)) {
    // -hold_jid_ad: the scheduler leaves it until k8sjobs-controller removes the gate.
    task.state = JobState::Held;
  } else {
    task.state = task.node.empty() ? JobState::Pending : JobState::Starting;
  }
  if (untrusted::member(field(pod, "metadata"), "deletionTimestamp") != nullptr &&
      task.state != JobState::Succeeded && task.state != JobState::Failed) {
    task.deleting_while_starting =
        task.state == JobState::Starting || task.state == JobState::Pending;
    task.state = JobState::Deleting;
  }
  return task;
}

// Fields every k8sjobs object carries in its labels and annotations; `id` is checked already.
// A bad field that is not the job's identity is shown with its default, and said so in
// `warnings`.
// `lean`: only what the tables print (JobViewCollector's lean mode): no qstat -j details, no
// bookkeeping for qdel.
JobRecord record_from_owner(
    const json& object, const std::string& kind, long long id, const std::string& reference,
    std::vector<std::string>& warnings, bool lean,
    const std::function<const DecodedJobDetails&(std::string_view text)>& decode_details) {
  JobRecord record;
  record.id = id;
  record.name = annotation(object, translate::kNameAnnotation);
  record.owner = annotation(object, translate::kOwnerAnnotation);
  const auto& metadata = field(object, "metadata");
  auto submitted = parse_time(annotation(object, translate::kSubmitTimeAnnotation));
  if (!submitted) submitted = parse_time(string_or(metadata, "creationTimestamp"));
  if (submitted) record.submission_time = *submitted;
  record.continuous = kind == "Deployment";
  if (!lean) {
    record.backend_namespace = string_or(metadata, "namespace");
    record.backend_objects.emplace_back(kind, string_or(metadata, "name"));
    record.mail_options = annotation(object, translate::kMailOptionsAnnotation);
    record.mail_list = annotation(object, translate::kMailListAnnotation);
  }
  const json* details_text =
      untrusted::member(field(metadata, "annotations"), translate::kDetailsAnnotation);
  if (details_text != nullptr) {
    static const DecodedJobDetails kNotAString{{}, {"is not a string"}};
    const DecodedJobDetails& decoded =
        details_text->is_string() ? decode_details(details_text->get_ref<const std::string&>())
                                  : kNotAString;
    if (!decoded.problems.empty()) {
      std::string joined;
      for (const auto& problem : decoded.problems) joined += (joined.empty() ? "" : "; ") + problem;
      warnings.push_back(reference + ": annotation " + translate::kDetailsAnnotation + ": " +
                         joined + " (shown as not set)");
    }
    if (!lean) apply_job_details(decoded.details, record);
    record.slots = decoded.details.slots;
    record.posix_priority = decoded.details.priority.value_or(0);
    record.array = decoded.details.array;
  }
  // Grid Engine's normalised priority figure for a job at the default -p 0.
  record.priority = 0.5 + static_cast<double>(record.posix_priority) / 2048.0;
  return record;
}

using OwnerFacts = JobViewCollector::OwnerFacts;
using PodTasks = std::map<int, JobViewCollector::PodTask>;

// The task of the newest pod of one completion index, or null: over the map of take_records()
// or the lean pods of take_table().
struct MapPods {
  const PodTasks* pods;
  const TaskRecord* operator()(int index) const {
    if (pods == nullptr) return nullptr;
    auto pod = pods->find(index);
    return pod == pods->end() ? nullptr : &pod->second.task;
  }
};

template <class Pods>
void derive_job_tasks(JobRecord& record, const OwnerFacts& facts, const Pods& pods) {
  int first = record.array ? record.array->first : 0;
  int step = record.array ? record.array->step : 1;
  int count =
      record.array ? (record.array->last - record.array->first) / record.array->step + 1 : 1;
  auto completed = untrusted::parse_index_list(facts.completed_indexes, count);
  auto failed_indexes = untrusted::parse_index_list(facts.failed_indexes, count);
  for (int index = 0; index < count; ++index) {
    int task_id = record.array ? first + index * step : 0;
    TaskRecord task;
    if (const TaskRecord* pod = pods(index)) task = *pod;
    task.task_id = task_id;
    if (record.array) {
      if (completed.count(index) != 0) task.state = JobState::Succeeded;
      if (failed_indexes.count(index) != 0) task.state = JobState::Failed;
    } else if (facts.complete) {
      task.state = JobState::Succeeded;
    } else if (facts.failed) {
      task.state = JobState::Failed;
    }
    bool finished = task.state == JobState::Succeeded || task.state == JobState::Failed;
    if (!finished && (facts.complete || facts.failed))
      task.state = facts.failed ? JobState::Failed : JobState::Succeeded;
    finished = task.state == JobState::Succeeded || task.state == JobState::Failed;
    if (finished && !task.end_time) task.end_time = facts.finished_at;
    if (!finished && facts.deleting) {
      task.deleting_while_starting =
          task.state != JobState::Running && task.state != JobState::Restarted;
      task.state = JobState::Deleting;
    } else if (!finished && facts.held && !still_running(task)) {
      // A suspended Job (qhold, jsub -h): its pods that had not started are being removed.
      task.state = JobState::Held;
    }
    record.tasks.push_back(std::move(task));
  }
}

template <class Pods>
void derive_deployment_tasks(JobRecord& record, const OwnerFacts& facts, const Pods& pods) {
  // Deployment pods carry no completion index: the newest of them all is under 0.
  TaskRecord task;
  if (const TaskRecord* pod = pods(0)) task = *pod;
  task.task_id = 0;
  // A continuous job never finishes on its own: a pod that ended is being restarted.
  if (task.state == JobState::Succeeded || task.state == JobState::Failed)
    task.state = JobState::Restarted;
  if (facts.held && !still_running(task)) task.state = JobState::Held;
  if (facts.deleting) {
    task.deleting_while_starting =
        task.state != JobState::Running && task.state != JobState::Restarted;
    task.state = JobState::Deleting;
  }
  record.tasks.push_back(std::move(task));
}

}  // namespace

const std::vector<std::string>& JobViewCollector::job_spec_fields() {
  static const std::vector<std::string> kFields{"suspend"};
  return kFields;
}
const std::vector<std::string>& JobViewCollector::deployment_spec_fields() {
  static const std::vector<std::string> kFields{"replicas"};
  return kFields;
}
const std::vector<std::string>& JobViewCollector::pod_spec_fields() {
  static const std::vector<std::string> kFields{"nodeName", "schedulingGates"};
  return kFields;
}
const std::vector<std::string>& JobViewCollector::metadata_fields() {
  static const std::vector<std::string> kFields{
      "name", "namespace", "labels", "annotations", "creationTimestamp", "deletionTimestamp"};
  return kFields;
}
const std::vector<std::string>& JobViewCollector::job_status_fields() {
  static const std::vector<std::string> kFields{"conditions", "completedIndexes", "failedIndexes",
                                                "completionTime"};
  return kFields;
}
const std::vector<std::string>& JobViewCollector::deployment_status_fields() {
  static const std::vector<std::string> kFields;
  return kFields;
}
const std::vector<std::string>& JobViewCollector::pod_status_fields() {
  static const std::vector<std::string> kFields{"phase", "startTime", "containerStatuses",
                                                "conditions"};
  return kFields;
}

kube::ItemFields JobViewCollector::item_fields(const std::vector<std::string>& spec_fields,
                                               const std::vector<std::string>& status_fields,
                                               const std::vector<std::string>& extra_metadata) {
  std::vector<std::string> metadata = metadata_fields();
  metadata.insert(metadata.end(), extra_metadata.begin(), extra_metadata.end());
  return kube::ItemFields{
      {{"spec", spec_fields}, {"metadata", std::move(metadata)}, {"status", status_fields}}};
}

void JobViewCollector::add_owner(const json& object, bool deployment) {
  const char* kind = deployment ? "Deployment" : "Job";
  const Source source = deployment ? Source::Deployments : Source::Jobs;
  const std::string reference =
      untrusted::object_reference(object, deployment ? "deployment" : "job");
  auto id = check_owner_identity(object);
  if (!id) {
    warnings_.emplace_back(source, "ignoring " + reference + ": " + id.error());
    return;
  }
  std::vector<std::string> warnings;
  JobRecord record = record_from_owner(object, kind, *id, reference, warnings, lean_,
                                       [this](std::string_view text) -> const DecodedJobDetails& {
                                         if (!details_known_ || text != details_text_) {
                                           details_ = job_details_from_annotation(text);
                                           details_text_ = text;
                                           details_known_ = true;
                                         }
                                         return details_;
                                       });
  for (auto& warning : warnings) warnings_.emplace_back(source, std::move(warning));
  // -a: when the job may start; a suspended job that only waits for it is qw, not hqw.
  const StartGate gate = read_start_gate(object);
  record.execution_time = gate.start_after;
  if (gate.unreadable) {
    warnings_.emplace_back(source, reference + ": " + *gate.unreadable + " (shown as held)");
  }
  // -hold_jid: a suspended job with predecessors is held by them (hqw) until the controller
  // starts it, whatever its -a time says.
  PredecessorMark predecessors = read_predecessors(object);
  if (predecessors.unreadable) {
    warnings_.emplace_back(source, reference + ": " + *predecessors.unreadable + " (ignored)");
  }
  record.predecessor_jobs = std::move(predecessors.ids);
  PredecessorMark array_predecessors = read_array_predecessors(object);
  if (array_predecessors.unreadable) {
    warnings_.emplace_back(source,
                           reference + ": " + *array_predecessors.unreadable + " (ignored)");
  }
  record.array_predecessor_jobs = std::move(array_predecessors.ids);
  const bool waits_for_time = !held_by_user(gate) && record.predecessor_jobs.empty();
  OwnerFacts facts;
  facts.deployment = deployment;
  facts.deleting = untrusted::member(field(object, "metadata"), "deletionTimestamp") != nullptr;
  if (deployment) {
    facts.held = int_or(field(object, "spec"), "replicas", 1) == 0;
    if (facts.held && waits_for_time) {
      facts.held = false;
      facts.waiting_for_start = true;
    }
  } else {
    const auto& status = field(object, "status");
    facts.held = untrusted::bool_or(field(object, "spec"), "suspend", false);
    if (facts.held && waits_for_time) {
      facts.held = false;
      facts.waiting_for_start = true;
    }
    facts.complete = condition_true(object, "Complete");
    facts.failed = condition_true(object, "Failed");
    facts.completed_indexes = string_or(status, "completedIndexes");
    facts.failed_indexes = string_or(status, "failedIndexes");
    facts.finished_at = parse_time(string_or(status, "completionTime"));
    if (!facts.finished_at && facts.failed) {
      for (const auto& condition : array_member(status, "conditions"))
        if (string_or(condition, "type") == "Failed" && string_or(condition, "status") == "True")
          facts.finished_at = parse_time(string_or(condition, "lastTransitionTime"));
    }
    // The reason is for qstat -j: not in the lean table.
    static const json kNoConditions = json::array();
    for (const auto& condition : lean_ ? kNoConditions : array_member(status, "conditions")) {
      if (string_or(condition, "type") == "Failed" && string_or(condition, "status") == "True") {
        record.error_reason =
            string_or(condition, "reason") + ": " + string_or(condition, "message");
      }
    }
  }
  if (lean_) {
    TableJob job;
    job.id = record.id;
    job.priority = record.priority;
    job.name = table_.strings.store(record.name);
    job.owner = table_.strings.store(record.owner);
    job.submission_time = record.submission_time;
    job.is_array = record.array.has_value();
    if (record.array) job.array = *record.array;
    job.slots = record.slots;
    job.continuous = record.continuous;
    table_.jobs.push_back(job);
  } else {
    records_.push_back(std::move(record));
  }
  owners_.push_back(OwnerKey{*id, std::move(facts)});
}

// A task whose program runs (or is being stopped while it runs): a hold does not change how
// qstat shows it until the pod is gone.
bool still_running(const TaskRecord& task) {
  return task.state == JobState::Running || task.state == JobState::Restarted ||
         (task.state == JobState::Deleting && !task.deleting_while_starting);
}

TaskRecord task_of_pod(const json& pod) {
  return task_from_pod(pod, 0);
}

bool awaits_job_id(const json& object) {
  const json* awaiting = label_member(object, translate::kAwaitingJobIdLabel);
  return awaiting != nullptr && awaiting->is_string() &&
         awaiting->get_ref<const std::string&>() == "true";
}

Expected<long long, std::string> verify_owner_identity(const json& object) {
  return check_owner_identity(object);
}

void JobViewCollector::add_job(const json& job) {
  add_owner(job, false);
}
void JobViewCollector::add_deployment(const json& deployment) {
  add_owner(deployment, true);
}

void JobViewCollector::add_pod(const json& pod) {
  auto id = job_id_of(pod);
  if (!id) {
    warnings_.emplace_back(
        Source::Pods, "ignoring " + untrusted::object_reference(pod, "pod") + ": " + id.error());
    return;
  }
  int index = 0;
  const char* kIndexAnnotation = "batch.kubernetes.io/job-completion-index";
  if (const json* text =
          untrusted::member(field(field(pod, "metadata"), "annotations"), kIndexAnnotation)) {
    auto parsed =
        text->is_string()
            ? untrusted::parse_decimal(text->get_ref<const std::string&>(), 0,
                                       untrusted::kMaxArrayTasks - 1)
            : Expected<long long, std::string>(unexpected(std::string("is not a string")));
    if (!parsed) {
      warnings_.emplace_back(
          Source::Pods, "ignoring " + untrusted::object_reference(pod, "pod") + ": annotation " +
                            kIndexAnnotation + " " +
                            (text->is_string() ? untrusted::quoted(text->get<std::string>()) + " "
                                               : std::string()) +
                            parsed.error());
      return;
    }
    index = static_cast<int>(*parsed);
  }
  std::string created = string_or(field(pod, "metadata"), "creationTimestamp");
  if (lean_) {
    // Every pod is kept (a restarted task's older pods too, rarely): take_table() picks the
    // newest of each index as the map below does.
    TaskRecord task = task_from_pod(pod, 0);
    LeanPod lean;
    lean.id = *id;
    lean.index = index;
    lean.created = table_.strings.store(created);
    lean.task.state = task.state;
    lean.task.deleting_while_starting = task.deleting_while_starting;
    lean.task.has_start_time = task.start_time.has_value();
    if (task.start_time) lean.task.start_time = *task.start_time;
    lean.task.node = table_.strings.store(task.node);
    lean.order = static_cast<std::uint32_t>(lean_pods_.size());
    lean_pods_.push_back(lean);
    return;
  }
  auto& tasks = pods_[*id];
  auto slot = tasks.find(index);
  // The newest pod of each index decides; of two created in the same second, the later one.
  if (slot != tasks.end() && created < slot->second.created) return;
  tasks[index] = PodTask{std::move(created), task_from_pod(pod, 0)};
}

void JobViewCollector::clear_owners(bool deployments) {
  size_t kept = 0;
  for (size_t i = 0; i < owners_.size(); ++i) {
    if (owners_[i].facts.deployment == deployments) continue;
    if (kept != i) {
      if (lean_) {
        table_.jobs[kept] = table_.jobs[i];
      } else {
        records_[kept] = std::move(records_[i]);
      }
      owners_[kept] = std::move(owners_[i]);
    }
    ++kept;
  }
  if (lean_) {
    table_.jobs.resize(kept);
  } else {
    records_.resize(kept);
  }
  owners_.resize(kept);
}

void JobViewCollector::clear_warnings(Source source) {
  std::erase_if(warnings_, [source](const auto& warning) { return warning.first == source; });
}

void JobViewCollector::clear_jobs() {
  clear_owners(false);
  clear_warnings(Source::Jobs);
}
void JobViewCollector::clear_deployments() {
  clear_owners(true);
  clear_warnings(Source::Deployments);
}
void JobViewCollector::clear_pods() {
  pods_.clear();
  lean_pods_.clear();
  clear_warnings(Source::Pods);
}

std::vector<JobRecord> JobViewCollector::take_records() {
  for (size_t i = 0; i < records_.size(); ++i) {
    auto pods = pods_.find(owners_[i].id);
    const PodTasks* tasks = pods == pods_.end() ? nullptr : &pods->second;
    if (owners_[i].facts.deployment) {
      derive_deployment_tasks(records_[i], owners_[i].facts, MapPods{tasks});
    } else {
      derive_job_tasks(records_[i], owners_[i].facts, MapPods{tasks});
    }
  }
  owners_.clear();
  pods_.clear();
  std::sort(records_.begin(), records_.end(),
            [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
  return std::exchange(records_, {});
}

JobTable JobViewCollector::take_table() {
  // The newest pod of each (job, index) decides; of two created in the same second, the one
  // listed later (what add_pod's map keeps in the other mode).
  // (Sorted in place: a stable sort would take a buffer as large as the pods.)
  std::sort(lean_pods_.begin(), lean_pods_.end(), [](const LeanPod& a, const LeanPod& b) {
    return std::tie(a.id, a.index, a.order) < std::tie(b.id, b.index, b.order);
  });
  size_t kept = 0;
  for (size_t i = 0; i < lean_pods_.size(); ++i) {
    if (kept > 0 && lean_pods_[kept - 1].id == lean_pods_[i].id &&
        lean_pods_[kept - 1].index == lean_pods_[i].index) {
      if (lean_pods_[i].created < lean_pods_[kept - 1].created) continue;
      lean_pods_[kept - 1] = lean_pods_[i];
      continue;
    }
    lean_pods_[kept++] = lean_pods_[i];
  }
  lean_pods_.resize(kept);

  // The tasks are derived in the order the owners came, into table_ itself; the jobs are
  // sorted by id afterwards, in place (a copy of 100,000 jobs was the peak of the listing).
  JobTable& table = table_;
  table.tasks.reserve(table.jobs.size());
  JobRecord record;  // what the derivation reads: the array range; it fills the tasks
  TaskRecord found;  // the task of the pod being looked up
  for (size_t i = 0; i < table.jobs.size(); ++i) {
    TableJob& job = table.jobs[i];
    const OwnerKey& owner = owners_[i];
    auto first = std::lower_bound(lean_pods_.begin(), lean_pods_.end(), owner.id,
                                  [](const LeanPod& pod, long long id) { return pod.id < id; });
    auto last = first;
    while (last != lean_pods_.end() && last->id == owner.id) ++last;
    auto pods = [&](int index) -> const TaskRecord* {
      auto pod = std::lower_bound(first, last, index,
                                  [](const LeanPod& p, int wanted) { return p.index < wanted; });
      if (pod == last || pod->index != index) return nullptr;
      found = TaskRecord{};
      found.state = pod->task.state;
      found.deleting_while_starting = pod->task.deleting_while_starting;
      if (pod->task.has_start_time) found.start_time = pod->task.start_time;
      found.node.assign(pod->task.node);
      return &found;
    };
    record.tasks.clear();
    record.array.reset();
    if (job.is_array) record.array = job.array;
    if (owner.facts.deployment) {
      derive_deployment_tasks(record, owner.facts, pods);
    } else {
      derive_job_tasks(record, owner.facts, pods);
    }
    job.first_task = static_cast<std::uint32_t>(table.tasks.size());
    job.task_count = static_cast<std::uint32_t>(record.tasks.size());
    for (const TaskRecord& task : record.tasks) {
      table.tasks.push_back(lean_task(task, table.strings));
    }
  }
  std::vector<OwnerKey>().swap(owners_);
  std::vector<LeanPod>().swap(lean_pods_);
  // By id; of two with the same id, the one added first (first_task grows in that order).
  std::sort(table.jobs.begin(), table.jobs.end(), [](const TableJob& a, const TableJob& b) {
    return std::tie(a.id, a.first_task) < std::tie(b.id, b.first_task);
  });
  return std::exchange(table_, JobTable{});
}

std::vector<std::string> JobViewCollector::take_warnings() {
  // By kind, each kind's in the order its objects came: the kinds may be listed side by side.
  std::stable_sort(warnings_.begin(), warnings_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> warnings;
  warnings.reserve(warnings_.size());
  for (auto& [source, text] : warnings_) warnings.push_back(std::move(text));
  warnings_.clear();
  return warnings;
}

JobListing derive_job_listing(const ClusterSnapshot& snapshot) {
  JobViewCollector collector;
  for (const auto& job : snapshot.jobs) collector.add_job(job);
  for (const auto& deployment : snapshot.deployments) collector.add_deployment(deployment);
  for (const auto& pod : snapshot.pods) collector.add_pod(pod);
  JobListing listing;
  listing.records = collector.take_records();
  listing.warnings = collector.take_warnings();
  return listing;
}

std::vector<JobRecord> derive_job_records(const ClusterSnapshot& snapshot) {
  return derive_job_listing(snapshot).records;
}

}  // namespace k8sjobs::jobs
