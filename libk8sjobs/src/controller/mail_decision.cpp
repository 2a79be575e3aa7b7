// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/mail_decision.h"

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using jobs::JobState;
using mail::MailEvent;
using mail::MailEventKind;
using nlohmann::json;

namespace {

bool finished(JobState state) {
  return state == JobState::Succeeded || state == JobState::Failed;
}

constexpr int kKill = 9;

// Its container ran: a start time alone is not enough (the kubelet sets one before the image
// is pulled).
bool ran(const jobs::TaskRecord& task) {
  if (!task.start_time) return false;
  switch (task.state) {
    case JobState::Running:
    case JobState::Restarted:
    case JobState::Succeeded:
    case JobState::Failed:
      return true;
    case JobState::Deleting:
      return !task.deleting_while_starting;
    default:
      return false;
  }
}

}  // namespace

MailFacts read_mail_facts(const json& job) {
  MailFacts facts;
  const json& annotations =
      untrusted::object_member(untrusted::object_member(job, "metadata"), "annotations");
  const std::string marks = untrusted::string_or(annotations, kMailQueuedAnnotation);
  std::size_t start = 0;
  while (start < marks.size()) {
    std::size_t comma = marks.find(',', start);
    if (comma == std::string::npos) comma = marks.size();
    std::string mark = marks.substr(start, comma - start);
    start = comma + 1;
    const std::size_t dot = mark.find('.');
    if (dot == std::string::npos || dot == 0 || mark.size() != dot + 2) continue;
    if (!untrusted::parse_decimal(mark.substr(0, dot), 0, 1000000000)) continue;
    if (std::string("bea").find(mark.back()) == std::string::npos) continue;
    facts.queued.insert(mark);
  }
  const json& status = untrusted::object_member(job, "status");
  facts.end_time = text::parse_rfc3339(untrusted::string_or(status, "completionTime"));
  if (!facts.end_time) {
    for (const auto& condition : untrusted::array_member(status, "conditions")) {
      if (untrusted::string_or(condition, "type") == "Failed" &&
          untrusted::string_or(condition, "status") == "True")
        facts.end_time = text::parse_rfc3339(untrusted::string_or(condition, "lastTransitionTime"));
    }
  }
  return facts;
}

std::string queued_mark(const MailEvent& event) {
  return std::to_string(event.task_id) + "." + mail::letter_of(event.kind);
}

std::string queued_annotation(const std::set<std::string>& marks) {
  std::string text;
  for (const auto& mark : marks) {
    if (!text.empty()) text += ",";
    text += mark;
  }
  return text;
}

std::vector<MailEvent> decide_mail_events(const jobs::JobRecord& record, const MailFacts& facts,
                                          bool deleted, std::chrono::system_clock::time_point now) {
  std::vector<MailEvent> events;
  const std::string letters = mail::requested_letters(record.mail_options);
  if (letters.empty()) return events;
  const bool deadline = record.error_reason.starts_with("DeadlineExceeded");
  for (const auto& task : record.tasks) {
    MailEvent base;
    base.job_id = record.id;
    base.task_id = task.task_id;
    base.array_task = record.array.has_value();
    base.job_name = record.name;
    base.user = record.owner;
    base.queue = !record.hard_queue.empty() ? record.hard_queue
                 : record.continuous        ? "continuous"
                                            : "task";
    base.host = task.node;
    base.start_time = task.start_time;
    base.cpu_time = task.cpu_time;
    base.max_vmem_bytes = task.max_memory_bytes;
    auto wanted = [&](MailEventKind kind) {
      MailEvent probe = base;
      probe.kind = kind;
      return letters.find(mail::letter_of(kind)) != std::string::npos &&
             facts.queued.count(queued_mark(probe)) == 0;
    };

    if (ran(task) && wanted(MailEventKind::Begin)) {
      MailEvent event = base;
      event.kind = MailEventKind::Begin;
      events.push_back(std::move(event));
    }
    const bool done = finished(task.state);
    MailEvent ending = base;
    ending.end_time = done && facts.end_time ? facts.end_time : std::optional(now);
    ending.signal = task.signal;
    if (done && deadline) {
      ending.kind = MailEventKind::Abort;
      ending.exit_status = task.exit_code.value_or(128 + kKill);
      ending.signal = task.signal.value_or(kKill);
      ending.failed_reason = "100 : assumedly after job";
      ending.failed_text = "job " + std::to_string(record.id) + "." +
                           std::to_string(task.task_id == 0 ? 1 : task.task_id) +
                           " exceeded its run time limit (h_rt): " + record.error_reason;
    } else if (done && task.exit_code) {
      ending.kind = MailEventKind::End;
      ending.exit_status = *task.exit_code;
    } else if (done) {
      ending.kind = MailEventKind::Abort;
      ending.exit_status = 0;
      ending.failed_reason = "before job";
      const std::string why = !task.error_reason.empty()     ? task.error_reason
                              : !record.error_reason.empty() ? record.error_reason
                                                             : "it failed without an exit status";
      ending.failed_text = "job " + std::to_string(record.id) + " failed: " + why;
    } else if (task.state == JobState::Deleting || deleted) {
      ending.kind = MailEventKind::Abort;
      ending.exit_status = 128 + kKill;
      ending.signal = kKill;
      ending.failed_reason = task.start_time ? "100 : assumedly after job" : "before job";
      ending.failed_text = "job " + std::to_string(record.id) + "." +
                           std::to_string(task.task_id == 0 ? 1 : task.task_id) +
                           " was deleted (qdel) before it finished";
    } else {
      continue;
    }
    if (wanted(ending.kind)) events.push_back(std::move(ending));
  }
  return events;
}

}  // namespace k8sjobs::controller
