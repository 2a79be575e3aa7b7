#pragma once
// Helpers for the test API server's own tests (header-only; GoogleTest builds only): manifests,
// recorded real responses, and a recursive "same shape" comparison.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "apiserver/https_test_client.h"
#include "apiserver/test_apiserver.h"
#include "support/build_paths.h"

namespace k8sjobs::testing {

inline std::string recorded_text(const std::string& file) {
  std::ifstream in(std::string(K8SJOBS_TEST_DATA_DIR) + "/k8s/responses/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json recorded_response(const std::string& file) {
  return nlohmann::json::parse(recorded_text(file));
}

inline nlohmann::json job_manifest(const std::string& name, nlohmann::json spec_extra = {}) {
  nlohmann::json job = {{"apiVersion", "batch/v1"},
                        {"kind", "Job"},
                        {"metadata", {{"name", name}, {"labels", {{"app", "fx"}}}}},
                        {"spec",
                         {{"backoffLimit", 2},
                          {"template",
                           {{"spec",
                             {{"restartPolicy", "Never"},
                              {"containers",
                               {{{"name", "main"},
                                 {"image", "busybox"},
                                 {"command", {"sh", "-c", "echo hello"}}}}}}}}}}}};
  if (spec_extra.is_object()) job["spec"].update(spec_extra);
  return job;
}

// Every key of `expected` (recursively, first array element only; managedFields ignored,
// labels/annotations only checked to be maps) exists
// in `actual` with the same JSON type.
inline void expect_same_shape(const nlohmann::json& actual, const nlohmann::json& expected,
                              const std::string& where = "") {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << where << " is not an object: " << actual.dump();
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      if (it.key() == "managedFields") continue;
      if ((it.key() == "labels" || it.key() == "annotations") && !actual.contains(it.key())) {
        continue;  // data, not shape
      }
      ASSERT_TRUE(actual.contains(it.key()))
          << where << "." << it.key() << " missing in " << actual.dump();
      if (it.key() == "labels" || it.key() == "annotations") {
        EXPECT_TRUE(actual[it.key()].is_object()) << where << "." << it.key();  // data, not shape
        continue;
      }
      expect_same_shape(actual[it.key()], it.value(), where + "." + it.key());
    }
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << where << " is not an array";
    if (!expected.empty() && !actual.empty()) {
      expect_same_shape(actual[0], expected[0], where + "[0]");
    }
  } else if (expected.is_number()) {
    EXPECT_TRUE(actual.is_number()) << where;
  } else {
    EXPECT_EQ(actual.type_name(), std::string(expected.type_name())) << where;
  }
}

// A server with alice (token, tool-alice) and bob (certificate, tool-bob), as in the recordings.
struct ApiServerWorld {
  TestApiServer server;
  ClientCertificate bob_cert;
  ApiServerWorld() {
    server.add_token_user("alice-token", "tools.alice", {"tool-alice"});
    bob_cert = server.add_certificate_user("tools.bob", "toolforge", {"tool-bob"});
  }
  HttpsTestClient alice() { return HttpsTestClient(server.port(), server.ca_pem(), "alice-token"); }
};

inline const char* kJobs = "/apis/batch/v1/namespaces/tool-alice/jobs";
inline const char* kPods = "/api/v1/namespaces/tool-alice/pods";

}  // namespace k8sjobs::testing
