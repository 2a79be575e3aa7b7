// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/job_events.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/text/utf8.h"

namespace k8sjobs::status {

namespace {

using jobs::untrusted::object_member;
using jobs::untrusted::string_or;
using nlohmann::json;

std::optional<jobs::TimePoint> time_of(const json& event) {
  // Events written through events.k8s.io/v1 (the scheduler's) have eventTime and no
  // lastTimestamp; core/v1 writers (the kubelet, the Job controller) the other way round.
  for (const char* key : {"lastTimestamp", "eventTime", "firstTimestamp"})
    if (auto time = text::parse_rfc3339(string_or(event, key))) return time;
  return text::parse_rfc3339(string_or(object_member(event, "metadata"), "creationTimestamp"));
}

}  // namespace

std::string cut_text(const std::string& text, std::size_t limit) {
  std::string shown = text::utf8_for_display(text);
  if (shown.size() <= limit) return shown;
  std::size_t end = 0;
  while (end < shown.size()) {
    std::size_t length = text::utf8_sequence_length(shown, end);
    if (length == 0) length = 1;
    if (end + length > limit) break;
    end += length;
  }
  return shown.substr(0, end) + "...";
}

JobEvents job_events_from(const std::vector<json>& objects) {
  JobEvents result;
  for (const auto& object : objects) {
    if (!object.is_object()) continue;
    JobEvent event;
    event.last_seen = time_of(object);
    event.type = cut_text(string_or(object, "type"), kMaxEventWordBytes);
    event.reason = cut_text(string_or(object, "reason"), kMaxEventWordBytes);
    const json& involved = object_member(object, "involvedObject");
    event.object = cut_text(string_or(involved, "kind") + "/" + string_or(involved, "name"),
                            kMaxEventWordBytes);
    // A series (events.k8s.io) counts in series.count; core/v1 in count.
    const json& series = object_member(object, "series");
    event.count = std::max(jobs::untrusted::int_or(object, "count", 1, 0),
                           jobs::untrusted::int_or(series, "count", 1, 0));
    event.message =
        cut_text(string_or(object, "note", string_or(object, "message")), kMaxEventMessageBytes);
    result.events.push_back(std::move(event));
  }
  // Newest first; events without a time last. Ties keep a fixed order for golden output.
  std::stable_sort(
      result.events.begin(), result.events.end(), [](const JobEvent& a, const JobEvent& b) {
        if (a.last_seen != b.last_seen) {
          if (!a.last_seen) return false;
          if (!b.last_seen) return true;
          return *a.last_seen > *b.last_seen;
        }
        return std::tie(a.object, a.reason, a.message) < std::tie(b.object, b.reason, b.message);
      });
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::vector<JobEvent> rows;
  for (auto& event : result.events) {
    if (!seen.emplace(event.object, event.reason, event.message).second) continue;
    if (rows.size() == kMaxJobEvents) {
      ++result.left_out;
      continue;
    }
    rows.push_back(std::move(event));
  }
  result.events = std::move(rows);
  return result;
}

}  // namespace k8sjobs::status
