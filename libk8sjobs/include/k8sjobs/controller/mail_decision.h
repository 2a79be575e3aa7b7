// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which Grid Engine mails (-m b, e, a) a job's record calls for at one moment: pure, so every
// case is a unit test (record + what the Job object says + now → events). States come from
// the same JobRecords qstat shows (jobs/kube_job_view.h), never derived again here:
// - begin (b): the task's container ran (running, or finished, with a start time);
// - end (e): the task finished with a container exit code, whatever the code;
// - abort (a): the task is being deleted (qdel) or the Job is gone (a watch DELETED event)
//   before it finished, the Job's deadline passed (h_rt: DeadlineExceeded), or the task
//   failed without an exit code.
// An event already queued (the Job's k8sjobs.io/mail-queued annotation) is not decided again.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/mail/mail_event.h"

namespace k8sjobs::controller {

// On a Job: the events queued for it so far, "<task>.<letter>" separated by commas ("0.b,0.e").
inline constexpr const char* kMailQueuedAnnotation = "k8sjobs.io/mail-queued";

// What the Job object tells besides its record.
struct MailFacts {
  std::set<std::string> queued;  // "0.b", ... from kMailQueuedAnnotation (garbage is ignored)
  std::optional<std::chrono::system_clock::time_point> end_time;  // completion or failure time
};

MailFacts read_mail_facts(const nlohmann::json& job);

// "<task>.<letter>": the event's entry in MailFacts::queued.
std::string queued_mark(const mail::MailEvent& event);
std::string queued_annotation(const std::set<std::string>& marks);

// The events to queue now, in the order they happened (per task: begin, then end or abort).
// `deleted`: the Job is gone (its last state from a watch DELETED event).
std::vector<mail::MailEvent> decide_mail_events(const jobs::JobRecord& record,
                                                const MailFacts& facts, bool deleted,
                                                std::chrono::system_clock::time_point now);

}  // namespace k8sjobs::controller
