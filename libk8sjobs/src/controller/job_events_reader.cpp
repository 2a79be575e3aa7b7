// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/job_events_reader.h"

#include <algorithm>
#include <vector>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace {

using nlohmann::json;

// Events of one object are few (the kubelet and controllers aggregate repeats into count).
constexpr int kEventsPerObject = 100;

std::string escape_selector_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ',' || c == '=' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string why_unavailable(const kube::Error& error) {
  if (error.is(kube::StatusReason::Forbidden))
    return "the controller may not list Events here (RBAC)";
  return "Events could not be read: " + error.describe();
}

}  // namespace

std::string events_field_selector(const std::string& kind, const std::string& name) {
  return "involvedObject.kind=" + escape_selector_value(kind) +
         ",involvedObject.name=" + escape_selector_value(name);
}

JobEventsReader::JobEventsReader(std::unique_ptr<kube::KubeClient> client, sys::Clock& clock)
    : client_(std::move(client)), clock_(clock) {}

status::JobEvents JobEventsReader::read(const std::string& ns, const jobs::JobRecord& job) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  const auto key = std::make_pair(ns, job.id);
  if (auto kept = kept_.find(key); kept != kept_.end() && now - kept->second.first < kKeepFor)
    return kept->second.second;
  status::JobEvents events = fetch(ns, job);
  if (kept_.size() >= kMaxKept) {
    // The oldest answers go first; they would have expired anyway.
    std::erase_if(kept_, [&](const auto& item) { return now - item.second.first >= kKeepFor; });
    if (kept_.size() >= kMaxKept) kept_.clear();
  }
  kept_[key] = {now, events};
  return events;
}

status::JobEvents JobEventsReader::fetch(const std::string& ns, const jobs::JobRecord& job) {
  status::JobEvents none;
  std::vector<std::pair<std::string, std::string>> objects;  // (kind, name)
  for (const auto& [kind, name] : job.backend_objects)
    if ((kind == "Job" || kind == "Deployment") && !name.empty()) objects.emplace_back(kind, name);
  // The job's pods, by the job number k8sjobs puts on them; only names are kept.
  kube::ListOptions pod_options;
  pod_options.label_selector = translate::managed_by_selector() + "," + translate::kJobIdLabel +
                               "=" + std::to_string(job.id);
  pod_options.limit = 500;
  const kube::ItemFields names{
      {{"metadata", {"name", "creationTimestamp"}}, {"spec", {}}, {"status", {}}}};
  std::vector<std::pair<std::string, std::string>> pods;  // (created, name)
  auto listed = client_->list_pages(
      kube::resources::kPods, ns, pod_options,
      [&](kube::ListPage& page, bool restarted) {
        if (restarted) pods.clear();
        for (const auto& pod : page.items) {
          const json& metadata = jobs::untrusted::object_member(pod, "metadata");
          auto name = jobs::untrusted::string_or(metadata, "name");
          if (!name.empty())
            pods.emplace_back(jobs::untrusted::string_or(metadata, "creationTimestamp"), name);
        }
      },
      &names);
  if (!listed) {
    none.unavailable = listed.error().is(kube::StatusReason::Forbidden)
                           ? "the controller may not list the job's pods (RBAC)"
                           : "its pods could not be listed: " + listed.error().describe();
    return none;
  }
  std::sort(pods.rbegin(), pods.rend());  // RFC 3339 UTC times sort as text: newest first
  if (pods.size() > static_cast<std::size_t>(kMaxPods)) pods.resize(kMaxPods);
  for (const auto& [created, name] : pods) objects.emplace_back("Pod", name);

  std::vector<json> found;
  for (const auto& [kind, name] : objects) {
    kube::ListOptions options;
    options.field_selector = events_field_selector(kind, name);
    options.limit = kEventsPerObject;
    auto page = client_->list(kube::resources::kEvents, ns, options);
    if (!page) {
      none.unavailable = why_unavailable(page.error());
      return none;
    }
    for (auto& item : page->items) found.push_back(std::move(item));
  }
  return status::job_events_from(found);
}

}  // namespace k8sjobs::controller
