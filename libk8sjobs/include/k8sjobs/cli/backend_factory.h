#pragma once
// Picks the backend the site configuration names: the embedded local one (the default when
// there is no configuration) or Kubernetes.

#include <memory>
#include <string>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::cli {

Expected<std::unique_ptr<jobs::JobBackend>, jobs::BackendError> open_backend(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    const std::string& user);

}  // namespace k8sjobs::cli
