// Job IDs against the test API server over HTTPS: the read-and-swap counter, and the hinted
// single-request path with fresh, stale, ahead-of-counter and missing hints, alone and racing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/jobs/job_id_allocator.h"
#include "k8sjobs/jobs/job_id_hint.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/kube/resources.h"
#include "support/temp_dir.h"
#include "support/test_client.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

constexpr const char* kToken = "alice-secret-token-0123456789";
const std::string kNs = "tool-alice";
const std::string kCounterPath = "/api/v1/namespaces/tool-alice/configmaps/k8sjobs-job-ids";

// What one user's hint file would hold, kept in memory.
class MemoryHint final : public JobIdHint {
 public:
  std::optional<long long> load() override { return value; }
  void store(long long next) override { value = next; }
  std::optional<long long> value;
};

struct JobIds : ::testing::Test {
  JobIds() { server.add_token_user(kToken, "tools.alice", {kNs}); }

  std::unique_ptr<kube::KubeClient> client() {
    return testing::client_over(testing::token_connection(server, kToken, kNs), clock, environment);
  }

  long long take(JobIdHint* hint) {
    auto connection = client();
    JobIdAllocator allocator(*connection, clock, hint);
    auto id = allocator.next(kNs);
    EXPECT_TRUE(id) << id.error().describe();
    last_stale_hints = allocator.stale_hints();
    return id ? *id : -1;
  }

  std::string counter_value() const {
    auto counter = server.get(kCounterPath);
    return counter ? (*counter)["data"].value("next", "") : "";
  }

  // Requests to the counter since the last clear, as "METHOD" words in order.
  std::vector<std::string> counter_requests() const {
    std::vector<std::string> methods;
    for (const auto& request : server.requests()) {
      if (request.path == kCounterPath || request.path + "/" == kCounterPath)
        methods.push_back(request.method);
    }
    return methods;
  }

  testing::TestApiServer server;
  sys::SystemClock clock;
  sys::Environment environment;
  int last_stale_hints = 0;
};

TEST_F(JobIds, WithoutAHintTheCounterIsReadAndSwapped) {
  EXPECT_EQ(take(nullptr), 1);  // creates the counter
  server.clear_requests();
  EXPECT_EQ(take(nullptr), 2);
  EXPECT_EQ(counter_requests(), (std::vector<std::string>{"GET", "PATCH"}));
  EXPECT_EQ(counter_value(), "3");
}

TEST_F(JobIds, AFreshHintTakesTheIdWithOneRequest) {
  MemoryHint hint;
  EXPECT_EQ(take(&hint), 1);
  EXPECT_EQ(hint.value, 2);
  for (long long expected = 2; expected <= 4; ++expected) {
    server.clear_requests();
    EXPECT_EQ(take(&hint), expected);
    EXPECT_EQ(counter_requests(), (std::vector<std::string>{"PATCH"}));
    EXPECT_EQ(last_stale_hints, 0);
    EXPECT_EQ(hint.value, expected + 1);
  }
  EXPECT_EQ(counter_value(), "5");
}

TEST_F(JobIds, AStaleHintCostsOneRequestAndNeverADuplicate) {
  MemoryHint host_a;
  MemoryHint host_b;
  EXPECT_EQ(take(&host_a), 1);
  EXPECT_EQ(take(&host_b), 2);  // host b had no hint: read and swap
  server.clear_requests();
  EXPECT_EQ(take(&host_a), 3);  // host a's hint says 2, the counter says 3
  EXPECT_EQ(last_stale_hints, 1);
  EXPECT_EQ(counter_requests(), (std::vector<std::string>{"PATCH", "GET", "PATCH"}));
  EXPECT_EQ(host_a.value, 4);  // brought up to date
  server.clear_requests();
  EXPECT_EQ(take(&host_a), 4);
  EXPECT_EQ(counter_requests(), (std::vector<std::string>{"PATCH"}));
  EXPECT_EQ(take(&host_b), 5);
  EXPECT_EQ(last_stale_hints, 1);
}

TEST_F(JobIds, AHintAheadOfTheCounterIsNotBelievedEither) {
  EXPECT_EQ(take(nullptr), 1);
  MemoryHint hint;
  hint.value = 50;  // e.g. the namespace's counter was recreated since
  EXPECT_EQ(take(&hint), 2);
  EXPECT_EQ(last_stale_hints, 1);
  EXPECT_EQ(hint.value, 3);
  EXPECT_EQ(counter_value(), "3");
}

TEST_F(JobIds, AHintWithoutACounterStartsTheNamespaceAtOne) {
  MemoryHint hint;
  hint.value = 7;
  EXPECT_EQ(take(&hint), 1);
  EXPECT_EQ(last_stale_hints, 1);
  EXPECT_EQ(hint.value, 2);
}

TEST_F(JobIds, RacingHintedTakersGetDistinctIncreasingIds) {
  EXPECT_EQ(take(nullptr), 1);
  // Every taker starts from the same (soon stale) hint, as simultaneous jsubs of one user do.
  constexpr int kTakers = 24;
  std::vector<std::future<long long>> runs;
  for (int i = 0; i < kTakers; ++i) {
    runs.push_back(std::async(std::launch::async, [this] {
      MemoryHint hint;
      hint.value = 2;
      auto connection = client();
      JobIdAllocator allocator(*connection, clock, &hint);
      auto id = allocator.next(kNs);
      return id ? *id : -1;
    }));
  }
  std::set<long long> ids;
  for (auto& run : runs) ids.insert(run.get());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTakers));
  EXPECT_EQ(*ids.begin(), 2);
  EXPECT_EQ(*ids.rbegin(), kTakers + 1);
}

TEST(JobIdHintFile, RemembersPerClusterAndNamespace) {
  testing::TempDir dir;
  sys::Environment environment({{"HOME", dir.path().string()}});
  auto hint = make_file_job_id_hint(environment, "https://a:6443", "tool-alice");
  ASSERT_TRUE(hint);
  EXPECT_EQ(hint->load(), std::nullopt);
  hint->store(42);
  EXPECT_EQ(hint->load(), 42);
  EXPECT_EQ(make_file_job_id_hint(environment, "https://a:6443", "tool-alice")->load(), 42);
  EXPECT_EQ(make_file_job_id_hint(environment, "https://b:6443", "tool-alice")->load(),
            std::nullopt);
  EXPECT_EQ(make_file_job_id_hint(environment, "https://a:6443", "tool-bob")->load(), std::nullopt);
  auto path = job_id_hint_path(environment, "https://a:6443", "tool-alice");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->rfind((dir.path() / ".cache/k8sjobs/job-id-tool-alice-").string(), 0), 0u)
      << *path;
}

TEST(JobIdHintFile, IgnoresWhatIsNotANumberAndHonoursXdgCacheHome) {
  testing::TempDir dir;
  sys::Environment environment(
      {{"HOME", "/nonexistent"}, {"XDG_CACHE_HOME", (dir.path() / "cache").string()}});
  auto path = job_id_hint_path(environment, "https://a:6443", "ns");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->rfind((dir.path() / "cache/k8sjobs/").string(), 0), 0u) << *path;
  auto hint = make_file_job_id_hint(environment, "https://a:6443", "ns");
  hint->store(7);
  EXPECT_EQ(hint->load(), 7);
  // Stored in place: a smaller number after a larger one (a counter that started again) leaves
  // the larger one's tail after the newline, and the first line is what counts.
  hint->store(12345);
  hint->store(8);
  EXPECT_EQ(hint->load(), 8);
  EXPECT_EQ(std::filesystem::file_size(*path), 6u);
  for (const char* garbage : {"", "x\n", "12x\n", "-3\n", "0\n", "12"}) {
    std::ofstream(*path, std::ios::trunc) << garbage;
    EXPECT_EQ(hint->load(), std::nullopt) << garbage;
  }
  EXPECT_FALSE(make_file_job_id_hint(sys::Environment(), "https://a:6443", "ns"));
}

}  // namespace
}  // namespace k8sjobs::jobs
