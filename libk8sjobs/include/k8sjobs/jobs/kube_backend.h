#pragma once
// The Kubernetes implementation of JobBackend.

#include <memory>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/jobs/job_id_block.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::jobs {

// Connects as the site config and environment say (kubeconfig, context, in-cluster) and acts
// in the namespace of `user` (site namespace rule). Nothing is sent until the first call.
// Job IDs come from this host's block of IDs, kept in a file (see jobs/job_id_block.h).
Expected<std::unique_ptr<JobBackend>, BackendError> make_kube_backend(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    const std::string& user);

// For tests and tools that already hold a client; `job_id_blocks` may be null.
std::unique_ptr<JobBackend> make_kube_backend(
    std::unique_ptr<kube::KubeClient> client, const site::SiteConfig& site, sys::Clock& clock,
    const std::string& namespace_name, std::unique_ptr<JobIdBlockStore> job_id_blocks = nullptr);

// A connected client for the site (used by the backend and by k8sjobs-migrate apply).
Expected<std::unique_ptr<kube::KubeClient>, BackendError> connect_to_cluster(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    std::string* namespace_from_context = nullptr, std::string* server = nullptr);

}  // namespace k8sjobs::jobs
