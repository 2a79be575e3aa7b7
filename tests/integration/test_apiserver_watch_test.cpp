// Watches: chunked streams of JSON lines, synthetic ADDED events, resuming from a
// resourceVersion, 410 ERROR events after compaction, timeouts and server shutdown.

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "apiserver/apiserver_test_helpers.h"
#include "support/build_paths.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

TEST(TestApiServerWatch, StreamsExistingObjectsThenChangesUntilTimeout) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("before", {{"suspend", true}})).status, 201);
  std::vector<json> events;
  std::promise<void> first_event;
  auto done = std::async(std::launch::async, [&] {
    HttpsTestClient watcher(w.server.port(), w.server.ca_pem(), "alice-token");
    auto start = std::chrono::steady_clock::now();
    auto r =
        watcher.stream(std::string(kJobs) + "?watch=1&timeoutSeconds=2", [&](const std::string& l) {
          events.push_back(json::parse(l));
          if (events.size() == 1) first_event.set_value();
          return true;
        });
    EXPECT_EQ(r.status, 200);
    return std::chrono::steady_clock::now() - start;
  });
  ASSERT_EQ(first_event.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("after", {{"suspend", true}})).status, 201);
  ASSERT_EQ(
      alice.request("DELETE", std::string(kJobs) + "/before?propagationPolicy=Background").status,
      200);
  auto elapsed = done.get();
  EXPECT_GE(elapsed, std::chrono::milliseconds(1900));
  EXPECT_LT(elapsed, std::chrono::milliseconds(10000));  // ended by timeoutSeconds, not hanging
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "before");
  EXPECT_EQ(events[0]["object"]["kind"], "Job");
  std::vector<std::string> seen;
  for (const auto& e : events) {
    seen.push_back(e["type"].get<std::string>() + " " +
                   e["object"]["metadata"]["name"].get<std::string>());
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), "ADDED after"), seen.end());
  EXPECT_EQ(seen.back(), "DELETED before");
  // Resource versions only grow along the stream.
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LT(std::stoll(events[i - 1]["object"]["metadata"]["resourceVersion"].get<std::string>()),
              std::stoll(events[i]["object"]["metadata"]["resourceVersion"].get<std::string>()));
  }
}

TEST(TestApiServerWatch, ResumesFromAResourceVersionWithSelectors) {
  ApiServerWorld w;
  auto alice = w.alice();
  std::string rv = w.server.resource_version();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("mine", {{"suspend", true}})).status, 201);
  json other = job_manifest("other", {{"suspend", true}});
  other["metadata"]["labels"] = {{"app", "else"}};
  ASSERT_EQ(alice.post_json(kJobs, other).status, 201);
  // Relabelling "mine" away from the selector is a DELETED event for this watcher.
  auto patched =
      alice.request("PATCH", std::string(kJobs) + "/mine",
                    R"({"metadata":{"labels":{"app":"gone"}}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  std::vector<std::string> seen;
  auto r =
      alice.stream(std::string(kJobs) + "?watch=true&labelSelector=app%3Dfx&resourceVersion=" + rv +
                       "&timeoutSeconds=1",
                   [&](const std::string& line) {
                     json e = json::parse(line);
                     seen.push_back(e["type"].get<std::string>() + " " +
                                    e["object"]["metadata"]["name"].get<std::string>());
                     return true;
                   });
  EXPECT_EQ(r.status, 200);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), "ADDED mine");
  EXPECT_EQ(seen.back(), "DELETED mine");
  for (const auto& s : seen) EXPECT_EQ(s.find("other"), std::string::npos);
}

TEST(TestApiServerWatch, TooOldResourceVersionIsAnErrorEventAfterCompaction) {
  ApiServerWorld w;
  auto alice = w.alice();
  std::string rv = w.server.resource_version();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("x", {{"suspend", true}})).status, 201);
  w.server.compact();
  std::vector<json> events;
  auto r = alice.stream(std::string(kJobs) + "?watch=1&resourceVersion=" + rv,
                        [&](const std::string& line) {
                          events.push_back(json::parse(line));
                          return true;
                        });
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(events.size(), 1u);
  std::ifstream in(std::string(K8SJOBS_TEST_DATA_DIR) +
                   "/k8s/responses/jobs-watch-too-old-410.jsonl");
  std::string recorded_line;
  std::getline(in, recorded_line);
  json recorded = json::parse(recorded_line);
  EXPECT_EQ(events[0]["type"], "ERROR");
  EXPECT_EQ(events[0]["object"]["reason"], recorded["object"]["reason"]);
  EXPECT_EQ(events[0]["object"]["code"], 410);
  EXPECT_EQ(events[0]["object"]["message"],
            "too old resource version: " + rv + " (" + w.server.resource_version() + ")");
  // The current resourceVersion is still fine.
  auto current = alice.request("GET", std::string(kJobs)).json()["metadata"]["resourceVersion"];
  int count = 0;
  alice.stream(std::string(kJobs) +
                   "?watch=1&timeoutSeconds=1&resourceVersion=" + current.get<std::string>(),
               [&](const std::string&) { return ++count, true; });
  EXPECT_EQ(count, 0);
}

TEST(TestApiServerWatch, BookmarksAndPodWatchesFollowTheSimulatedKubelet) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("run")).status, 201);
  std::string pod = w.server.pods_of_job("tool-alice", "run").at(0);
  std::vector<json> events;
  std::promise<void> first_event;
  auto done = std::async(std::launch::async, [&] {
    HttpsTestClient watcher(w.server.port(), w.server.ca_pem(), "alice-token");
    watcher.stream(std::string(kPods) +
                       "?watch=1&allowWatchBookmarks=true&timeoutSeconds=2&"
                       "labelSelector=job-name%3Drun",
                   [&](const std::string& l) {
                     events.push_back(json::parse(l));
                     if (events.size() == 1) first_event.set_value();
                     return true;
                   });
  });
  ASSERT_EQ(first_event.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  w.server.set_pod_running("tool-alice", pod);
  w.server.finish_pod("tool-alice", pod, 0);
  done.get();
  std::vector<std::string> phases;
  bool bookmark = false;
  for (const auto& e : events) {
    if (e["type"] == "BOOKMARK") {
      bookmark = true;
      EXPECT_FALSE(e["object"]["metadata"]["resourceVersion"].get<std::string>().empty());
      continue;
    }
    phases.push_back(e["object"]["status"]["phase"]);
  }
  EXPECT_TRUE(bookmark);
  ASSERT_GE(phases.size(), 3u);
  EXPECT_EQ(phases[0], "Pending");
  EXPECT_NE(std::find(phases.begin(), phases.end(), "Running"), phases.end());
  EXPECT_EQ(phases.back(), "Succeeded");
}

TEST(TestApiServerWatch, StoppingTheServerEndsOpenWatchesPromptly) {
  auto w = std::make_unique<ApiServerWorld>();
  auto done = std::async(std::launch::async, [&] {
    HttpsTestClient watcher(w->server.port(), w->server.ca_pem(), "alice-token");
    return watcher.stream(std::string(kJobs) + "?watch=1&timeoutSeconds=60",
                          [](const std::string&) { return true; });
  });
  // Stop only once the watch is open, or the test would time a server with nothing to end.
  ASSERT_TRUE(wait_until([&] { return w->server.watches_started(kJobs) == 1; }, kEventDeadline,
                         "the watch on jobs to start"));
  auto start = std::chrono::steady_clock::now();
  w.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace k8sjobs::testing
