// SPDX-License-Identifier: Apache-2.0
// KubeClient::list_pages_side_by_side (what qstat lists its Jobs and Pods with) over real HTTPS
// against the test API server: the lanes' requests are in flight at the same time on libcurl's
// transport, one at a time on a transport that cannot take that, a lane stops at its first
// failure while the others finish, and what an on_page throws is thrown once all have ended.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "apiserver/apiserver_test_helpers.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"
#include "support/test_client.h"
#include "support/wait.h"

namespace k8sjobs::kube {
namespace {

using nlohmann::json;

// libcurl's transport, counting the requests in flight at once; `concurrent` is what it says
// of itself.
class CountingTransport final : public HttpTransport {
 public:
  CountingTransport(std::unique_ptr<HttpTransport> inner, bool concurrent)
      : inner_(std::move(inner)), concurrent_(concurrent) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    Flight flight(*this);
    return inner_->send(request);
  }
  Result<HttpResponse> stream(const HttpRequest& request,
                              const std::function<bool(std::string_view)>& on_data) override {
    Flight flight(*this);
    return inner_->stream(request, on_data);
  }
  void invalidate_credentials() override { inner_->invalidate_credentials(); }
  bool takes_concurrent_requests() const override { return concurrent_; }
  int most_in_flight() const { return most_; }

 private:
  struct Flight {
    explicit Flight(CountingTransport& t) : transport(t) {
      int now = ++transport.in_flight_;
      int most = transport.most_.load();
      while (now > most && !transport.most_.compare_exchange_weak(most, now)) {
      }
    }
    ~Flight() { --transport.in_flight_; }
    CountingTransport& transport;
  };
  std::unique_ptr<HttpTransport> inner_;
  bool concurrent_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> most_{0};
};

struct SideBySide : ::testing::Test {
  void create_jobs(int count) {
    for (int i = 0; i < count; ++i) {
      json job = testing::job_manifest("job-" + std::to_string(10000 + i));
      job["metadata"]["annotations"] = {{"k8sjobs.io/details", std::string(4000, 'x')}};
      w.server.create(testing::kJobs, job, "jsub");
    }
  }
  std::unique_ptr<KubeClient> client(bool concurrent) {
    auto config = testing::token_connection(w.server, "alice-token", "tool-alice");
    auto transport = std::make_unique<CountingTransport>(
        make_curl_transport(config, make_credential_provider(config, clock, environment)),
        concurrent);
    counting = transport.get();
    return std::make_unique<KubeClient>(std::move(transport), testing::fast_retry_policy(), clock);
  }
  // A walk of the Jobs, 250 a page, whose names go to `names`.
  KubeClient::ListWalk jobs_walk(std::vector<std::string>& names,
                                 std::function<void()> first_page = nullptr) {
    KubeClient::ListWalk walk;
    walk.kind = &resources::kJobs;
    walk.options.limit = 250;
    walk.fields = ItemFields{{{"spec", {"suspend"}}}};
    walk.on_page = [&names, first_page](ListPage& page, bool) {
      if (names.empty() && first_page) first_page();
      for (const auto& item : page.items) names.push_back(item["metadata"]["name"]);
    };
    return walk;
  }
  std::vector<std::string> all_names() {
    return testing::listed_job_names(*client(false), "tool-alice");
  }

  testing::ApiServerWorld w;
  sys::SystemClock clock;
  sys::Environment environment = sys::Environment::from_process();
  CountingTransport* counting = nullptr;
};

// The first lane's first on_page waits for the second lane's first page: one after the other,
// it would wait in vain.
TEST_F(SideBySide, TheLanesRequestsAreInFlightAtTheSameTime) {
  create_jobs(600);
  const auto expected = all_names();
  auto lister = client(true);
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::atomic<bool> second_started{false};
  bool waited = false;
  auto walk = jobs_walk(first, [&] {
    waited = static_cast<bool>(testing::wait_until(
        [&] { return second_started.load(); }, testing::kEventDeadline, "the second lane's page"));
  });
  auto other = jobs_walk(second, [&] { second_started = true; });
  auto answers = lister->list_pages_side_by_side("tool-alice", {{walk}, {other}});
  ASSERT_EQ(answers.size(), 2u);
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer) << answer.error().describe();
    EXPECT_FALSE(answer->empty());  // the list's resourceVersion
  }
  EXPECT_TRUE(waited);
  EXPECT_GE(counting->most_in_flight(), 2);
  EXPECT_EQ(first, expected);
  EXPECT_EQ(second, expected);
  EXPECT_GE(lister->stats().requests, 6);  // both lanes' pages are counted
}

TEST_F(SideBySide, ATransportThatTakesOneRequestAtATimeGetsTheLanesInTurn) {
  create_jobs(600);
  const auto expected = all_names();
  auto lister = client(false);
  std::vector<std::string> first;
  std::vector<std::string> second;
  auto answers =
      lister->list_pages_side_by_side("tool-alice", {{jobs_walk(first)}, {jobs_walk(second)}});
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_TRUE(answers[0] && answers[1]);
  EXPECT_EQ(counting->most_in_flight(), 1);
  EXPECT_EQ(first, expected);
  EXPECT_EQ(second, expected);
}

// A walk the server refuses (a selector it cannot parse): the rest of its lane is not walked
// and answers the same failure; the other lane is whole.
TEST_F(SideBySide, ALaneStopsAtItsFirstFailureWhileTheOthersFinish) {
  create_jobs(300);
  const auto expected = all_names();
  auto lister = client(true);
  std::vector<std::string> refused;
  std::vector<std::string> after;
  std::vector<std::string> other;
  auto bad = jobs_walk(refused);
  bad.options.label_selector = "app in (";
  auto answers =
      lister->list_pages_side_by_side("tool-alice", {{bad, jobs_walk(after)}, {jobs_walk(other)}});
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_FALSE(answers[0]);
  EXPECT_TRUE(answers[0].error().is(StatusReason::BadRequest)) << answers[0].error().describe();
  ASSERT_FALSE(answers[1]);
  EXPECT_EQ(answers[1].error().describe(), answers[0].error().describe());
  EXPECT_TRUE(after.empty());
  ASSERT_TRUE(answers[2]) << answers[2].error().describe();
  EXPECT_EQ(other, expected);
}

TEST_F(SideBySide, WhatAnOnPageThrowsIsThrownOnceEveryLaneHasEnded) {
  create_jobs(600);
  const auto expected = all_names();
  auto lister = client(true);
  std::vector<std::string> first;
  std::vector<std::string> ignored;
  auto throwing = jobs_walk(ignored);
  throwing.on_page = [](ListPage&, bool) { throw std::runtime_error("collector full"); };
  try {
    lister->list_pages_side_by_side("tool-alice", {{jobs_walk(first)}, {throwing}});
    ADD_FAILURE() << "nothing was thrown";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "collector full");
  }
  EXPECT_EQ(first, expected);  // the other lane had ended, whole
}

}  // namespace
}  // namespace k8sjobs::kube
