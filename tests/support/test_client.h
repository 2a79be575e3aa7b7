#pragma once
// A Kubernetes client of the library over real HTTPS to the test API server, as the
// integration tests build it: a token user's connection, the real curl transport.

#include <memory>
#include <string>
#include <vector>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::testing {

// The server's URL and CA, `token` as the bearer token, `namespace_name` as the context's.
kube::ConnectionConfig token_connection(const TestApiServer& server, const std::string& token,
                                        const std::string& namespace_name = "");

// Retries that keep a test quick: 10 ms first pause, 100 ms longest, 20 s in all.
kube::RetryPolicy fast_retry_policy();

// `clock` and `environment` must outlive the client.
std::unique_ptr<kube::KubeClient> client_over(const kube::ConnectionConfig& config,
                                              sys::Clock& clock,
                                              const sys::Environment& environment,
                                              kube::RetryPolicy policy = fast_retry_policy(),
                                              kube::TransportOptions options = {});

// The names of the Jobs in `namespace_name`, in the server's order, from one whole LIST (a test
// failure and what was read when the LIST fails): what a paged walk must have seen.
std::vector<std::string> listed_job_names(kube::KubeClient& client,
                                          const std::string& namespace_name);

}  // namespace k8sjobs::testing
