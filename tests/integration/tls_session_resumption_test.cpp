// TLS sessions kept between processes: the file store, and libcurl's connections resuming from
// it against the test API server, seen from the server's side (which handshakes were resumed).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/kube/tls_session_store.h"
#include "support/temp_dir.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::kube {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::TestApiServer;

const std::string kKey(64, 'a');
const std::string kOtherKey(64, 'b');

std::vector<fs::path> files_in(const fs::path& directory) {
  std::vector<fs::path> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory, ignored))
    files.push_back(entry.path());
  return files;
}

unsigned permissions_of(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

// ---- the file store ----

TEST(FileTlsSessionStore, KeepsEachKeysSessionOwnerOnlyAndReplacesItWhole) {
  TempDir dir;
  std::string directory = (dir.path() / "cache" / "k8sjobs").string();
  auto store = make_file_tls_session_store(directory);
  EXPECT_EQ(store->load(kKey), std::nullopt);

  store->save(kKey, std::string(2000, 'x'));  // creates the directory on first use
  EXPECT_EQ(permissions_of(directory), 0700u);
  EXPECT_EQ(permissions_of(tls_session_path(directory, kKey)), 0600u);
  EXPECT_EQ(store->load(kKey), std::string(2000, 'x'));
  EXPECT_EQ(store->load(kOtherKey), std::nullopt);

  store->save(kKey, "short");  // shorter than before: nothing of the old one is left over
  EXPECT_EQ(store->load(kKey), "short");
  store->save(kOtherKey, "other");
  EXPECT_EQ(store->load(kKey), "short");
  EXPECT_EQ(store->load(kOtherKey), "other");
  EXPECT_EQ(files_in(directory).size(), 2u) << "no temporary files left behind";
}

TEST(FileTlsSessionStore, RefusesKeysThatAreNotItsOwnAndSessionsOutOfBounds) {
  TempDir dir;
  std::string directory = dir.path().string();
  auto store = make_file_tls_session_store(directory);
  for (const std::string& key : {std::string("../../etc/passwd"), std::string(64, 'A'),
                                 std::string(63, 'a'), std::string()}) {
    store->save(key, "session");
    EXPECT_EQ(store->load(key), std::nullopt) << key;
  }
  store->save(kKey, "");
  store->save(kOtherKey, std::string(65 * 1024, 'x'));
  EXPECT_TRUE(files_in(directory).empty());
  // A file that grew beyond any session is not read back as one.
  std::ofstream(tls_session_path(directory, kKey)) << std::string(65 * 1024, 'x');
  EXPECT_EQ(store->load(kKey), std::nullopt);
}

TEST(FileTlsSessionStore, AStoreThatCannotWriteIsOnlyACacheMiss) {
  TempDir dir;
  auto blocker = dir.write("not-a-directory", "x");
  auto store = make_file_tls_session_store((blocker / "k8sjobs").string());
  store->save(kKey, "session");
  EXPECT_EQ(store->load(kKey), std::nullopt);
}

TEST(FileTlsSessionStore, SavingClearsOutSessionsTooOldToResume) {
  TempDir dir;
  std::string directory = dir.path().string();
  auto store = make_file_tls_session_store(directory);
  const std::string week_old_key(64, 'c');
  const std::string six_days_key(64, 'd');
  store->save(week_old_key, "expired");
  store->save(six_days_key, "still good");
  auto temporary = dir.write(".tls-session-eeee.123.0", "abandoned");
  auto hint = dir.write("job-id-tool-alice-0123456789ab", "7\n");
  auto age = [](const fs::path& path, std::chrono::hours by) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - by);
  };
  age(tls_session_path(directory, week_old_key), std::chrono::hours(7 * 24 + 1));
  age(tls_session_path(directory, six_days_key), std::chrono::hours(6 * 24));
  age(temporary, std::chrono::hours(2));
  age(hint, std::chrono::hours(30 * 24));

  store->save(kKey, "new");
  EXPECT_EQ(store->load(kKey), "new");
  EXPECT_EQ(store->load(week_old_key), std::nullopt);
  EXPECT_EQ(store->load(six_days_key), "still good");
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_TRUE(fs::exists(hint)) << "only TLS sessions are the store's to remove";
}

// ---- resumption against the test API server ----

// Hands out one session for every key and counts what is saved: for a session the server
// cannot know.
class OneSessionStore final : public TlsSessionStore {
 public:
  explicit OneSessionStore(std::string session) : session_(std::move(session)) {}
  std::optional<std::string> load(const std::string&) override { return session_; }
  void save(const std::string&, std::string_view session) override {
    ++saves;
    session_ = std::string(session);
  }
  int saves = 0;

 private:
  std::string session_;
};

struct ResumptionOverTls : ::testing::Test {
  ResumptionOverTls() {
    server.add_token_user(testing::kAliceToken, "tools.alice", {"tool-alice"});
    bob = server.add_certificate_user("tools.bob", "toolforge", {"tool-bob"});
    carol = server.add_certificate_user("tools.carol", "toolforge", {"tool-carol"});
  }

  ConnectionConfig token_connection(const TestApiServer& to) const {
    return testing::token_connection(to, testing::kAliceToken);
  }

  ConnectionConfig certificate_connection(const testing::ClientCertificate& who) const {
    ConnectionConfig config;
    config.server = server.url();
    config.certificate_authority_pem = server.ca_pem();
    config.auth.client_certificate_pem = who.cert_pem;
    config.auth.client_key_pem = who.key_pem;
    return config;
  }

  // A new transport is what a new jsub process has: no connection, an empty libcurl session
  // cache. One GET of `ns`'s ConfigMaps; the server's record of it.
  testing::RecordedRequest one_request(const ConnectionConfig& config, TestApiServer& to,
                                       std::shared_ptr<TlsSessionStore> sessions,
                                       const std::string& ns = "tool-alice") {
    TransportOptions options;
    options.tls_sessions = std::move(sessions);
    auto client = testing::client_over(config, clock, environment, RetryPolicy{}, options);
    to.clear_requests();
    auto listed = client->list(resources::kConfigMaps, ns, {});
    EXPECT_TRUE(listed) << (listed ? "" : listed.error().describe());
    auto requests = to.requests();
    EXPECT_EQ(requests.size(), 1u);
    return requests.empty() ? testing::RecordedRequest{} : requests.back();
  }

  TempDir dir;
  std::string cache = (dir.path() / "k8sjobs").string();
  TestApiServer server;
  testing::ClientCertificate bob, carol;
  sys::SystemClock clock;
  sys::Environment environment;
};

TEST_F(ResumptionOverTls, TheNextProcessResumesTheSessionTheFirstOneSaved) {
  auto store = std::shared_ptr<TlsSessionStore>(make_file_tls_session_store(cache));
  EXPECT_FALSE(one_request(token_connection(server), server, store).tls_session_resumed);
  auto files = files_in(cache);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(permissions_of(files[0]), 0600u);
  struct stat saved {};
  ASSERT_EQ(::stat(files[0].c_str(), &saved), 0);

  for (int process = 0; process < 3; ++process) {
    auto request = one_request(token_connection(server), server, store);
    EXPECT_TRUE(request.tls_session_resumed) << "process " << process;
    EXPECT_EQ(request.user, "tools.alice");
  }
  // A resumed handshake leaves the saved session alone: no file system work on the common path.
  struct stat after {};
  ASSERT_EQ(::stat(files[0].c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, saved.st_ino);
  EXPECT_EQ(files_in(cache).size(), 1u);
}

TEST_F(ResumptionOverTls, WithoutAStoreEveryProcessDoesAFullHandshake) {
  EXPECT_FALSE(one_request(token_connection(server), server, nullptr).tls_session_resumed);
  EXPECT_FALSE(one_request(token_connection(server), server, nullptr).tls_session_resumed);
}

TEST_F(ResumptionOverTls, AResumedSessionAuthenticatesOnlyTheClientCertificateItWasMadeWith) {
  auto store = std::shared_ptr<TlsSessionStore>(make_file_tls_session_store(cache));
  EXPECT_FALSE(
      one_request(certificate_connection(bob), server, store, "tool-bob").tls_session_resumed);
  auto resumed = one_request(certificate_connection(bob), server, store, "tool-bob");
  EXPECT_TRUE(resumed.tls_session_resumed);
  EXPECT_EQ(resumed.user, "tools.bob");
  EXPECT_EQ(resumed.status, 200);

  // Another certificate on the same server is another identity: bob's session is not offered.
  auto other = one_request(certificate_connection(carol), server, store, "tool-carol");
  EXPECT_FALSE(other.tls_session_resumed);
  EXPECT_EQ(other.user, "tools.carol");
  EXPECT_EQ(other.status, 200);
  // Nor to a token user of the same server.
  EXPECT_FALSE(one_request(token_connection(server), server, store).tls_session_resumed);
  EXPECT_EQ(files_in(cache).size(), 3u);
}

TEST_F(ResumptionOverTls, ASessionTheServerDoesNotKnowCostsAFullHandshakeNotAFailure) {
  // A restarted API server has new ticket keys: sessions saved before are unknown to it.
  auto first = std::make_shared<OneSessionStore>("");
  one_request(token_connection(server), server, first);
  ASSERT_EQ(first->saves, 1);
  std::string from_the_first_server = *first->load("");

  TestApiServer restarted;
  restarted.add_token_user(testing::kAliceToken, "tools.alice", {"tool-alice"});
  auto offered = std::make_shared<OneSessionStore>(from_the_first_server);
  auto request = one_request(token_connection(restarted), restarted, offered);
  EXPECT_FALSE(request.tls_session_resumed);
  EXPECT_EQ(request.status, 200);
  EXPECT_EQ(offered->saves, 1) << "the new server's session replaces the stale one";
  EXPECT_TRUE(one_request(token_connection(restarted), restarted, offered).tls_session_resumed);
}

TEST_F(ResumptionOverTls, ADamagedSessionFileIsReplacedNotReported) {
  auto store = std::shared_ptr<TlsSessionStore>(make_file_tls_session_store(cache));
  one_request(token_connection(server), server, store);
  auto files = files_in(cache);
  ASSERT_EQ(files.size(), 1u);
  std::string session = testing::read_file(files[0]);
  for (const std::string& damaged : {session.substr(0, session.size() / 2), std::string("junk")}) {
    std::ofstream(files[0], std::ios::trunc) << damaged;
    auto request = one_request(token_connection(server), server, store);
    EXPECT_FALSE(request.tls_session_resumed);
    EXPECT_EQ(request.status, 200);
    EXPECT_TRUE(one_request(token_connection(server), server, store).tls_session_resumed);
  }
}

}  // namespace
}  // namespace k8sjobs::kube
