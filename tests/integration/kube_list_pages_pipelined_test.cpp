// SPDX-License-Identifier: Apache-2.0
// The paged LIST qstat makes (KubeClient::list_pages with ItemFields) over real HTTPS against
// the test API server: the next page downloads while on_page still handles the one before
// (ListPageWorker), the items come in the order the server lists them, and a continue token
// that expires while pages are in flight starts the walk over as before.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "apiserver/apiserver_test_helpers.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/list_body_parser.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"
#include "support/test_client.h"
#include "support/wait.h"

namespace k8sjobs::kube {
namespace {

using nlohmann::json;

const ItemFields kSuspendField{{{"spec", {"suspend"}}}};

struct PipelinedList : ::testing::Test {
  // `count` Jobs of about 9 KB with managedFields: 250 a page is more than the reader keeps
  // whole, so every page but a short last one is read as it arrives.
  void create_jobs(int count) {
    for (int i = 0; i < count; ++i) {
      json job = testing::job_manifest("job-" + std::to_string(10000 + i));
      job["metadata"]["annotations"] = {{"k8sjobs.io/details", std::string(4000, 'x')}};
      w.server.create(testing::kJobs, job, "jsub");
    }
  }
  std::size_t continue_requests() {
    std::size_t count = 0;
    for (const auto& request : w.server.requests()) {
      if (request.path == testing::kJobs && request.query.find("continue=") != std::string::npos)
        ++count;
    }
    return count;
  }
  std::vector<std::string> listed_names() {
    return testing::listed_job_names(*client, "tool-alice");
  }

  testing::ApiServerWorld w;
  sys::SystemClock clock;
  sys::Environment environment = sys::Environment::from_process();
  std::unique_ptr<KubeClient> client = testing::client_over(
      testing::token_connection(w.server, "alice-token", "tool-alice"), clock, environment);
};

// Without the worker, the request for page 2 would only go out once on_page has returned
// for page 1, and this on_page would wait in vain.
TEST_F(PipelinedList, TheNextPageDownloadsWhileOnPageHandlesTheOneBefore) {
  create_jobs(700);
  ListOptions options;
  options.limit = 250;
  std::vector<std::string> names;
  bool overlapped = false;
  auto listed = client->list_pages(
      resources::kJobs, "tool-alice", options,
      [&](ListPage& page, bool restarted) {
        EXPECT_FALSE(restarted);
        if (names.empty()) {
          overlapped = static_cast<bool>(
              testing::wait_until([&] { return continue_requests() >= 1; }, testing::kEventDeadline,
                                  "the request for the second page"));
        }
        for (const auto& item : page.items) {
          EXPECT_FALSE(item["metadata"].contains("managedFields"));
          EXPECT_FALSE(item["spec"].contains("template"));
          names.push_back(item["metadata"]["name"]);
        }
      },
      &kSuspendField);
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_TRUE(overlapped);
  EXPECT_EQ(continue_requests(), 2u);
  ASSERT_EQ(names.size(), 700u);
  EXPECT_EQ(names, listed_names());  // the server's order, each once
}

// The token of a page already requested expires (compaction) while the first page is still
// being handed over: a later request answers 410, and the walk starts over from the first
// page, whose on_page is told so; the items are then the list as it is after the change.
TEST_F(PipelinedList, AContinueTokenThatExpiresMidWalkStartsItOver) {
  create_jobs(1000);
  ListOptions options;
  options.limit = 250;
  std::vector<std::string> names;
  int restarts = 0;
  bool compacted = false;
  auto listed = client->list_pages(
      resources::kJobs, "tool-alice", options,
      [&](ListPage& page, bool restarted) {
        if (restarted) {
          ++restarts;
          names.clear();
        }
        if (!compacted) {
          // The download is at most ListPageWorker::kQueuedBytes ahead: within page 2 or 3.
          ASSERT_TRUE(testing::wait_until([&] { return continue_requests() >= 1; },
                                          testing::kEventDeadline, "the second page"));
          w.server.create(testing::kJobs, testing::job_manifest("job-later"), "jsub");
          w.server.compact();
          compacted = true;
        }
        for (const auto& item : page.items) names.push_back(item["metadata"]["name"]);
      },
      &kSuspendField);
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_EQ(restarts, 1);
  EXPECT_EQ(client->stats().relists, 1);
  ASSERT_EQ(names.size(), 1001u);
  EXPECT_EQ(names, listed_names());
}

}  // namespace
}  // namespace k8sjobs::kube
