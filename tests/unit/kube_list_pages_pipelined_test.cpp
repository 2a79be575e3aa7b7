// SPDX-License-Identifier: Apache-2.0
// KubeClient::list_pages with ItemFields parses each page on a second thread (ListPageWorker)
// while the next one downloads. Over a scripted transport whose pages are large enough to be
// read as they arrive (above ListBodyReader::kWholeLimit): the pages still reach on_page in
// order, one at a time, and errors, an expired continue token, a page that is not JSON and an
// exception from on_page are decided as the walk without a worker decides them.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/list_body_parser.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace k8sjobs::kube {
namespace {

using testing::FakeClock;
using testing::ScriptedTransport;

const ItemFields kFields{{{"spec", {"nodeName"}}}};

// A page of `count` items named <prefix>-<i>, each with managedFields of `pad` bytes (dropped
// by the reader) and a spec of which only nodeName is kept; `broken_at`: that item is not JSON.
std::string page_body(const std::string& prefix, int count, const std::string& token,
                      int broken_at = -1, std::size_t pad = 8000) {
  std::string body = R"({"kind":"PodList","metadata":{"resourceVersion":"41")";
  if (!token.empty()) body += R"(,"continue":")" + token + "\"";
  body += R"(},"items":[)";
  const std::string padding(pad, 'x');
  for (int i = 0; i < count; ++i) {
    if (i > 0) body += ",";
    body += R"({"metadata":{"name":")" + prefix + "-" + std::to_string(i) +
            R"(","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"k:{\"x\":\")" + padding +
            R"(\"}":{}}}}]},"spec":{"nodeName":"n)" + std::to_string(i) +
            (i == broken_at ? R"(","dropped":tru})" : R"(","dropped":true})") + "}";
  }
  return body + "]}";
}

// Streamed as libcurl hands a body over: 16 KiB at a time.
std::vector<std::string> chunks_of(const std::string& body) {
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < body.size(); at += 16384) chunks.push_back(body.substr(at, 16384));
  return chunks;
}

struct PipelinedWalk : ::testing::Test {
  PipelinedWalk() {
    auto owned = std::make_unique<ScriptedTransport>();
    transport = owned.get();
    RetryPolicy policy;
    policy.jitter = 0.0;
    client = std::make_unique<KubeClient>(std::move(owned), policy, clock);
  }
  void stream(const std::string& body) { transport->stream_answer(chunks_of(body)); }

  // Every page handed over: its item names, and whether it was a restart.
  struct Seen {
    std::vector<std::string> names;
    bool restarted;
  };
  Result<std::string> walk(std::vector<Seen>& seen,
                           const std::function<void(std::size_t page)>& during = nullptr) {
    return client->list_pages(
        resources::kPods, "ns", {},
        [&](ListPage& page, bool restarted) {
          if (during) during(seen.size());
          Seen one{{}, restarted};
          for (const auto& item : page.items) {
            one.names.push_back(item["metadata"]["name"].get<std::string>());
            EXPECT_FALSE(item["metadata"].contains("managedFields"));
            EXPECT_FALSE(item["spec"].contains("dropped"));
          }
          seen.push_back(std::move(one));
        },
        &kFields);
  }

  FakeClock clock;
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<KubeClient> client;
};

std::vector<std::string> names(const std::string& prefix, int count) {
  std::vector<std::string> all;
  for (int i = 0; i < count; ++i) all.push_back(prefix + "-" + std::to_string(i));
  return all;
}

TEST_F(PipelinedWalk, PagesReachOnPageInOrderFromTheWorkerThread) {
  ASSERT_GT(page_body("a", 200, "c1").size(), detail::ListBodyReader::kWholeLimit);
  stream(page_body("a", 200, "c1"));
  stream(page_body("b", 200, "c2"));
  stream(page_body("c", 3, ""));  // a short last page, read whole
  std::vector<Seen> seen;
  std::vector<std::thread::id> threads;
  auto listed = walk(seen, [&](std::size_t) { threads.push_back(std::this_thread::get_id()); });
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_EQ(*listed, "41");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].names, names("a", 200));
  EXPECT_EQ(seen[1].names, names("b", 200));
  EXPECT_EQ(seen[2].names, names("c", 3));
  for (const auto& page : seen) EXPECT_FALSE(page.restarted);
  // Parsed beside the download: not on the calling thread.
  for (const auto& thread : threads) EXPECT_NE(thread, std::this_thread::get_id());
  ASSERT_EQ(transport->requests.size(), 3u);
  EXPECT_NE(transport->requests[1].path.find("continue=c1"), std::string::npos);
  EXPECT_NE(transport->requests[2].path.find("continue=c2"), std::string::npos);
}

TEST_F(PipelinedWalk, AnErrorMidWalkComesAfterThePagesBeforeIt) {
  stream(page_body("a", 200, "c1"));
  transport->answer(
      403,
      R"({"kind":"Status","status":"Failure","reason":"Forbidden","code":403,"message":"no"})");
  std::vector<Seen> seen;
  auto listed = walk(seen);
  ASSERT_FALSE(listed);
  EXPECT_TRUE(listed.error().is(StatusReason::Forbidden));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].names, names("a", 200));
}

TEST_F(PipelinedWalk, AnExpiredTokenStartsTheWalkOverAsBefore) {
  stream(page_body("a", 200, "c1"));
  transport->answer(
      410,
      R"({"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"})");
  stream(page_body("a2", 200, "c2"));
  stream(page_body("b", 200, ""));
  std::vector<Seen> seen;
  auto listed = walk(seen);
  ASSERT_TRUE(listed) << listed.error().describe();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen[0].restarted);
  EXPECT_TRUE(seen[1].restarted);  // drop what the earlier pages gave
  EXPECT_EQ(seen[1].names, names("a2", 200));
  EXPECT_FALSE(seen[2].restarted);
  EXPECT_EQ(seen[2].names, names("b", 200));
  EXPECT_EQ(client->stats().relists, 1);
}

// An item that is not JSON is only found by the worker, while the download has gone on: the
// walk goes back to that page, reads it whole (as for any body the reader cannot decide) and
// refuses it; nothing of it or after it was handed over.
TEST_F(PipelinedWalk, AHostilePageIsReadAgainWholeAndRefused) {
  const std::string broken = page_body("b", 200, "", 150);
  stream(page_body("a", 200, "c1"));
  stream(broken);
  transport->answer(200, broken);  // the page read again whole
  std::vector<Seen> seen;
  auto listed = walk(seen);
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().describe().find("the body is not JSON"), std::string::npos)
      << listed.error().describe();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].names, names("a", 200));
  EXPECT_EQ(transport->requests.size(), 3u);
}

TEST_F(PipelinedWalk, APageThatReadsWellTheSecondTimeIsHandedOverOnceAndTheWalkGoesOn) {
  stream(page_body("a", 200, "c1"));
  stream(page_body("b", 200, "", 10));
  transport->answer(200, page_body("b", 200, "c2"));  // read again whole: fine this time
  stream(page_body("c", 200, ""));
  std::vector<Seen> seen;
  auto listed = walk(seen);
  ASSERT_TRUE(listed) << listed.error().describe();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].names, names("a", 200));
  EXPECT_EQ(seen[1].names, names("b", 200));
  EXPECT_EQ(seen[2].names, names("c", 200));
  ASSERT_EQ(transport->requests.size(), 4u);
  EXPECT_EQ(transport->requests[1].path, transport->requests[2].path);
  EXPECT_NE(transport->requests[3].path.find("continue=c2"), std::string::npos);
}

TEST_F(PipelinedWalk, WhatOnPageThrowsReachesTheCaller) {
  stream(page_body("a", 200, "c1"));
  stream(page_body("b", 200, "c2"));
  stream(page_body("c", 200, ""));
  std::vector<Seen> seen;
  EXPECT_THROW(walk(seen,
                    [](std::size_t page) {
                      if (page == 1) throw std::runtime_error("full");
                    }),
               std::runtime_error);
  EXPECT_EQ(seen.size(), 1u);
}

}  // namespace
}  // namespace k8sjobs::kube
