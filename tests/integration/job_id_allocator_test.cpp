// SPDX-License-Identifier: Apache-2.0
// Job IDs against the test API server over HTTPS: blocks of IDs per submit host (one counter
// write per block, none per ID), their sizes and expiry, stale and lost blocks, hosts racing,
// and the file each host keeps its block in.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/jobs/job_id_allocator.h"
#include "k8sjobs/jobs/job_id_block.h"
#include "k8sjobs/kube/resources.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const std::string kCounterPath = "/api/v1/namespaces/tool-alice/configmaps/k8sjobs-job-ids";

// One host's block, kept in memory; the lock is a mutex, as flock is between processes.
class MemoryBlocks final : public JobIdBlockStore {
 public:
  bool lock(milliseconds patience) override { return mutex.try_lock_for(patience); }
  void unlock() override { mutex.unlock(); }
  std::optional<JobIdBlock> load() override { return block; }
  void store(const JobIdBlock& stored) override { block = stored; }
  void note_arrival() override { ++arrivals; }
  long long take_arrivals() override { return arrivals.exchange(0); }
  std::optional<JobIdBlock> block;
  std::timed_mutex mutex;
  std::atomic<long long> arrivals{0};
};

struct JobIds : ::testing::Test {
  JobIds() {
    server.add_token_user(testing::kAliceToken, "tools.alice", {testing::kAliceNamespace});
  }

  std::unique_ptr<kube::KubeClient> client() {
    return testing::client_over(
        testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace), clock,
        environment);
  }

  long long take(JobIdBlockStore* blocks) {
    auto connection = client();
    JobIdAllocator allocator(*connection, clock, blocks);
    auto id = allocator.next(testing::kAliceNamespace);
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
  testing::FakeClock clock;
  sys::Environment environment;
  int last_stale_hints = 0;
};

TEST_F(JobIds, WithoutABlockStoreEveryIdIsReadAndSwapped) {
  EXPECT_EQ(take(nullptr), 1);  // creates the counter
  server.clear_requests();
  EXPECT_EQ(take(nullptr), 2);
  EXPECT_EQ(counter_requests(), (std::vector<std::string>{"GET", "PATCH"}));
  EXPECT_EQ(counter_value(), "3");
}

TEST_F(JobIds, ABurstFromOneHostDoublesItsBlocksAndMostIdsCostNoRequest) {
  EXPECT_EQ(take(nullptr), 1);  // the counter exists
  MemoryBlocks host;
  std::vector<long long> ids;
  int counter_writes = 0;
  for (int i = 0; i < 100; ++i) {
    server.clear_requests();
    ids.push_back(take(&host));
    for (const auto& method : counter_requests()) counter_writes += method != "GET";
    clock.advance(milliseconds(50));  // a busy crontab minute: all within the block lifetime
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ids[static_cast<std::size_t>(i)], i + 2);
  // Blocks of 1, 2, 4, 8, 16, 32, 64: seven writes for 100 IDs.
  EXPECT_EQ(counter_writes, 7);
  EXPECT_EQ(host.block->size, 64);
  EXPECT_EQ(counter_value(), std::to_string(2 + 1 + 2 + 4 + 8 + 16 + 32 + 64));
}

TEST_F(JobIds, SubmissionsWaitingForTheLockGetOneBlockBetweenThem) {
  EXPECT_EQ(take(nullptr), 1);  // the counter exists
  MemoryBlocks host;
  EXPECT_EQ(take(&host), 2);  // alone: a block of one
  // 39 submissions arrived while another's reservation was queued; with the next, 40 want IDs.
  host.arrivals = 39;
  server.clear_requests();
  EXPECT_EQ(take(&host), 3);
  EXPECT_EQ(host.block->size, 40);  // not the 2 that doubling alone gives
  EXPECT_EQ(counter_value(), std::to_string(3 + 40));
  for (long long expected = 4; expected < 43; ++expected) EXPECT_EQ(take(&host), expected);
  EXPECT_EQ(counter_requests(), (std::vector<std::string>{"PATCH"}));  // one write for all 40
  // Never above the largest block for waiting submissions, whatever the count says.
  host.arrivals = 100000;
  EXPECT_EQ(take(&host), 43);
  EXPECT_EQ(host.block->size, JobIdBlockPolicy{}.max_waiting_size);
  // Used up in time, the next block doubles only up to the usual largest one.
  for (long long id = 44; id < 43 + JobIdBlockPolicy{}.max_waiting_size; ++id) take(&host);
  host.arrivals = 0;
  take(&host);
  EXPECT_EQ(host.block->size, JobIdBlockPolicy{}.max_size);
}

TEST_F(JobIds, AnIdleHostTakesSingleIdsWithOneTestedWriteAndLeavesNoGaps) {
  MemoryBlocks host;
  EXPECT_EQ(take(&host), 1);
  for (long long expected = 2; expected <= 5; ++expected) {
    clock.advance(milliseconds(5 * 60 * 1000));  // every five minutes: each block has expired
    server.clear_requests();
    EXPECT_EQ(take(&host), expected);
    EXPECT_EQ(counter_requests(), (std::vector<std::string>{"PATCH"}));  // tested patch
    EXPECT_EQ(last_stale_hints, 0);
    EXPECT_EQ(host.block->size, 1);
  }
  EXPECT_EQ(counter_value(), "6");
}

TEST_F(JobIds, AnExpiredBlockWithIdsLeftIsAbandonedAndTheNextIsSmaller) {
  MemoryBlocks host;
  host.block = JobIdBlock{1, 1, 0, 8};
  server.clear_requests();
  EXPECT_EQ(take(&host), 1);  // the stored end (1) is not the counter: it does not exist yet
  ASSERT_TRUE(host.block);
  EXPECT_EQ(host.block->size, 8);  // exhausted and expired: kept
  EXPECT_EQ(take(&host), 2);
  clock.advance(milliseconds(31000));
  EXPECT_EQ(take(&host), 9);  // 3..8 were this host's and expired: a gap, never reused
  EXPECT_EQ(host.block->size, 4);
}

TEST_F(JobIds, TwoHostsNeverShareAnIdAndInterleaveOnlyByBlocks) {
  MemoryBlocks host_a;
  MemoryBlocks host_b;
  std::set<long long> seen;
  for (int round = 0; round < 40; ++round) {
    for (MemoryBlocks* host : {&host_a, &host_b}) {
      long long id = take(host);
      EXPECT_TRUE(seen.insert(id).second) << "ID " << id << " given twice";
    }
    clock.advance(milliseconds(100));
  }
  EXPECT_EQ(seen.size(), 80u);
  EXPECT_EQ(*seen.begin(), 1);
}

TEST_F(JobIds, AHostWhoseBlockIsLostNeverReusesAnId) {
  MemoryBlocks host;
  std::set<long long> seen;
  for (int i = 0; i < 10; ++i) seen.insert(take(&host));
  ASSERT_GT(host.block->end, host.block->next);  // IDs left in the block
  host.block.reset();                            // the cache file was deleted
  for (int i = 0; i < 10; ++i) {
    long long id = take(&host);
    EXPECT_TRUE(seen.insert(id).second) << "ID " << id << " reused";
  }
  // A block ahead of the counter (the namespace's counter was recreated) is not believed past
  // its lifetime, and a reservation always tests or swaps the counter itself.
  host.block = JobIdBlock{500, 500, 0, 4};
  clock.advance(milliseconds(60000));
  long long id = take(&host);
  EXPECT_EQ(last_stale_hints, 1);
  EXPECT_TRUE(seen.insert(id).second);
  EXPECT_LT(id, 500);
}

TEST_F(JobIds, ABlockFromTheFutureCountsAsExpired) {
  MemoryBlocks host;
  EXPECT_EQ(take(&host), 1);
  // Stored by a clock an hour ahead: it would otherwise pin its IDs for an hour.
  host.block = JobIdBlock{2, 40,
                          std::chrono::duration_cast<milliseconds>(clock.now().time_since_epoch() +
                                                                   std::chrono::hours(1))
                              .count(),
                          39};
  server.clear_requests();
  EXPECT_EQ(take(&host), 2);
  EXPECT_FALSE(counter_requests().empty());
}

TEST_F(JobIds, ACounterThatIsNotANumberIsAnErrorNotAGuess) {
  EXPECT_EQ(take(nullptr), 1);
  for (const char* bad : {"abc", "", "-4", "1e5", "99999999999999999999"}) {
    auto connection = client();
    ASSERT_TRUE(connection->patch(kube::resources::kConfigMaps, testing::kAliceNamespace,
                                  "k8sjobs-job-ids", kube::PatchType::Merge,
                                  json{{"data", {{"next", bad}}}}));
    JobIdAllocator allocator(*connection, clock, nullptr);
    auto id = allocator.next(testing::kAliceNamespace);
    ASSERT_FALSE(id) << bad;
    EXPECT_NE(id.error().describe().find("not a job number"), std::string::npos)
        << id.error().describe();
  }
}

TEST_F(JobIds, RacingSubmissionsOfSeveralHostsGetDistinctIds) {
  EXPECT_EQ(take(nullptr), 1);
  constexpr int kHosts = 4;
  constexpr int kPerHost = 12;
  std::vector<MemoryBlocks> hosts(kHosts);
  std::vector<std::future<long long>> runs;
  sys::SystemClock real_clock;  // FakeClock is not for threads
  for (int i = 0; i < kHosts * kPerHost; ++i) {
    runs.push_back(std::async(std::launch::async, [this, &hosts, &real_clock, i] {
      auto connection = testing::client_over(
          testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace),
          real_clock, environment);
      JobIdAllocator allocator(*connection, real_clock,
                               &hosts[static_cast<std::size_t>(i % kHosts)]);
      auto id = allocator.next(testing::kAliceNamespace);
      return id ? *id : -1;
    }));
  }
  std::set<long long> ids;
  for (auto& run : runs) ids.insert(run.get());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kHosts * kPerHost));
  EXPECT_GE(*ids.begin(), 2);
}

TEST(JobIdBlockFile, KeepsOneBlockPerClusterNamespaceAndHost) {
  testing::TempDir dir;
  sys::Environment environment({{"HOME", dir.path().string()}});
  auto store = make_file_job_id_block_store(environment, "https://a:6443", "tool-alice", "h1");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->lock(milliseconds(100)));
  EXPECT_EQ(store->load(), std::nullopt);
  const JobIdBlock block{5, 9, 1893456030000, 8};
  store->store(block);
  EXPECT_EQ(store->load(), block);
  store->unlock();
  auto again = make_file_job_id_block_store(environment, "https://a:6443", "tool-alice", "h1");
  ASSERT_TRUE(again->lock(milliseconds(100)));
  EXPECT_EQ(again->load(), block);
  again->unlock();
  const std::vector<std::vector<std::string>> others = {{"https://b:6443", "tool-alice", "h1"},
                                                        {"https://a:6443", "tool-bob", "h1"},
                                                        {"https://a:6443", "tool-alice", "h2"}};
  for (const auto& where : others) {
    auto other = make_file_job_id_block_store(environment, where[0], where[1], where[2]);
    ASSERT_TRUE(other->lock(milliseconds(100)));
    EXPECT_EQ(other->load(), std::nullopt) << where[0] << " " << where[1] << " " << where[2];
    other->unlock();
  }
  auto path = job_id_block_path(environment, "https://a:6443", "tool-alice", "h1");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->rfind((dir.path() / ".cache/k8sjobs/job-ids-tool-alice-").string(), 0), 0u)
      << *path;
  EXPECT_EQ(std::filesystem::status(*path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(JobIdBlockFile, CountsArrivalsOfEveryProcessUntilTheHolderTakesThem) {
  testing::TempDir home;
  sys::Environment environment({{"HOME", home.path().string()}});
  auto holder = make_file_job_id_block_store(environment, "https://a:6443", "ns", "h");
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->take_arrivals(), 0);  // nothing yet, not even a file
  for (int i = 0; i < 5; ++i) {
    make_file_job_id_block_store(environment, "https://a:6443", "ns", "h")->note_arrival();
  }
  // Another host's or namespace's arrivals are not this one's.
  make_file_job_id_block_store(environment, "https://a:6443", "ns", "h2")->note_arrival();
  make_file_job_id_block_store(environment, "https://a:6443", "other", "h")->note_arrival();
  ASSERT_TRUE(holder->lock(milliseconds(100)));
  EXPECT_EQ(holder->take_arrivals(), 5);
  EXPECT_EQ(holder->take_arrivals(), 0);  // counting started again
  holder->unlock();

  // What the user may have put in its place is no count and never a hang.
  const auto arrivals = std::filesystem::path(
      *job_id_block_path(environment, "https://a:6443", "ns", "h") + ".arrivals");
  std::filesystem::remove(arrivals);
  ASSERT_EQ(::mkfifo(arrivals.c_str(), 0600), 0);
  holder->note_arrival();  // a FIFO nobody reads: returns at once
  EXPECT_EQ(holder->take_arrivals(), 0);
  std::filesystem::remove(arrivals);
  std::filesystem::create_directory(arrivals);
  holder->note_arrival();
  EXPECT_EQ(holder->take_arrivals(), 0);
}

TEST(JobIdBlockFile, TheLockExcludesAnotherHolderUntilItsPatienceRunsOut) {
  testing::TempDir dir;
  sys::Environment environment({{"HOME", dir.path().string()}});
  auto first = make_file_job_id_block_store(environment, "https://a:6443", "ns", "h");
  auto second = make_file_job_id_block_store(environment, "https://a:6443", "ns", "h");
  ASSERT_TRUE(first->lock(milliseconds(100)));
  EXPECT_FALSE(second->lock(milliseconds(20)));  // flock: another open file description
  first->unlock();
  EXPECT_TRUE(second->lock(milliseconds(20)));
  second->unlock();
}

TEST(JobIdBlockFile, IgnoresWhatIsNotABlockAndHonoursXdgCacheHome) {
  testing::TempDir dir;
  sys::Environment environment(
      {{"HOME", "/nonexistent"}, {"XDG_CACHE_HOME", (dir.path() / "cache").string()}});
  auto path = job_id_block_path(environment, "https://a:6443", "ns", "h");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->rfind((dir.path() / "cache/k8sjobs/").string(), 0), 0u) << *path;
  auto store = make_file_job_id_block_store(environment, "https://a:6443", "ns", "h");
  ASSERT_TRUE(store->lock(milliseconds(100)));
  // Stored in place: a shorter text leaves the longer one's tail after the newline, and the
  // first line is what counts.
  store->store(JobIdBlock{123456, 123460, 1893456030000, 64});
  store->store(JobIdBlock{7, 8, 5, 1});
  EXPECT_EQ(store->load(), (JobIdBlock{7, 8, 5, 1}));
  for (const char* garbage :
       {"", "x\n", "1 2 3\n", "1 2 3 4", "0 1 5 1\n", "5 4 5 1\n", "1 9 5 2\n", "1 2 -5 1\n",
        "1 2 5 0\n", "1  2 5 1\n", "1 2 5 1 9\n", "99999999999999999999 1 1 1\n"}) {
    std::ofstream(*path, std::ios::trunc) << garbage;
    EXPECT_EQ(store->load(), std::nullopt) << garbage;
  }
  store->unlock();
  EXPECT_FALSE(make_file_job_id_block_store(sys::Environment(), "https://a:6443", "ns", "h"));
}

}  // namespace
}  // namespace k8sjobs::jobs
