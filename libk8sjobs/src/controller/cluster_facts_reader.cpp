// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/cluster_facts_reader.h"

#include "k8sjobs/log.h"
#include "k8sjobs/status/cluster_usage.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace {

bool refused_or_absent(const kube::Error& error) {
  return error.is(kube::StatusReason::Forbidden) || error.is(kube::StatusReason::NotFound);
}

}  // namespace

std::string refusal_note(const kube::Error& error, const std::string& what) {
  if (error.is(kube::StatusReason::Forbidden)) return "the controller may not list " + what;
  if (error.is(kube::StatusReason::NotFound)) return "this cluster does not serve " + what;
  return what + " could not be read: " + error.describe();
}

ClusterFactsReader::ClusterFactsReader(std::unique_ptr<kube::KubeClient> client,
                                       std::vector<std::string> scopes, sys::Clock& clock)
    : client_(std::move(client)), scopes_(std::move(scopes)), clock_(clock) {}

void ClusterFactsReader::read(status::ClusterFacts& facts) {
  const auto now = clock_.steady_now();
  if (!next_capacity_ || now >= *next_capacity_) read_capacity();
  if (!next_memory_ || now >= *next_memory_) read_memory();
  facts.capacity = capacity_;
  facts.capacity_note = capacity_ ? "" : capacity_note_;
  facts.memory = memory_;
  facts.memory_note = memory_ ? "" : memory_note_;
}

void ClusterFactsReader::read_capacity() {
  kube::ListOptions options;
  options.limit = 500;
  const kube::ItemFields fields{
      {{"metadata", {"name"}}, {"spec", {"unschedulable"}}, {"status", {"allocatable"}}}};
  std::vector<nlohmann::json> nodes;
  auto listed = client_->list_pages(
      resources::kNodes, "", options,
      [&](kube::ListPage& page, bool restarted) {
        if (restarted) nodes.clear();
        for (auto& item : page.items) nodes.push_back(std::move(item));
      },
      &fields);
  const auto now = clock_.steady_now();
  if (!listed) {
    capacity_.reset();
    capacity_note_ = refusal_note(listed.error(), "nodes");
    if (!refused_or_absent(listed.error()))
      log_warning("status page: nodes: {}", listed.error().describe());
    next_capacity_ = now + (refused_or_absent(listed.error()) ? kRetryRefused : kCapacityEvery);
    return;
  }
  capacity_ = status::capacity_from_nodes(nodes);
  next_capacity_ = now + kCapacityEvery;
}

void ClusterFactsReader::read_memory() {
  status::MemoryUsage usage;
  for (const auto& ns : scopes_) {
    kube::ListOptions options;
    options.label_selector = translate::managed_by_selector();
    options.limit = 500;
    const kube::ItemFields fields{{{"metadata", {"name", "namespace", "labels"}}}};
    std::vector<nlohmann::json> items;
    auto listed = client_->list_pages(
        resources::kPodMetrics, ns, options,
        [&](kube::ListPage& page, bool restarted) {
          if (restarted) items.clear();
          for (auto& item : page.items) items.push_back(std::move(item));
        },
        &fields);
    if (!listed) {
      memory_.reset();
      memory_note_ = refusal_note(listed.error(), "pod metrics (metrics.k8s.io)");
      if (!refused_or_absent(listed.error()))
        log_warning("status page: pod metrics: {}", listed.error().describe());
      next_memory_ = clock_.steady_now() +
                     (refused_or_absent(listed.error()) ? kRetryRefused : std::chrono::seconds(0));
      return;
    }
    usage.merge(status::memory_from_pod_metrics(items));
  }
  memory_ = std::move(usage);
  next_memory_.reset();
}

}  // namespace k8sjobs::controller
