// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Jobs and pods a controller pass derives JobRecords from (jobs::JobViewCollector, as qstat
// does): k8sjobs' objects in a namespace ("" for all), listed page by page and cut to what the
// collector and the passes read: metadata without managedFields (name, namespace, uid, labels,
// annotations, timestamps) and of spec and status only the collector's fields. Whole objects
// of a real server's size (a Job about 8 KB, its pod 7 KB, half of each managedFields) made a
// pass over 1,000 jobs hold about 130 MB of JSON values; cut, a tenth of that.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::controller {

struct JobViewObjects {
  std::vector<nlohmann::json> jobs;
  std::vector<nlohmann::json> pods;
};

kube::Result<JobViewObjects> list_job_view_objects(kube::KubeClient& client, const std::string& ns);

}  // namespace k8sjobs::controller
