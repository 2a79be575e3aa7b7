// SPDX-License-Identifier: Apache-2.0
// ListBodyReader (k8sjobs/kube/list_body_parser.h), the LIST body read as it arrives: for any
// text, cut anywhere, it answers what parse_list_body answers for the whole text, or asks for
// the page to be read whole; never anything else. Then the client's paged LIST over real HTTPS
// against the test API server, whose pages of real-sized objects are read that way.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "apiserver/apiserver_test_helpers.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/list_body_parser.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"
#include "support/test_client.h"

namespace k8sjobs::kube {
namespace {

using detail::ListBodyReader;
using nlohmann::json;

const ItemFields kNodeNameAndSuspendFields{{{"spec", {"nodeName", "suspend"}}}};

std::optional<json> whole(std::string text) {
  return detail::parse_list_body(text, kNodeNameAndSuspendFields);
}

// Feeds `text` in chunks of `chunk` bytes to a reader that streams from the first byte and
// cuts a batch at every chance (batch_bytes 1), or keeps `whole_limit` bytes first.
std::optional<json> streamed(const std::string& text, size_t chunk, bool& read_whole,
                             size_t whole_limit = 0, size_t batch_bytes = 1) {
  ListBodyReader reader(kNodeNameAndSuspendFields, whole_limit, batch_bytes);
  reader.start();
  for (size_t at = 0; at < text.size(); at += chunk)
    reader.feed(std::string_view(text).substr(at, chunk));
  return reader.finish(read_whole);
}

// The reader agrees with the whole-text reader, or defers to it.
void expect_agrees(const std::string& text, const std::string& what) {
  const auto expected = whole(text);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, text.size() + 1}) {
    for (size_t batch : {size_t{1}, size_t{16}, size_t{1} << 20}) {
      bool read_whole = false;
      auto got = streamed(text, chunk, read_whole, 0, batch);
      if (read_whole) {
        EXPECT_FALSE(got.has_value()) << what;
        continue;
      }
      ASSERT_EQ(got.has_value(), expected.has_value())
          << what << " (chunk " << chunk << ", batch " << batch << "): " << text;
      if (got) {
        EXPECT_EQ(*got, *expected) << what << " (chunk " << chunk << ")";
      }
    }
  }
}

TEST(ListBodyReader, ValidListsReadAsTheWholeTextReaderReadsThem) {
  const std::vector<std::string> bodies = {
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"c1"},)"
      R"("items":[{"metadata":{"name":"a","labels":{"x":"1"},"managedFields":[{"manager":"m",)"
      R"("fieldsV1":{"f:spec":{"k:{\"name\":\"c\"}":{}}}}]},"spec":{"nodeName":"n1",)"
      R"("containers":[{"name":"c"}]},"status":{"phase":"Running"}},{"metadata":{"name":"b"}}]})",
      R"({"items":[]})",
      R"(  {  "items" : [ ] , "metadata" : { } }  )",
      "{\n  \"items\": [\n    {\n      \"metadata\": {\"name\": \"a\"}\n    },\n    {}\n  ]\n}\n",
      R"({"items":[1,"two",null,true,[3,[4]],{"a":{"b":[]}}],"metadata":{"continue":"x"}})",
      R"({"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"q\"uo]te{s\\"},)"
      R"("spec":{"nodeName":"\u00e9\"}\\","x":"]"}}]})",
      R"({"\u0069tems":[{"metadata":{"name":"escaped key"}}]})",
      R"({"items":[{"metadata":{"name":"first"}}],"items":[{"metadata":{"name":"second"}}]})",
      R"({"items":[{"metadata":{"name":"first"}}],"items":{"not":"a list"}})",
      R"({"items":"none","other":[1,2]})",
      R"({"items":[{"n":123456789012345678901234567890}]})",  // beyond 64 bits
      R"({"items":[{"metadata":{"name":"x"}}],"metadata":{"remainingItemCount":3}})",
      R"({"kind":"List","items":[{"items":[{"deeper":1}]}]})",
      R"({})",
  };
  for (const auto& body : bodies) {
    ASSERT_TRUE(whole(body).has_value()) << body;
    expect_agrees(body, "valid");
  }
}

TEST(ListBodyReader, InvalidOrCutTextsAreNeverReadAsSomethingElse) {
  const std::vector<std::string> bodies = {
      R"({"items":[1,]})",
      R"({"items":[,1]})",
      R"({"items":[1,,2]})",
      R"({"items":[1 2]})",
      R"({"items":[1}})",
      R"({"items":[{"a":1]]})",
      R"({"items":[1]]})",
      R"({"items":[1]} x)",
      R"({"items":[1]}{})",
      R"([{"items":[]}])",
      R"("items")",
      R"({"items":["unterminated]})",
      std::string("{\"items\":[\"a\0b\"]}", 17),
      std::string("{\"items\":[],\"k\":\"\0\"}", 20),
      R"({"items":[{"a":"\x"}]})",
      "{\"items\":[\"\xff\"]}",
      R"({"items":[{"a":1}],})",
      R"({"items" [1]})",
  };
  for (const auto& body : bodies) expect_agrees(body, "invalid");
  // Every cut of a valid body: a connection that dropped.
  const std::string body =
      R"({"metadata":{"continue":"c"},"items":[{"metadata":{"name":"a\"b"},"spec":{"x":[1,{}]}},)"
      R"({"metadata":{"name":"b"}}]})";
  for (size_t length = 0; length < body.size(); ++length) {
    bool read_whole = false;
    auto got = streamed(body.substr(0, length), 5, read_whole);
    EXPECT_TRUE(read_whole || !got.has_value()) << length;
    EXPECT_FALSE(got.has_value()) << length;
  }
}

TEST(ListBodyReader, MutatedListsAreNeverReadAsSomethingElse) {
  const std::string body =
      R"({"kind":"JobList","metadata":{"resourceVersion":"5","continue":"t"},"items":[)"
      R"({"metadata":{"name":"a","managedFields":[{"f:spec":{"k:{\"name\":\"m\"}":{}}}]},)"
      R"("spec":{"suspend":false,"template":{"x":[1,2,{"y":"z\\"}]}},"status":{}},)"
      R"({"metadata":{"name":"b\"]}"},"spec":{"nodeName":"n"}},[],"s",7,null],"items2":{"a":[]}})";
  ASSERT_TRUE(whole(body).has_value());
  const std::string alphabet = "{}[],:\"\\ a1";
  std::mt19937 random(20261203);
  for (int round = 0; round < 3000; ++round) {
    std::string text = body;
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      size_t at = random() % text.size();
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          text[at] = c;
      }
    }
    const auto expected = whole(text);
    for (size_t chunk : {size_t{1}, size_t{5}, text.size()}) {
      bool read_whole = false;
      auto got = streamed(text, chunk, read_whole);
      if (read_whole || !got) {
        EXPECT_FALSE(got.has_value());
        if (!read_whole) {
          EXPECT_FALSE(expected.has_value()) << text;
        }
        continue;
      }
      ASSERT_TRUE(expected.has_value()) << text;
      EXPECT_EQ(*got, *expected) << text;
    }
  }
}

TEST(ListBodyReader, ShortBodiesAreReadWholeAndAReaderStartsOver) {
  const std::string body = R"({"items":[{"metadata":{"name":"a"}}]})";
  ListBodyReader reader(kNodeNameAndSuspendFields);  // 1 MiB kept whole
  reader.start();
  reader.feed(R"({"items":[{"garbage)");
  reader.start();  // a retry
  reader.feed(body);
  bool read_whole = true;
  auto got = reader.finish(read_whole);
  EXPECT_FALSE(read_whole);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, *whole(body));
  // Cut short, a short body is decided as the whole-text reader decides it.
  reader.start();
  reader.feed(R"({"items":[{"metadata":)");
  got = reader.finish(read_whole);
  EXPECT_FALSE(read_whole);
  EXPECT_FALSE(got.has_value());
}

// The paged LIST qstat makes, over HTTPS: pages of 500 real-sized Jobs (several MB each) are
// read as they arrive; the items are those the whole-text reader makes of the same pages.
TEST(ListBodyReader, ClientPagesOfRealSizedObjectsMatchTheWholeTextReader) {
  testing::ApiServerWorld w;
  for (int i = 0; i < 620; ++i) {
    json job = testing::job_manifest("job-" + std::to_string(1000 + i));
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(1000 + i);
    job["metadata"]["annotations"] = {{"k8sjobs.io/details", std::string(600, 'x')}};
    w.server.create(testing::kJobs, job, "jsub");
  }
  sys::SystemClock clock;
  auto environment = sys::Environment::from_process();
  auto client = testing::client_over(
      testing::token_connection(w.server, "alice-token", "tool-alice"), clock, environment);
  ListOptions options;
  options.label_selector = "app=fx";
  options.limit = 500;
  std::vector<json> streamed_items;
  auto listed = client->list_pages(
      resources::kJobs, "tool-alice", options,
      [&](ListPage& page, bool) {
        for (auto& item : page.items) streamed_items.push_back(std::move(item));
      },
      &kNodeNameAndSuspendFields);
  ASSERT_TRUE(listed) << listed.error().describe();
  // The same pages, fetched whole and read whole.
  auto alice = w.alice();
  std::vector<json> whole_items;
  std::string path = std::string(testing::kJobs) + "?labelSelector=app%3Dfx&limit=500";
  size_t largest = 0;
  for (;;) {
    auto page = alice.request("GET", path);
    ASSERT_EQ(page.status, 200);
    largest = std::max(largest, page.body.size());
    auto list = whole(page.body);
    ASSERT_TRUE(list.has_value());
    for (auto& item : (*list)["items"]) whole_items.push_back(item);
    std::string token = (*list)["metadata"].value("continue", "");
    if (token.empty()) break;
    path = std::string(testing::kJobs) + "?labelSelector=app%3Dfx&limit=500&continue=" + token;
  }
  EXPECT_GT(largest, ListBodyReader::kWholeLimit) << "pages this small are read whole";
  ASSERT_EQ(streamed_items.size(), 620u);
  EXPECT_EQ(streamed_items, whole_items);
  EXPECT_FALSE(streamed_items[0]["metadata"].contains("managedFields"));
  EXPECT_FALSE(streamed_items[0]["spec"].contains("template"));
}

}  // namespace
}  // namespace k8sjobs::kube
