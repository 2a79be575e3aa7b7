// Injected faults and the request record.

#include <gtest/gtest.h>

#include <chrono>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

Fault fault(FaultKind kind, int count = 1) {
  Fault f{};
  f.kind = kind;
  f.count = count;
  return f;
}

TEST(TestApiServerFaults, TooManyRequestsThenNormalService) {
  ApiServerWorld w;
  auto alice = w.alice();
  Fault f = fault(FaultKind::TooManyRequests, 2);
  f.retry_after_seconds = 1;
  f.method = "GET";
  f.path_prefix = "/apis/batch";
  w.server.inject(f);
  EXPECT_EQ(alice.request("GET", "/version").status, 200);  // path does not match
  for (int i = 0; i < 2; ++i) {
    auto r = alice.request("GET", kJobs);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), "1");
    EXPECT_EQ(r.json()["message"], "Too many requests, please try again later.");
    EXPECT_EQ(r.json()["details"]["retryAfterSeconds"], 1);
  }
  EXPECT_EQ(alice.request("GET", kJobs).status, 200);
}

TEST(TestApiServerFaults, ServerErrorsAndSlowAnswers) {
  ApiServerWorld w;
  auto alice = w.alice();
  w.server.inject(fault(FaultKind::InternalError));
  auto r500 = alice.request("GET", kJobs);
  EXPECT_EQ(r500.status, 500);
  EXPECT_EQ(r500.json()["reason"], "InternalError");
  w.server.inject(fault(FaultKind::ServiceUnavailable));
  EXPECT_EQ(alice.request("GET", kJobs).json()["reason"], "ServiceUnavailable");
  Fault slow = fault(FaultKind::Slow);
  slow.delay = std::chrono::milliseconds(300);
  w.server.inject(slow);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(alice.request("GET", kJobs).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(290));
  // A refused write did not happen.
  Fault post_fail = fault(FaultKind::InternalError);
  post_fail.method = "POST";
  w.server.inject(post_fail);
  EXPECT_EQ(alice.post_json(kJobs, job_manifest("not-created")).status, 500);
  EXPECT_FALSE(w.server.get(std::string(kJobs) + "/not-created").has_value());
}

TEST(TestApiServerFaults, DroppedConnectionsGiveNoResponseAndMayHaveApplied) {
  ApiServerWorld w;
  auto alice = w.alice();
  w.server.inject(fault(FaultKind::DropConnection));
  auto dropped = alice.request("GET", kJobs);
  EXPECT_TRUE(dropped.transport_error);
  EXPECT_EQ(dropped.status, 0);
  Fault apply = fault(FaultKind::DropConnection);
  apply.method = "POST";
  apply.apply_then_fail = true;
  w.server.inject(apply);
  HttpsTestClient fresh(w.server.port(), w.server.ca_pem(), "alice-token");
  auto r = fresh.post_json(kJobs, job_manifest("maybe"));
  EXPECT_TRUE(r.transport_error);
  EXPECT_TRUE(w.server.get(std::string(kJobs) + "/maybe").has_value());  // it happened
  Fault apply500 = fault(FaultKind::InternalError);
  apply500.apply_then_fail = true;
  w.server.inject(apply500);
  EXPECT_EQ(fresh.post_json(kJobs, job_manifest("also")).status, 500);
  EXPECT_TRUE(w.server.get(std::string(kJobs) + "/also").has_value());
  EXPECT_EQ(fresh.request("GET", kJobs).status, 200);
}

TEST(TestApiServerFaults, RecordsEveryRequest) {
  ApiServerWorld w;
  auto alice = w.alice();
  alice.post_json(kJobs, job_manifest("rec"));
  alice.request("GET", std::string(kJobs) + "?labelSelector=app%3Dfx");
  HttpsTestClient bad(w.server.port(), w.server.ca_pem(), "wrong");
  bad.request("GET", kJobs);
  auto requests = w.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, kJobs);
  EXPECT_EQ(requests[0].user, "tools.alice");
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(json::parse(requests[0].body)["metadata"]["name"], "rec");
  EXPECT_EQ(requests[0].authorization, "Bearer alice-token");
  EXPECT_EQ(requests[0].user_agent, "k8sjobs-tests/1.0");
  EXPECT_EQ(requests[0].status, 201);
  EXPECT_EQ(requests[1].query, "labelSelector=app%3Dfx");
  EXPECT_EQ(requests[2].status, 401);
  EXPECT_EQ(requests[2].user, "");
  w.server.clear_requests();
  EXPECT_TRUE(w.server.requests().empty());
}

}  // namespace
}  // namespace k8sjobs::testing
