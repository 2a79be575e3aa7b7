// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/job_view_listing.h"

#include <utility>

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace {

using jobs::JobViewCollector;

kube::Result<std::string> list_into(kube::KubeClient& client, const kube::ResourceKind& kind,
                                    const std::string& ns, const kube::ItemFields& fields,
                                    std::vector<nlohmann::json>& into) {
  kube::ListOptions options;
  options.label_selector = translate::managed_by_selector();
  options.limit = 500;
  return client.list_pages(
      kind, ns, options,
      [&into](kube::ListPage& page, bool restarted) {
        if (restarted) into.clear();
        for (auto& item : page.items) into.push_back(std::move(item));
      },
      &fields);
}

}  // namespace

kube::Result<JobViewObjects> list_job_view_objects(kube::KubeClient& client,
                                                   const std::string& ns) {
  JobViewObjects objects;
  // The uid besides what the collector reads: accounting keys its records by it.
  const kube::ItemFields job_fields = JobViewCollector::item_fields(
      JobViewCollector::job_spec_fields(), JobViewCollector::job_status_fields(), {"uid"});
  if (auto listed = list_into(client, kube::resources::kJobs, ns, job_fields, objects.jobs);
      !listed) {
    return unexpected(listed.error());
  }
  const kube::ItemFields pod_fields = JobViewCollector::item_fields(
      JobViewCollector::pod_spec_fields(), JobViewCollector::pod_status_fields(), {"uid"});
  if (auto listed = list_into(client, kube::resources::kPods, ns, pod_fields, objects.pods);
      !listed) {
    return unexpected(listed.error());
  }
  return objects;
}

}  // namespace k8sjobs::controller
