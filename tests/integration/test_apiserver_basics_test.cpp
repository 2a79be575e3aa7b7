// The test API server over real HTTPS: authentication, authorization, create/get and the Status
// bodies, compared with responses recorded from kube-apiserver v1.32.

#include <gtest/gtest.h>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

TEST(TestApiServerBasics, ServesVersionAndDiscoveryOverVerifiedTls) {
  ApiServerWorld w;
  EXPECT_EQ(w.server.url(), "https://127.0.0.1:" + std::to_string(w.server.port()));
  HttpsTestClient anonymous(w.server.port(), w.server.ca_pem());
  auto version = anonymous.request("GET", "/version");
  ASSERT_FALSE(version.transport_error) << version.error;
  EXPECT_EQ(version.status, 200);
  EXPECT_EQ(version.json(), recorded_response("version.json"));
  auto alice = w.alice();
  EXPECT_EQ(alice.request("GET", "/apis/batch/v1").json(), recorded_response("apis-batch-v1.json"));
  EXPECT_EQ(alice.request("GET", "/apis").json()["kind"], "APIGroupList");
  // A client trusting another CA refuses the server.
  TestApiServer other;
  HttpsTestClient wrong_ca(w.server.port(), other.ca_pem(), "alice-token");
  EXPECT_TRUE(wrong_ca.request("GET", "/version").transport_error);
}

TEST(TestApiServerBasics, UnknownTokenAndNoCredentialsAre401WithTheRealBody) {
  ApiServerWorld w;
  HttpsTestClient bad(w.server.port(), w.server.ca_pem(), "bad-token");
  auto r = bad.request("GET", kJobs);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, recorded_text("unauthorized-bad-token-401.json"));  // byte for byte
  HttpsTestClient none(w.server.port(), w.server.ca_pem());
  EXPECT_EQ(none.request("GET", kJobs).status, 401);
  auto untrusted = w.server.untrusted_certificate("tools.bob");
  HttpsTestClient forged(w.server.port(), w.server.ca_pem(), "", untrusted);
  EXPECT_EQ(forged.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs").status, 401);
}

TEST(TestApiServerBasics, UsersAreConfinedToTheirNamespaces) {
  ApiServerWorld w;
  auto alice = w.alice();
  auto list = alice.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs");
  EXPECT_EQ(list.status, 403);
  EXPECT_EQ(list.json(), recorded_response("forbidden-alice-jobs-in-tool-bob-403.json"));
  auto create = alice.post_json("/apis/batch/v1/namespaces/tool-bob/jobs", job_manifest("x"));
  EXPECT_EQ(create.json(), recorded_response("forbidden-alice-create-in-tool-bob-403.json"));
  auto get = alice.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs/x");
  EXPECT_EQ(get.json()["message"],
            "jobs.batch \"x\" is forbidden: User \"tools.alice\" cannot get resource \"jobs\" in "
            "API group \"batch\" in the namespace \"tool-bob\"");
  auto del = alice.request("DELETE", "/api/v1/namespaces/tool-bob/pods/p");
  EXPECT_EQ(del.json()["message"],
            "pods \"p\" is forbidden: User \"tools.alice\" cannot delete resource \"pods\" in API "
            "group \"\" in the namespace \"tool-bob\"");
  auto watch = alice.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs?watch=1");
  EXPECT_NE(watch.json()["message"].get<std::string>().find("cannot watch resource"),
            std::string::npos);

  HttpsTestClient bob(w.server.port(), w.server.ca_pem(), "", w.bob_cert);
  EXPECT_EQ(bob.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs").status, 200);
  auto bob_forbidden = bob.request("GET", kJobs);
  EXPECT_EQ(bob_forbidden.status, 403);
  EXPECT_NE(bob_forbidden.body.find("User \\\"tools.bob\\\" cannot list"), std::string::npos);
  auto review =
      bob.post_json("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                    {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
  EXPECT_EQ(review.status, 201);
  expect_same_shape(review.json(), recorded_response("selfsubjectreview-bob-201.json"));
  EXPECT_EQ(review.json()["status"]["userInfo"]["groups"],
            json({"toolforge", "system:authenticated"}));
}

TEST(TestApiServerBasics, CreateFillsMetadataAndJobDefaultsLikeTheRealServer) {
  ApiServerWorld w;
  auto alice = w.alice();
  auto before = std::stoll(w.server.resource_version());
  json manifest = job_manifest("fx-job");
  manifest["metadata"]["labels"]["fx-run"] = "r1";
  manifest["spec"]["template"]["metadata"]["annotations"] = {{"sim/duration-seconds", "4"}};
  auto r = alice.post_json(kJobs, manifest);
  ASSERT_EQ(r.status, 201) << r.body;
  json job = r.json();
  expect_same_shape(job, recorded_response("job-create-201.json"));
  EXPECT_EQ(job["status"], json::object());
  EXPECT_GT(std::stoll(job["metadata"]["resourceVersion"].get<std::string>()), before);
  const std::string uid = job["metadata"]["uid"];
  EXPECT_EQ(uid.size(), 36u);
  EXPECT_EQ(uid[14], '4');
  EXPECT_EQ(job["metadata"]["generation"], 1);
  EXPECT_EQ(job["spec"]["completions"], 1);
  EXPECT_EQ(job["spec"]["parallelism"], 1);
  EXPECT_EQ(job["spec"]["backoffLimit"], 2);
  EXPECT_EQ(job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], uid);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["job-name"], "fx-job");
  EXPECT_EQ(job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");

  auto got = alice.request("GET", std::string(kJobs) + "/fx-job");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json()["metadata"]["uid"], uid);
  EXPECT_EQ(w.server.get(std::string(kJobs) + "/fx-job").value()["kind"], "Job");

  auto again = alice.post_json(kJobs, job_manifest("fx-job"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json(), recorded_response("job-create-conflict-409.json"));

  auto missing = alice.request("GET", std::string(kJobs) + "/does-not-exist");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json(), recorded_response("job-get-missing-404.json"));

  json generated = job_manifest("");
  generated["metadata"].erase("name");
  generated["metadata"]["generateName"] = "gen-";
  auto gen = alice.post_json(kJobs, generated);
  ASSERT_EQ(gen.status, 201);
  std::string name = gen.json()["metadata"]["name"];
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
}

TEST(TestApiServerBasics, InvalidAndMalformedBodiesGetTheRealStatus) {
  ApiServerWorld w;
  auto alice = w.alice();
  json bad = job_manifest("Bad_Name", {{"backoffLimit", -1}});
  bad["spec"]["template"]["spec"].erase("restartPolicy");
  bad["spec"]["template"]["spec"]["containers"][0].erase("image");
  auto r = alice.post_json(kJobs, bad);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json(), recorded_response("job-create-invalid-422.json"));

  json always = job_manifest("always");
  always["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  auto a = alice.post_json(kJobs, always);
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.json()["details"]["causes"][0]["message"],
            "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");

  std::string truncated = job_manifest("fx-job").dump();
  truncated.resize(60);
  auto m = alice.request("POST", kJobs, truncated);
  EXPECT_EQ(m.status, 400);
  EXPECT_EQ(m.json(), recorded_response("job-create-malformed-400.json"));
}

}  // namespace
}  // namespace k8sjobs::testing
