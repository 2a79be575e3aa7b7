#include "k8sjobs/cli/backend_factory.h"

#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/local/local_backend.h"

namespace k8sjobs::cli {

Expected<std::unique_ptr<jobs::JobBackend>, jobs::BackendError> open_backend(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    const std::string& user) {
  switch (site.backend) {
    case site::Backend::Kubernetes:
      return jobs::make_kube_backend(site, environment, clock, user);
    case site::Backend::Local:
      break;
  }
  return local::make_local_backend(site, clock, environment);
}

}  // namespace k8sjobs::cli
