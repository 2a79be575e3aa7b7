// SPDX-License-Identifier: Apache-2.0
#pragma once
// k8sjobs-controller's read-only HTTP server (--listen): the status pages, /api/v1, /metrics,
// /healthz and /readyz (status/status_routes.h decides what each URL gets). It runs in threads
// of its own; the reconcile loop never waits for it.

#include <functional>
#include <memory>
#include <string>

#include "k8sjobs/expected.h"
#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/status/status_routes.h"
#include "k8sjobs/status/status_snapshot.h"

namespace k8sjobs::controller {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "127.0.0.1", "::"...
  int port = 0;
};
// "HOST:PORT" ("[::]:8080" for IPv6); port 0 picks a free one.
Expected<ListenAddress, std::string> parse_listen_address(const std::string& text);

class StatusServer {
 public:
  // `ready` answers /readyz (is the snapshot fresh?); all three outlive the server. `events`
  // reads a job's Events for its page (none: the page says they were not looked up).
  StatusServer(const status::StatusBoard& board, const status::MetricsRegistry& metrics,
               std::function<bool()> ready, status::JobEventsLookup events = {});
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds and starts serving in a thread. Returns the port bound, or why not.
  Expected<int, std::string> start(const ListenAddress& address);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace k8sjobs::controller
