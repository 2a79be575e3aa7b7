// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tool most tests act as on the test API server: "alice" (user tools.alice), her namespace
// and the bearer token a test registers for her (TestApiServer::add_token_user).

#include <string>

namespace k8sjobs::testing {

inline constexpr const char* kAliceToken = "alice-secret-token-0123456789";
inline const std::string kAliceNamespace = "tool-alice";
// The path of the Jobs in her namespace on the test API server.
inline const std::string kAliceJobsPath = "/apis/batch/v1/namespaces/tool-alice/jobs";

}  // namespace k8sjobs::testing
