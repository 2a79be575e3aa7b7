// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which page a request gets: the HTTP server hands over method, path and query and sends back
// what this returns. Pure, so every URL is tested without a socket. Read-only: GET (and HEAD)
// only, anything else 405.

#include <map>
#include <memory>
#include <string>

#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/status/status_snapshot.h"

namespace k8sjobs::status {

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

struct StatusRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
};

// `snapshot` null: not ready yet (/readyz 503, pages 503). `ready`: the snapshot is fresh.
HttpReply route_status_request(const StatusRequest& request,
                               const std::shared_ptr<const StatusSnapshot>& snapshot, bool ready,
                               const MetricsRegistry& metrics);

}  // namespace k8sjobs::status
