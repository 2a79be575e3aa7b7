// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/cluster_usage.h"

#include <climits>
#include <cstdio>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::status {

namespace {

using jobs::untrusted::object_member;
using jobs::untrusted::string_or;
using nlohmann::json;

}  // namespace

long long add_saturated(long long a, long long b) {
  long long sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b < 0 ? LLONG_MIN : LLONG_MAX;
  return sum;
}

ClusterCapacity capacity_from_nodes(const std::vector<json>& nodes) {
  ClusterCapacity capacity;
  for (const auto& node : nodes) {
    if (jobs::untrusted::bool_or(object_member(node, "spec"), "unschedulable", false)) continue;
    const json& allocatable = object_member(object_member(node, "status"), "allocatable");
    ++capacity.nodes;
    if (auto cpu = site::parse_cpu_quantity(string_or(allocatable, "cpu")))
      capacity.cpu_millis = add_saturated(capacity.cpu_millis, *cpu);
    if (auto memory = site::parse_memory_quantity(string_or(allocatable, "memory")))
      capacity.memory_bytes = add_saturated(capacity.memory_bytes, *memory);
  }
  return capacity;
}

MemoryUsage memory_from_pod_metrics(const std::vector<json>& items) {
  MemoryUsage usage;
  for (const auto& item : items) {
    const json& metadata = object_member(item, "metadata");
    const json& labels = object_member(metadata, "labels");
    auto id = jobs::untrusted::parse_job_number(string_or(labels, translate::kJobIdLabel));
    const std::string ns = string_or(metadata, "namespace");
    if (!id || ns.empty()) continue;
    long long index = 0;
    if (auto text =
            jobs::untrusted::string_member(labels, "batch.kubernetes.io/job-completion-index")) {
      auto parsed = jobs::untrusted::parse_decimal(*text, 0, jobs::untrusted::kMaxArrayTasks - 1);
      if (!parsed) continue;
      index = *parsed;
    }
    long long bytes = 0;
    bool any = false;
    for (const auto& container : jobs::untrusted::array_member(item, "containers")) {
      if (auto memory =
              site::parse_memory_quantity(string_or(object_member(container, "usage"), "memory"))) {
        bytes = add_saturated(bytes, *memory);
        any = true;
      }
    }
    if (any) usage[TaskUsageKey{ns, *id, static_cast<int>(index)}] = bytes;
  }
  return usage;
}

std::string format_bytes(long long bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0 || value >= 100) {
    std::snprintf(text, sizeof text, "%.0f %s", value, kUnits[unit]);
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  }
  return text;
}

}  // namespace k8sjobs::status
