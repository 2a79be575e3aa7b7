// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which page a request gets: the HTTP server hands over method, path and query and sends back
// what this returns. Pure, so every URL is tested without a socket. Read-only: GET (and HEAD)
// only, anything else 405.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "k8sjobs/status/job_events.h"
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

// A job's recent Events, read from the cluster when its page is asked for (the one lookup that
// is not in the snapshot: Events are many and change often, and few job pages are opened).
using JobEventsLookup = std::function<JobEvents(const std::string& ns, const jobs::JobRecord& job)>;

// `snapshot` null: not ready yet (/readyz 503, pages 503). `ready`: the snapshot is fresh.
// `events` empty: job pages say the events were not looked up.
HttpReply route_status_request(const StatusRequest& request,
                               const std::shared_ptr<const StatusSnapshot>& snapshot, bool ready,
                               const MetricsRegistry& metrics, const JobEventsLookup& events = {});

}  // namespace k8sjobs::status
