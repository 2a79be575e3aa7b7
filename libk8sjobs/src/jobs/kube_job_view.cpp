#include "k8sjobs/jobs/kube_job_view.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <utility>

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

std::optional<TimePoint> parse_time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::tm parts{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts) == nullptr) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

const json& field(const json& object, const char* key) {
  static const json kEmpty = json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::string label(const json& object, const char* key) {
  return field(field(object, "metadata"), "labels").value(key, "");
}

std::string annotation(const json& object, const char* key) {
  return field(field(object, "metadata"), "annotations").value(key, "");
}

bool condition_true(const json& object, const std::string& type) {
  for (const auto& condition : field(object, "status").value("conditions", json::array())) {
    if (condition.value("type", "") == type && condition.value("status", "") == "True") return true;
  }
  return false;
}

// The task as one pod shows it.
TaskRecord task_from_pod(const json& pod, int task_id) {
  TaskRecord task;
  task.task_id = task_id;
  const auto& status = field(pod, "status");
  std::string phase = status.value("phase", "Pending");
  task.node = field(pod, "spec").value("nodeName", "");
  task.start_time = parse_time(status.value("startTime", ""));
  for (const auto& container : status.value("containerStatuses", json::array())) {
    task.restarts = std::max(task.restarts, container.value("restartCount", 0));
    const auto& state = field(container, "state");
    if (state.contains("waiting")) {
      std::string reason = field(state, "waiting").value("reason", "");
      if (is_error_reason(reason)) {
        task.state = JobState::Error;
        task.error_reason = reason;
        std::string message = field(state, "waiting").value("message", "");
        if (!message.empty()) task.error_reason += ": " + message;
        return task;
      }
    }
    if (state.contains("running")) {
      if (auto started = parse_time(field(state, "running").value("startedAt", "")))
        task.start_time = started;
    }
    if (state.contains("terminated")) {
      const auto& terminated = field(state, "terminated");
      task.exit_code = terminated.value("exitCode", 0);
      // The container runtime reports a signal, or the shell's 128+N convention shows it.
      int signal = terminated.value("signal", 0);
      if (signal == 0 && *task.exit_code > 128 && *task.exit_code <= 128 + 64)
        signal = *task.exit_code - 128;
      if (signal != 0) task.signal = signal;
    }
  }
  for (const auto& condition : status.value("conditions", json::array())) {
    if (condition.value("type", "") == "PodScheduled" && condition.value("status", "") == "False") {
      task.scheduling_info = condition.value("message", condition.value("reason", ""));
    }
  }
  if (phase == "Running") {
    task.state = task.restarts > 0 ? JobState::Restarted : JobState::Running;
  } else if (phase == "Succeeded") {
    task.state = JobState::Succeeded;
  } else if (phase == "Failed") {
    task.state = JobState::Failed;
  } else {
    task.state = task.node.empty() ? JobState::Pending : JobState::Starting;
  }
  if (field(pod, "metadata").contains("deletionTimestamp") && task.state != JobState::Succeeded &&
      task.state != JobState::Failed) {
    task.deleting_while_starting =
        task.state == JobState::Starting || task.state == JobState::Pending;
    task.state = JobState::Deleting;
  }
  return task;
}

// Fields every k8sjobs object carries in its labels and annotations.
JobRecord record_from_owner(const json& object, const std::string& kind) {
  JobRecord record;
  record.id = std::stoll(
      label(object, translate::kJobIdLabel).empty() ? "0" : label(object, translate::kJobIdLabel));
  record.name = annotation(object, translate::kNameAnnotation);
  record.owner = annotation(object, translate::kOwnerAnnotation);
  const auto& metadata = field(object, "metadata");
  auto submitted = parse_time(annotation(object, translate::kSubmitTimeAnnotation));
  if (!submitted) submitted = parse_time(metadata.value("creationTimestamp", ""));
  if (submitted) record.submission_time = *submitted;
  record.continuous = kind == "Deployment";
  record.backend_namespace = metadata.value("namespace", "");
  record.backend_objects.emplace_back(kind, metadata.value("name", ""));
  record.mail_options = annotation(object, translate::kMailOptionsAnnotation);
  record.mail_list = annotation(object, translate::kMailListAnnotation);
  auto details = json::parse(annotation(object, translate::kDetailsAnnotation), nullptr, false);
  if (details.is_object()) {
    record.cwd = details.value("cwd", "");
    record.stdout_path = details.value("stdout", "");
    record.stderr_path = details.value("stderr", "");
    record.merge_output = details.value("merge", false);
    record.script_file = details.value("script", "");
    record.slots = details.value("slots", 1);
    record.hard_queue = details.value("queue", "");
    record.account = details.value("account", "");
    record.posix_priority = details.value("priority", 0);
    record.rerunnable = details.value("restart", false);
    for (const auto& arg : details.value("args", json::array()))
      record.job_args.push_back(arg.get<std::string>());
    for (const auto& pair : details.value("hard_resources", json::array())) {
      record.hard_resources.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    for (const auto& pair : details.value("submit_environment", json::array())) {
      record.submit_environment.emplace_back(pair[0].get<std::string>(),
                                             pair[1].get<std::string>());
    }
    if (details.contains("array")) {
      record.array =
          ArrayRange{details["array"].value("first", 1), details["array"].value("last", 1),
                     details["array"].value("step", 1)};
    }
  }
  // Grid Engine's normalised priority figure for a job at the default -p 0.
  record.priority = 0.5 + static_cast<double>(record.posix_priority) / 2048.0;
  return record;
}

// A task whose program runs (or is being stopped while it runs): a hold does not change how
// qstat shows it until the pod is gone.
bool still_running(const TaskRecord& task) {
  return task.state == JobState::Running || task.state == JobState::Restarted ||
         (task.state == JobState::Deleting && !task.deleting_while_starting);
}

// "1,3-5" (status.completedIndexes) → {1,3,4,5}.
std::set<int> parse_index_list(const std::string& text) {
  std::set<int> indexes;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto dash = part.find('-');
    try {
      if (dash == std::string::npos) {
        if (!part.empty()) indexes.insert(std::stoi(part));
      } else {
        for (int i = std::stoi(part.substr(0, dash)); i <= std::stoi(part.substr(dash + 1)); ++i)
          indexes.insert(i);
      }
    } catch (const std::exception&) {
      // A malformed list from the server: show what could be read.
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return indexes;
}

using OwnerFacts = JobViewCollector::OwnerFacts;
using PodTasks = std::map<int, JobViewCollector::PodTask>;

void derive_job_tasks(JobRecord& record, const OwnerFacts& facts, const PodTasks* pods) {
  int first = record.array ? record.array->first : 0;
  int step = record.array ? record.array->step : 1;
  int count =
      record.array ? (record.array->last - record.array->first) / record.array->step + 1 : 1;
  auto completed = parse_index_list(facts.completed_indexes);
  auto failed_indexes = parse_index_list(facts.failed_indexes);
  for (int index = 0; index < count; ++index) {
    int task_id = record.array ? first + index * step : 0;
    TaskRecord task;
    if (pods != nullptr) {
      if (auto pod = pods->find(index); pod != pods->end()) task = pod->second.task;
    }
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

void derive_deployment_tasks(JobRecord& record, const OwnerFacts& facts, const PodTasks* pods) {
  // Deployment pods carry no completion index: the newest of them all is under 0.
  TaskRecord task;
  if (pods != nullptr) {
    if (auto pod = pods->find(0); pod != pods->end()) task = pod->second.task;
  }
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
  static const std::vector<std::string> kFields{"nodeName"};
  return kFields;
}

void JobViewCollector::add_owner(const json& object, bool deployment) {
  std::string id_label = label(object, translate::kJobIdLabel);
  if (id_label.empty()) return;  // not one of ours
  JobRecord record = record_from_owner(object, deployment ? "Deployment" : "Job");
  OwnerFacts facts;
  facts.deployment = deployment;
  facts.deleting = field(object, "metadata").contains("deletionTimestamp");
  if (deployment) {
    facts.held = field(object, "spec").value("replicas", 1) == 0;
  } else {
    const auto& status = field(object, "status");
    facts.held = field(object, "spec").value("suspend", false);
    facts.complete = condition_true(object, "Complete");
    facts.failed = condition_true(object, "Failed");
    facts.completed_indexes = status.value("completedIndexes", "");
    facts.failed_indexes = status.value("failedIndexes", "");
    for (const auto& condition : status.value("conditions", json::array())) {
      if (condition.value("type", "") == "Failed" && condition.value("status", "") == "True") {
        record.error_reason = condition.value("reason", "") + ": " + condition.value("message", "");
      }
    }
  }
  records_.push_back(std::move(record));
  owners_.push_back(OwnerKey{std::move(id_label), std::move(facts)});
}

void JobViewCollector::add_job(const json& job) {
  add_owner(job, false);
}
void JobViewCollector::add_deployment(const json& deployment) {
  add_owner(deployment, true);
}

void JobViewCollector::add_pod(const json& pod) {
  std::string id = label(pod, translate::kJobIdLabel);
  int index = 0;
  std::string text = annotation(pod, "batch.kubernetes.io/job-completion-index");
  if (!text.empty()) index = std::stoi(text);
  std::string created = field(pod, "metadata").value("creationTimestamp", "");
  auto& tasks = pods_[id];
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
      records_[kept] = std::move(records_[i]);
      owners_[kept] = std::move(owners_[i]);
    }
    ++kept;
  }
  records_.resize(kept);
  owners_.resize(kept);
}

void JobViewCollector::clear_jobs() {
  clear_owners(false);
}
void JobViewCollector::clear_deployments() {
  clear_owners(true);
}
void JobViewCollector::clear_pods() {
  pods_.clear();
}

std::vector<JobRecord> JobViewCollector::take_records() {
  for (size_t i = 0; i < records_.size(); ++i) {
    auto pods = pods_.find(owners_[i].id_label);
    const PodTasks* tasks = pods == pods_.end() ? nullptr : &pods->second;
    if (owners_[i].facts.deployment) {
      derive_deployment_tasks(records_[i], owners_[i].facts, tasks);
    } else {
      derive_job_tasks(records_[i], owners_[i].facts, tasks);
    }
  }
  owners_.clear();
  pods_.clear();
  std::sort(records_.begin(), records_.end(),
            [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
  return std::exchange(records_, {});
}

std::vector<JobRecord> derive_job_records(const ClusterSnapshot& snapshot) {
  JobViewCollector collector;
  for (const auto& job : snapshot.jobs) collector.add_job(job);
  for (const auto& deployment : snapshot.deployments) collector.add_deployment(deployment);
  for (const auto& pod : snapshot.pods) collector.add_pod(pod);
  return collector.take_records();
}

}  // namespace k8sjobs::jobs
