#pragma once
// The embedded backend: jobs run as processes on this machine, no cluster. State lives in
// site.local.state_dir (see state_store.h and docs/local-backend.md); each job gets a small
// detached supervisor process (supervisor.h), so jsub returns at once and qstat, qdel, qhold
// and -sync y work from any later command.

#include <chrono>
#include <memory>

#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::local {

struct LocalBackendOptions {
  // qdel: SIGTERM at once, SIGKILL this long after (Kubernetes' grace period, in effect).
  std::chrono::milliseconds kill_grace{5000};
  // Finished jobs stay visible to qstat -s z this long, then list() deletes their records.
  std::chrono::seconds finished_retention{3600};
  // wait() looks at the record this often.
  std::chrono::milliseconds poll_interval{100};
};

// Options from the environment: K8SJOBS_LOCAL_KILL_GRACE_SECONDS and
// K8SJOBS_LOCAL_RETENTION_SECONDS (whole seconds) override the defaults above.
LocalBackendOptions local_backend_options(const sys::Environment& env);

std::unique_ptr<jobs::JobBackend> make_local_backend(const site::SiteConfig& site,
                                                     sys::Clock& clock,
                                                     const sys::Environment& env);
std::unique_ptr<jobs::JobBackend> make_local_backend(const site::SiteConfig& site,
                                                     sys::Clock& clock,
                                                     LocalBackendOptions options);

}  // namespace k8sjobs::local
