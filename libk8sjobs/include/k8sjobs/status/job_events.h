// SPDX-License-Identifier: Apache-2.0
#pragma once
// A job's recent Kubernetes Events (core/v1) as its status page shows them: those of its Job or
// Deployment and of its pods, newest first. Events are written by many components (and by
// anyone who may create Events in the namespace), so every field is untrusted: read with
// checks, texts cut to a length, at most kMaxJobEvents of them. Pure: objects in, rows out.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::status {

inline constexpr std::size_t kMaxJobEvents = 20;
inline constexpr std::size_t kMaxEventMessageBytes = 512;
inline constexpr std::size_t kMaxEventWordBytes = 128;  // type, reason, object name

struct JobEvent {
  std::optional<jobs::TimePoint> last_seen;  // lastTimestamp, else eventTime, else created
  std::string type;                          // Normal, Warning
  std::string reason;                        // Scheduled, BackOff, ...
  std::string object;                        // "Pod/x-7f9c2", "Job/x"
  int count = 1;
  std::string message;  // cut to kMaxEventMessageBytes (UTF-8 kept whole, "..." appended)
};

struct JobEvents {
  std::vector<JobEvent> events;  // newest first
  int left_out = 0;              // older events beyond kMaxJobEvents
  std::string unavailable;       // why they could not be read ("" when they were)
};

// The rows of `objects` (Event objects as listed; anything else is skipped), newest first, at
// most kMaxJobEvents. Events of the same object, reason and message are one row (the newest).
JobEvents job_events_from(const std::vector<nlohmann::json>& objects);

// `text` cut to at most `limit` bytes on a UTF-8 boundary, "..." appended when cut; invalid
// bytes shown as U+FFFD.
std::string cut_text(const std::string& text, std::size_t limit);

}  // namespace k8sjobs::status
