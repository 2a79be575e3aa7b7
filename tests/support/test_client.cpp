#include "support/test_client.h"

#include <gtest/gtest.h>

#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/resources.h"

namespace k8sjobs::testing {

kube::ConnectionConfig token_connection(const TestApiServer& server, const std::string& token,
                                        const std::string& namespace_name) {
  kube::ConnectionConfig config;
  config.server = server.url();
  config.certificate_authority_pem = server.ca_pem();
  config.auth.token = token;
  config.namespace_name = namespace_name;
  return config;
}

kube::RetryPolicy fast_retry_policy() {
  kube::RetryPolicy policy;
  policy.initial_backoff = std::chrono::milliseconds(10);
  policy.max_backoff = std::chrono::milliseconds(100);
  policy.deadline = std::chrono::milliseconds(20000);
  return policy;
}

std::unique_ptr<kube::KubeClient> client_over(const kube::ConnectionConfig& config,
                                              sys::Clock& clock,
                                              const sys::Environment& environment,
                                              kube::RetryPolicy policy,
                                              kube::TransportOptions options) {
  return std::make_unique<kube::KubeClient>(
      kube::make_curl_transport(config, kube::make_credential_provider(config, clock, environment),
                                std::move(options)),
      policy, clock);
}

std::vector<std::string> listed_job_names(kube::KubeClient& client,
                                          const std::string& namespace_name) {
  std::vector<std::string> names;
  auto listed = client.list_all(kube::resources::kJobs, namespace_name, {});
  EXPECT_TRUE(listed) << listed.error().describe();
  if (listed) {
    for (const auto& item : listed->items) names.push_back(item["metadata"]["name"]);
  }
  return names;
}

}  // namespace k8sjobs::testing
