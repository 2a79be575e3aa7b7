#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "k8sjobs/kube/tls_session_store.h"

namespace k8sjobs::kube {
namespace {

// A TLS 1.3 session with a ticket and the server's certificate is 1-3 KiB; a chain with large
// certificates stays well below this. A bigger file is not ours.
constexpr std::size_t kMaxSessionBytes = 64 * 1024;
constexpr std::chrono::hours kSessionLifetime{7 * 24};
constexpr std::chrono::hours kAbandonedTemporary{1};

bool is_session_key(const std::string& key) {
  return key.size() == 64 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

class FileTlsSessionStore final : public TlsSessionStore {
 public:
  explicit FileTlsSessionStore(std::string directory) : directory_(std::move(directory)) {}

  std::optional<std::string> load(const std::string& key) override {
    if (!is_session_key(key)) return std::nullopt;
    int fd = ::open(tls_session_path(directory_, key).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    std::string session(kMaxSessionBytes + 1, '\0');
    std::size_t got = 0;
    while (got < session.size()) {
      ssize_t n = ::read(fd, session.data() + got, session.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got == 0 || got > kMaxSessionBytes) return std::nullopt;
    session.resize(got);
    return session;
  }

  void save(const std::string& key, std::string_view session) override {
    if (!is_session_key(key) || session.empty() || session.size() > kMaxSessionBytes) return;
    std::string path = tls_session_path(directory_, key);
    // A name of our own next to the target: processes that finish a full handshake at the same
    // moment each write their own file, and the last rename wins whole.
    std::string temporary = directory_ + "/.tls-session-" + key.substr(0, 16) + "." +
                            std::to_string(::getpid()) + "." + std::to_string(next_suffix_++);
    int fd = open_new(temporary);
    if (fd < 0) {
      std::error_code ignored;  // the first session of this user: no directory yet
      std::filesystem::create_directories(std::filesystem::path(directory_).parent_path(), ignored);
      ::mkdir(directory_.c_str(), 0700);
      fd = open_new(temporary);
      if (fd < 0) return;
    }
    bool written = write_all(fd, session);
    if (::close(fd) != 0) written = false;
    if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
      ::unlink(temporary.c_str());
      return;
    }
    remove_expired();
  }

 private:
  // TLS 1.3 caps a ticket's lifetime at 7 days (RFC 8446, 4.6.1), and a file is only written
  // when its session is new, so an older one can never resume anything. They pile up when the
  // identity changes (an exec plugin's rotating client certificates), so each save, which only
  // a full handshake makes, clears them out, with any temporary file a killed process left.
  void remove_expired() const {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    for (fs::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::chrono::hours limit;
      if (name.rfind("tls-session-", 0) == 0) {
        limit = kSessionLifetime;
      } else if (name.rfind(".tls-session-", 0) == 0) {
        limit = kAbandonedTemporary;
      } else {
        continue;
      }
      std::error_code stat_error;
      auto written = it->last_write_time(stat_error);
      if (!stat_error && now - written > limit) fs::remove(it->path(), stat_error);
    }
  }

  static int open_new(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  }

  std::string directory_;
  std::atomic<unsigned> next_suffix_{0};
};

}  // namespace

std::string tls_session_path(const std::string& directory, const std::string& key) {
  return directory + "/tls-session-" + key;
}

std::unique_ptr<TlsSessionStore> make_file_tls_session_store(std::string directory) {
  return std::make_unique<FileTlsSessionStore>(std::move(directory));
}

}  // namespace k8sjobs::kube
