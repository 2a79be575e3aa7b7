#pragma once
// Numeric Grid Engine job IDs, unique and increasing per namespace, kept in the cluster so
// that crontab lines firing at once on several hosts never share an ID.

#include <string>

#include "k8sjobs/jobs/job_id_hint.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::jobs {

inline constexpr const char* kJobIdConfigMap = "k8sjobs-job-ids";

// Takes the next ID from the ConfigMap `k8sjobs-job-ids` (data.next) with a compare-and-swap
// on its resourceVersion; a Conflict means another submitter won the round, so it waits a
// short random time and reads again. The first ID of a namespace is 1.
//
// With a hint (the counter's value this user last saw), the first try is a single JSON patch
// that tests data.next against the hint and replaces it: the server applies test and replace
// atomically, so it succeeds only when nobody took an ID since. A stale hint fails the test
// (422) and the read-and-swap rounds above take over; the hint is then brought up to date.
class JobIdAllocator {
 public:
  JobIdAllocator(kube::KubeClient& client, sys::Clock& clock, JobIdHint* hint = nullptr)
      : client_(client), clock_(clock), hint_(hint) {}

  kube::Result<long long> next(const std::string& namespace_name);

  int conflicts() const { return conflicts_; }
  // How often the hint was tried and found stale (0 or 1 per call of next()).
  int stale_hints() const { return stale_hints_; }

 private:
  // The hinted single-request path: the ID, nullopt when the hint was stale or absent.
  kube::Result<std::optional<long long>> take_hinted(const std::string& namespace_name);
  kube::Result<long long> take_by_swap(const std::string& namespace_name);

  kube::KubeClient& client_;
  sys::Clock& clock_;
  JobIdHint* hint_;
  int conflicts_ = 0;
  int stale_hints_ = 0;
};

}  // namespace k8sjobs::jobs
