// The client's decisions over a scripted transport: retries, credential refresh, the create
// token, pagination restarts and watch stream parsing. The same paths run over real HTTPS
// against the test API server in tests/integration/.
#include "k8sjobs/kube/client.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace k8sjobs::kube {
namespace {

using testing::FakeClock;
using testing::ScriptedTransport;

const char* kServiceUnavailable =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"unavailable","reason":"ServiceUnavailable","code":503})";

struct ClientFixture : ::testing::Test {
  ClientFixture() {
    auto owned = std::make_unique<ScriptedTransport>();
    transport = owned.get();
    RetryPolicy policy;
    policy.jitter = 0.0;
    client = std::make_unique<KubeClient>(std::move(owned), policy, clock);
  }
  FakeClock clock;
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<KubeClient> client;
};

TEST_F(ClientFixture, GetRetriesServerErrorsWithBackoff) {
  transport->answer(503, kServiceUnavailable);
  transport->fail(TransportFailure::ConnectionRefused, false);
  transport->answer(200, R"({"metadata":{"name":"x"}})");
  auto job = client->get(resources::kJobs, "tool-alice", "x");
  ASSERT_TRUE(job) << job.error().describe();
  EXPECT_EQ((*job)["metadata"]["name"], "x");
  EXPECT_EQ(clock.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(200),
                                                                  std::chrono::milliseconds(400)}));
  EXPECT_EQ(transport->requests[0].path, "/apis/batch/v1/namespaces/tool-alice/jobs/x");
}

TEST_F(ClientFixture, UnauthorizedRereadsCredentialsOnce) {
  transport->answer(
      401,
      R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  transport->answer(
      401,
      R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  auto job = client->get(resources::kJobs, "ns", "x");
  ASSERT_FALSE(job);
  EXPECT_TRUE(job.error().is(StatusReason::Unauthorized));
  EXPECT_EQ(transport->invalidations, 1);
  EXPECT_EQ(transport->requests.size(), 2u);
}

TEST_F(ClientFixture, CreateWithGenerateNameIsNotRepeatedAfterAnAmbiguousFailure) {
  transport->fail(TransportFailure::ConnectionLost, true);
  auto created =
      client->create(resources::kPods, "ns", json{{"metadata", {{"generateName", "p-"}}}});
  ASSERT_FALSE(created);
  EXPECT_EQ(transport->requests.size(), 1u);
  EXPECT_EQ(transport->requests[0].path, "/api/v1/namespaces/ns/pods");
}

const char* kAlreadyExists =
    R"({"kind":"Status","status":"Failure","reason":"AlreadyExists","code":409,"message":"jobs.batch \"x\" already exists"})";

TEST_F(ClientFixture, CreateRecognisesItsOwnObjectAfterALostAnswer) {
  transport->fail(TransportFailure::ConnectionLost, true);  // applied, but the answer was lost
  transport->answer(409, kAlreadyExists);
  transport->answer_with([](const std::vector<HttpRequest>& sent) {
    return HttpResponse{200, sent.front().body, {}};  // the object the first attempt stored
  });
  auto created = client->create(resources::kJobs, "ns", json{{"metadata", {{"name", "x"}}}});
  ASSERT_TRUE(created) << created.error().describe();
  ASSERT_EQ(transport->requests.size(), 3u);
  EXPECT_EQ(transport->requests[2].method, "GET");
  auto posted = json::parse(transport->requests[0].body);
  EXPECT_EQ(posted["metadata"]["annotations"][kCreateTokenAnnotation].get<std::string>().size(),
            20u);
  EXPECT_EQ(posted["kind"], "Job");
  EXPECT_EQ(posted["apiVersion"], "batch/v1");
}

TEST_F(ClientFixture, CreateDoesNotClaimSomebodyElsesObject) {
  transport->fail(TransportFailure::ConnectionLost, true);
  transport->answer(409, kAlreadyExists);
  transport->answer(
      200, R"({"metadata":{"name":"x","annotations":{"k8sjobs.io/create-token":"other"}}})");
  auto created = client->create(resources::kJobs, "ns", json{{"metadata", {{"name", "x"}}}});
  ASSERT_FALSE(created);
  EXPECT_TRUE(created.error().is(StatusReason::AlreadyExists));
}

TEST_F(ClientFixture, AnAlreadyExistsAnswerIsCheckedForOurOwnToken) {
  // libcurl resends a request itself when a kept-alive connection broke: even a first answer
  // may be AlreadyExists for our own object.
  transport->answer(409, kAlreadyExists);
  transport->answer_with([](const std::vector<HttpRequest>& sent) {
    return HttpResponse{200, sent.front().body, {}};
  });
  auto created = client->create(resources::kJobs, "ns", json{{"metadata", {{"name", "x"}}}});
  ASSERT_TRUE(created);
  EXPECT_EQ(transport->requests.size(), 2u);
}

TEST_F(ClientFixture, ListAllFollowsContinueAndRestartsWhenTheTokenExpires) {
  transport->answer(
      200,
      R"({"metadata":{"resourceVersion":"10","continue":"c1","remainingItemCount":2},"items":[{"metadata":{"name":"a"}}]})");
  transport->answer(
      410,
      R"({"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"The provided continue parameter is too old"})");
  transport->answer(
      200,
      R"({"metadata":{"resourceVersion":"12","continue":"c2"},"items":[{"metadata":{"name":"a"}}]})");
  transport->answer(
      200,
      R"({"metadata":{"resourceVersion":"12"},"items":[{"metadata":{"name":"b"}},{"metadata":{"name":"c"}}]})");
  ListOptions options;
  options.label_selector = "k8sjobs.io/job-id in (1,2)";
  options.limit = 1;
  auto all = client->list_all(resources::kJobs, "ns", options);
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[2]["metadata"]["name"], "c");
  EXPECT_EQ(all->resource_version, "12");
  EXPECT_EQ(client->stats().relists, 1);
  EXPECT_EQ(transport->requests[0].path,
            "/apis/batch/v1/namespaces/ns/"
            "jobs?labelSelector=k8sjobs.io%2Fjob-id%20in%20%281%2C2%29&limit=1");
  EXPECT_NE(transport->requests[1].path.find("continue=c1"), std::string::npos);
}

TEST_F(ClientFixture, ListPagesHandsOverEachPageWithOnlyTheFieldsAsked) {
  transport->answer(
      200, R"({"kind":"PodList","metadata":{"resourceVersion":"7","continue":"c1"},"items":[)"
           R"({"metadata":{"name":"a","labels":{"x":"1"},"managedFields":[{"manager":"m"}]},)"
           R"("spec":{"nodeName":"n1","containers":[{"name":"c","env":[{"name":"E"}]}]},)"
           R"("status":{"phase":"Running","spec":{"kept":true}}}]})");
  transport->answer(
      410,
      R"({"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"})");
  transport->answer(
      200,
      R"({"metadata":{"resourceVersion":"9","continue":"c2"},"items":[{"metadata":{"name":"a"}}]})");
  transport->answer(
      200, R"({"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"b"},"spec":{}}]})");
  ItemFields fields{{{"spec", {"nodeName"}}}};
  std::vector<std::pair<std::vector<json>, bool>> pages;
  auto listed = client->list_pages(
      resources::kPods, "ns", {},
      [&](ListPage& page, bool restarted) { pages.emplace_back(page.items, restarted); }, &fields);
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_EQ(*listed, "9");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].first.at(0),
            json::parse(R"({"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"nodeName":"n1"},)"
                        R"("status":{"phase":"Running","spec":{"kept":true}}})"));
  EXPECT_FALSE(pages[0].second);
  EXPECT_TRUE(pages[1].second);  // the first page again, after the token expired
  EXPECT_FALSE(pages[2].second);
  EXPECT_EQ(pages[2].first.at(0)["metadata"]["name"], "b");
  EXPECT_EQ(transport->requests[0].path, "/api/v1/namespaces/ns/pods?limit=500");
  EXPECT_NE(transport->requests[1].path.find("continue=c1"), std::string::npos);
}

TEST_F(ClientFixture, ListPagesRefusesABodyThatIsNotJson) {
  transport->answer(200, R"({"metadata":{},"items":[{"metadata":)");
  ItemFields fields{{{"spec", {"nodeName"}}}};
  int pages = 0;
  auto listed = client->list_pages(
      resources::kPods, "ns", {}, [&](ListPage&, bool) { ++pages; }, &fields);
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().describe().find("the body is not JSON"), std::string::npos)
      << listed.error().describe();
  EXPECT_EQ(pages, 0);
}

TEST_F(ClientFixture, ListPagesReadsWrongTypedListMetadataAsAbsent) {
  transport->answer(
      200, R"({"metadata":{"resourceVersion":7,"continue":["x"],"remainingItemCount":"3"},)"
           R"("items":[{"metadata":{"name":"a"}},5]})");
  std::vector<ListPage> pages;
  auto listed = client->list_pages(resources::kPods, "ns", {},
                                   [&](ListPage& page, bool) { pages.push_back(page); });
  ASSERT_TRUE(listed) << listed.error().describe();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].items.size(), 2u);
  EXPECT_EQ(pages[0].resource_version, "");
  EXPECT_EQ(pages[0].continue_token, "");
  EXPECT_FALSE(pages[0].remaining_item_count.has_value());
}

TEST_F(ClientFixture, DeleteSendsPropagationAndPreconditions) {
  transport->answer(200, R"({"kind":"Status","status":"Success"})");
  transport->answer(200, R"({"kind":"Status","status":"Success"})");
  ASSERT_TRUE(client->remove(resources::kJobs, "ns", "x"));
  DeleteOptions guarded;
  guarded.precondition_uid = "u-1";
  ASSERT_TRUE(client->remove(resources::kJobs, "ns", "x", guarded));
  EXPECT_EQ(transport->requests[0].path,
            "/apis/batch/v1/namespaces/ns/jobs/x?propagationPolicy=Background");
  auto body = json::parse(transport->requests[1].body);
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
}

TEST_F(ClientFixture, PatchUsesTheRightContentTypes) {
  transport->answer(200, "{}");
  transport->answer(200, "{}");
  ASSERT_TRUE(client->patch(resources::kJobs, "ns", "x", PatchType::Merge,
                            json{{"spec", {{"suspend", false}}}}));
  ASSERT_TRUE(client->patch(
      resources::kJobs, "ns", "x", PatchType::JsonPatch,
      json::array({{{"op", "replace"}, {"path", "/spec/suspend"}, {"value", true}}})));
  EXPECT_EQ(transport->requests[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(transport->requests[1].content_type, "application/json-patch+json");
}

TEST_F(ClientFixture, WatchSplitsEventsAcrossChunksAndReconnectsFromTheLastVersion) {
  transport->stream_answer(
      {R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"
       "\n"
       R"({"type":"MODIFIED","object":{"metadata":)",
       R"({"name":"a","resourceVersion":"6"}}})"
       "\n"});
  transport->stream_answer(
      {R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})"
       "\n"
       R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"10"}}})"
       "\n"});
  std::vector<std::string> seen;
  WatchOptions options;
  options.resource_version = "4";
  auto done = client->watch(resources::kJobs, "ns", options, [&](const WatchEvent& event) {
    seen.push_back(event.type + ":" + event.object["metadata"].value("resourceVersion", ""));
    return event.type == "DELETED" ? WatchControl::Stop : WatchControl::Continue;
  });
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED:5", "MODIFIED:6", "DELETED:10"}));
  ASSERT_EQ(transport->requests.size(), 2u);
  EXPECT_NE(transport->requests[0].path.find("watch=1&resourceVersion=4"), std::string::npos);
  EXPECT_NE(transport->requests[1].path.find("resourceVersion=6"), std::string::npos);
}

TEST_F(ClientFixture, WatchRelistsWhenTheVersionIsTooOld) {
  transport->stream_answer(
      {R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (402)","reason":"Expired","code":410}})json"
       "\n"});
  transport->answer(
      200,
      R"({"metadata":{"resourceVersion":"402"},"items":[{"metadata":{"name":"a","resourceVersion":"400"}}]})");
  std::vector<std::string> seen;
  WatchOptions options;
  options.resource_version = "1";
  auto done = client->watch(resources::kJobs, "ns", options, [&](const WatchEvent& event) {
    seen.push_back(event.type + ":" + event.object["metadata"].value("name", ""));
    return WatchControl::Stop;
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(seen, (std::vector<std::string>{"SYNC:a"}));
  EXPECT_EQ(client->stats().relists, 1);
}

// A stream line is untrusted input: lines that are not watch events are skipped, the stream
// goes on, nothing throws.
TEST_F(ClientFixture, WatchSkipsLinesThatAreNotEventsAndGoesOn) {
  transport->stream_answer(
      {"not json\n",
       R"({"type":5,"object":{}})"
       "\n",
       R"({"type":"ADDED","object":"a string"})"
       "\n",
       R"({"type":"ADDED"})"
       "\n",
       R"([1,2])"
       "\n",
       "{\"type\":\"ADDED\",\"object\":{\"x\":\"\xff\"}}\n",
       R"({"type":"ADDED","object":{"metadata":{"name":7,"resourceVersion":[]}}})"
       "\n",
       R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"
       "\n"});
  std::vector<std::string> seen;
  WatchOptions options;
  options.resource_version = "4";
  auto done = client->watch(resources::kJobs, "ns", options, [&](const WatchEvent& event) {
    seen.push_back(event.type + ":" + event.object.dump());
    return event.object["metadata"]["name"] == "a" ? WatchControl::Stop : WatchControl::Continue;
  });
  ASSERT_TRUE(done) << done.error().describe();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], R"(ADDED:{"metadata":{"name":"a","resourceVersion":"5"}})");
}

TEST_F(ClientFixture, WatchErrorEventWithABadCodeIsAServerErrorAndRetried) {
  transport->stream_answer({R"({"type":"ERROR","object":{"code":"gone","message":"odd"}})"
                            "\n"});
  transport->stream_answer(
      {R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"
       "\n"});
  WatchOptions options;
  options.resource_version = "4";
  std::vector<std::string> seen;
  auto done = client->watch(resources::kJobs, "ns", options, [&](const WatchEvent& event) {
    seen.push_back(event.type);
    return WatchControl::Stop;
  });
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(seen, std::vector<std::string>{"ADDED"});
  EXPECT_EQ(transport->requests.size(), 2u);
}

}  // namespace
}  // namespace k8sjobs::kube
