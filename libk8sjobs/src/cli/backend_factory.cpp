#include "k8sjobs/cli/backend_factory.h"

#include <pwd.h>
#include <unistd.h>

#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/local/local_backend.h"

namespace k8sjobs::cli {

std::string current_user(const sys::Environment& environment) {
  if (auto user = environment.get("K8SJOBS_USER")) return *user;  // tests and admin tools
  if (const passwd* entry = getpwuid(geteuid()); entry != nullptr && entry->pw_name != nullptr) {
    return entry->pw_name;
  }
  return environment.get_or("USER", "unknown");
}

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
