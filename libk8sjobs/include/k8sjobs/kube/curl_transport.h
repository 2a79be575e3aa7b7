#pragma once
// The real transport: libcurl over TLS, connections kept alive and reused within the process
// (HTTP/2 when the server offers it). <curl/curl.h> stays inside curl_transport.cpp.

#include <chrono>
#include <memory>
#include <string>

#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/http.h"
#include "k8sjobs/kube/tls_session_store.h"

namespace k8sjobs::kube {

struct TransportOptions {
  std::string user_agent;  // default: k8sjobs/<version>
  std::chrono::milliseconds connect_timeout{10000};
  // Where TLS sessions are kept between processes; nullptr: every process does a full handshake.
  std::shared_ptr<TlsSessionStore> tls_sessions;
};

std::unique_ptr<HttpTransport> make_curl_transport(const ConnectionConfig& config,
                                                   std::unique_ptr<CredentialProvider> credentials,
                                                   TransportOptions options = {});

}  // namespace k8sjobs::kube
