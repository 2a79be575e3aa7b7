#pragma once
// Numeric Grid Engine job IDs, unique and increasing per namespace, kept in the cluster so
// that crontab lines firing at once on several hosts never share an ID.

#include <string>

#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::jobs {

inline constexpr const char* kJobIdConfigMap = "k8sjobs-job-ids";

// Takes the next ID from the ConfigMap `k8sjobs-job-ids` (data.next) with a compare-and-swap
// on its resourceVersion; a Conflict means another submitter won the round, so it waits a
// short random time and reads again. The first ID of a namespace is 1.
class JobIdAllocator {
 public:
  JobIdAllocator(kube::KubeClient& client, sys::Clock& clock) : client_(client), clock_(clock) {}

  kube::Result<long long> next(const std::string& namespace_name);

  int conflicts() const { return conflicts_; }

 private:
  kube::KubeClient& client_;
  sys::Clock& clock_;
  int conflicts_ = 0;
};

}  // namespace k8sjobs::jobs
