// SPDX-License-Identifier: Apache-2.0
// What the status page reads from the cluster besides k8sjobs' own objects, over any bytes taken
// as a JSON array of objects: Events (anyone who may create Events in a namespace writes them),
// nodes and metrics.k8s.io PodMetrics. Checks the limits the page relies on: at most
// kMaxJobEvents rows, texts cut and valid UTF-8, sums that never overflow.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "k8sjobs/status/cluster_usage.h"
#include "k8sjobs/status/job_events.h"
#include "k8sjobs/text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return 0;
  std::vector<nlohmann::json> items;
  if (parsed.is_array()) {
    for (const auto& item : parsed) items.push_back(item);
  } else {
    items.push_back(parsed);
  }
  namespace status = k8sjobs::status;
  const status::JobEvents events = status::job_events_from(items);
  FUZZ_CHECK(events.events.size() <= status::kMaxJobEvents);
  FUZZ_CHECK(events.left_out >= 0);
  for (const auto& event : events.events) {
    FUZZ_CHECK(event.message.size() <= status::kMaxEventMessageBytes + 3);
    FUZZ_CHECK(event.reason.size() <= status::kMaxEventWordBytes + 3);
    FUZZ_CHECK(event.object.size() <= status::kMaxEventWordBytes + 3);
    FUZZ_CHECK(
        k8sjobs::text::is_valid_utf8(event.message) && k8sjobs::text::is_valid_utf8(event.reason) &&
        k8sjobs::text::is_valid_utf8(event.type) && k8sjobs::text::is_valid_utf8(event.object));
    FUZZ_CHECK(event.count >= 0);
  }
  const status::ClusterCapacity capacity = status::capacity_from_nodes(items);
  FUZZ_CHECK(capacity.nodes >= 0 && capacity.cpu_millis >= 0 && capacity.memory_bytes >= 0);
  for (const auto& [key, bytes] : status::memory_from_pod_metrics(items)) {
    FUZZ_CHECK(key.id >= 1 && key.index >= 0 && !key.ns.empty());
    FUZZ_CHECK(bytes >= 0);
  }
  return 0;
}
