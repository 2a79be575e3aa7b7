// SPDX-License-Identifier: Apache-2.0
// The test API server's latency model (test_apiserver.h, LatencyModel): with it on, writes queue
// behind one simulated etcd log and reads cost their read time; with it off (the default) the
// server answers at once. Only lower bounds on the model's side: a loaded machine makes things
// slower, never faster, so these cannot fail by chance.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

struct LatencyWorld {
  TestApiServer server;
  explicit LatencyWorld(LatencyModel model) : server(model) {
    server.add_token_user("alice-token", "tools.alice", {"tool-alice"});
  }
  std::unique_ptr<HttpsTestClient> client() {
    return std::make_unique<HttpsTestClient>(server.port(), server.ca_pem(), "alice-token");
  }
};

TEST(TestApiServerLatency, OffByDefault) {
  TestApiServer server;
  EXPECT_FALSE(server.latency().enabled());
  EXPECT_EQ(server.latency().describe(), "none, every request answered at once");
  LatencyModel real = LatencyModel::real_v1_32();
  EXPECT_EQ(real.write_fsync, microseconds(4500));
  EXPECT_EQ(real.read, microseconds(1000));
  EXPECT_EQ(real.read_per_mib, microseconds(20000));
  EXPECT_EQ(real.describe(), "write fsync 4.5 ms, serialised; read 1 ms + 20 ms per MiB");
}

TEST(TestApiServerLatency, ConcurrentWritesQueueBehindOneLog) {
  const LatencyModel model = LatencyModel::real_v1_32();
  LatencyWorld w(model);
  constexpr int kWriters = 20;
  // Connections first (TLS handshakes are not what is measured), then all creates at once.
  // Each writer connects on its own thread: one after the other, 20 handshakes on a loaded
  // machine (sanitizers, parallel tests) outlasted the server's keep-alive timeout, and the
  // first connections were closed before their create.
  std::vector<std::unique_ptr<HttpsTestClient>> clients;
  for (int i = 0; i < kWriters; ++i) clients.push_back(w.client());
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<int> connected(kWriters, 0);
  std::vector<int> statuses(kWriters, 0);
  std::vector<Clock::duration> each(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      connected[i] = clients[i]->request("GET", "/version").status;
      ++ready;
      while (!go) std::this_thread::yield();
      auto started = Clock::now();
      statuses[i] = clients[i]->post_json(kJobs, job_manifest("w" + std::to_string(i))).status;
      each[i] = Clock::now() - started;
    });
  }
  while (ready < kWriters) std::this_thread::yield();
  auto started = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  auto elapsed = Clock::now() - started;
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(connected[i], 200) << "writer " << i;
    EXPECT_EQ(statuses[i], 201) << "writer " << i;
    EXPECT_GE(each[i], model.write_fsync) << "writer " << i;
  }
  // Serialised: N writes hold the one log N times over, whatever the number of threads.
  EXPECT_GE(elapsed, kWriters * model.write_fsync);
  // The simulated Job controller's own writes (pods, status) are not charged to the client,
  // but they happened.
  EXPECT_EQ(w.server.list(kPods).size(), static_cast<size_t>(kWriters));
}

TEST(TestApiServerLatency, ReadsCostTheReadTimeAndWatchesStillStream) {
  const LatencyModel model{microseconds(2000), microseconds(3000)};
  LatencyWorld w(model);
  auto alice = w.client();
  ASSERT_EQ(alice->post_json(kJobs, job_manifest("r")).status, 201);
  auto started = Clock::now();
  EXPECT_EQ(alice->request("GET", std::string(kJobs) + "/r").status, 200);
  EXPECT_GE(Clock::now() - started, model.read);
  started = Clock::now();
  EXPECT_EQ(alice->request("GET", std::string(kJobs) + "?limit=1").status, 200);
  EXPECT_GE(Clock::now() - started, model.read);
  started = Clock::now();
  EXPECT_EQ(alice->request("DELETE", std::string(kJobs) + "/r?propagationPolicy=Background").status,
            200);
  EXPECT_GE(Clock::now() - started, model.write_fsync);
  // A watch is not a read the model charges per event: it streams as before.
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(alice->post_json(kJobs, job_manifest("s" + std::to_string(i))).status, 201);
  }
  int added = 0;
  auto result =
      alice->stream(std::string(kJobs) + "?watch=1&timeoutSeconds=1", [&](const std::string& line) {
        if (nlohmann::json::parse(line).value("type", "") == "ADDED") ++added;
        return added < 5;
      });
  EXPECT_FALSE(result.transport_error) << result.error;
  EXPECT_EQ(added, 5);
}

TEST(TestApiServerLatency, AReadCostsItsBodySizeOnTopOfTheReadTime) {
  // 2 s per MiB makes a few Jobs' page plainly more expensive than one Job: what a real server
  // spends encoding each object of a LIST page before it answers.
  const LatencyModel model{microseconds(0), microseconds(1000), std::chrono::seconds(2)};
  LatencyWorld w(model);
  auto alice = w.client();
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(alice->post_json(kJobs, job_manifest("p" + std::to_string(i))).status, 201);
  }
  auto charged = [&](size_t bytes) {
    return model.read +
           microseconds(static_cast<long long>(static_cast<double>(model.read_per_mib.count()) *
                                               static_cast<double>(bytes) / (1024.0 * 1024.0)));
  };
  auto started = Clock::now();
  auto one = alice->request("GET", std::string(kJobs) + "/p0");
  auto took_one = Clock::now() - started;
  ASSERT_EQ(one.status, 200);
  EXPECT_GE(took_one, charged(one.body.size()));
  started = Clock::now();
  auto page = alice->request("GET", std::string(kJobs) + "?limit=8");
  auto took_page = Clock::now() - started;
  ASSERT_EQ(page.status, 200);
  ASSERT_GT(page.body.size(), 7 * one.body.size());
  EXPECT_GE(took_page, charged(page.body.size()));
}

TEST(TestApiServerLatency, AcceptsABurstOfConnectionsAsKubeApiserverDoes) {
  // libcpp-httplib listens with a backlog of 5: a burst of 200 jsub processes lost SYNs beyond
  // it and each waited for TCP's 1 s retransmission. kube-apiserver takes somaxconn.
  TestApiServer server;
  int somaxconn = 4096;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  EXPECT_EQ(server.accept_queue_limit(), std::min(somaxconn, 4096));
}

TEST(TestApiServerLatency, WithTheModelOffAWriteDoesNotWaitForTheLog) {
  // A long fsync makes the difference plain even on a slow sanitizer build: with the model on
  // each create takes at least 100 ms; off, the fastest of a few takes far less.
  const LatencyModel slow{std::chrono::milliseconds(100), microseconds(0)};
  auto fastest_create = [](LatencyModel model, const std::string& prefix) {
    LatencyWorld w(model);
    auto alice = w.client();
    EXPECT_EQ(alice->request("GET", "/version").status, 200);
    auto fastest = Clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto started = Clock::now();
      EXPECT_EQ(alice->post_json(kJobs, job_manifest(prefix + std::to_string(i))).status, 201);
      fastest = std::min(fastest, Clock::now() - started);
    }
    return fastest;
  };
  EXPECT_GE(fastest_create(slow, "slow"), slow.write_fsync);
  EXPECT_LT(fastest_create(LatencyModel::none(), "fast"), slow.write_fsync);
}

}  // namespace
}  // namespace k8sjobs::testing
