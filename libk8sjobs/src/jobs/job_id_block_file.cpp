// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "k8sjobs/jobs/job_id_block.h"
#include "k8sjobs/sys/cache_directory.h"
#include "k8sjobs/text/fnv1a.h"

namespace k8sjobs::jobs {
namespace {

// "NEXT END EXPIRES_UNIX_MS SIZE\n": four decimal numbers, all checked (the file is in the
// user's home: anything may be in it).
std::optional<JobIdBlock> parse_block(std::string_view text) {
  auto newline = text.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;  // cut short
  text = text.substr(0, newline);
  long long numbers[4] = {};
  const char* cursor = text.data();
  const char* const end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (cursor == end || *cursor != ' ') return std::nullopt;
      ++cursor;
    }
    auto [stop, error] = std::from_chars(cursor, end, numbers[i]);
    if (error != std::errc() || stop == cursor) return std::nullopt;
    cursor = stop;
  }
  if (cursor != end) return std::nullopt;
  JobIdBlock block{numbers[0], numbers[1], numbers[2], numbers[3]};
  if (block.next < 1 || block.end < block.next || block.size < 1 ||
      block.end - block.next > block.size || block.expires_unix_ms < 0)
    return std::nullopt;
  return block;
}

class FileJobIdBlockStore final : public JobIdBlockStore {
 public:
  explicit FileJobIdBlockStore(std::string path) : path_(std::move(path)) {}
  ~FileJobIdBlockStore() override { unlock(); }
  FileJobIdBlockStore(const FileJobIdBlockStore&) = delete;
  FileJobIdBlockStore& operator=(const FileJobIdBlockStore&) = delete;

  bool lock(std::chrono::milliseconds patience) override {
    if (fd_ < 0) {
      fd_ = open_file();
      if (fd_ < 0) return false;
    }
    auto deadline = std::chrono::steady_clock::now() + patience;
    // Polled rather than blocking, so a holder stuck on the network costs at most `patience`.
    // Patience counts from the last sign of progress: while other submissions take IDs (each
    // rewrites the block), nobody is stuck, and in a burst of hundreds a submission that keeps
    // losing the race for the lock must not give up and reserve alone: a hundred of those at
    // once race each other for the counter, one write per loser per round.
    std::string seen = read_text();
    for (long pause_us = 100;; pause_us = std::min(pause_us * 2, 5000L)) {
      if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return true;
      if (errno != EWOULDBLOCK && errno != EINTR) break;
      const auto now = std::chrono::steady_clock::now();
      if (std::string text = read_text(); text != seen) {
        seen = std::move(text);
        deadline = now + patience;
      }
      if (now >= deadline) break;
      timespec pause{0, pause_us * 1000};
      ::nanosleep(&pause, nullptr);
    }
    close_file();
    return false;
  }

  void unlock() override { close_file(); }  // closing the file releases the lock

  std::optional<JobIdBlock> load() override {
    if (fd_ < 0) return std::nullopt;
    const std::string text = read_text();
    if (text.empty()) return std::nullopt;
    return parse_block(text);
  }

  void note_arrival() override {
    // O_NONBLOCK: a FIFO put in its place (the file is the user's) must not hang jsub.
    int fd = open_in_cache(arrivals_path(), O_WRONLY | O_APPEND | O_NONBLOCK);
    if (fd < 0) return;  // no hint: the block is sized as without it
    [[maybe_unused]] auto written = ::write(fd, "+", 1);
    ::close(fd);
  }

  long long take_arrivals() override {
    int fd = ::open(arrivals_path().c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return 0;
    struct stat about {};
    long long arrivals = ::fstat(fd, &about) == 0 ? static_cast<long long>(about.st_size) : 0;
    [[maybe_unused]] auto truncated = ::ftruncate(fd, 0);
    ::close(fd);
    return arrivals;
  }

  void store(const JobIdBlock& block) override {
    if (fd_ < 0) return;
    // Overwritten in place (no rename, no O_TRUNC: on ext4 either forces the data to disk on
    // the submission's path). A shorter text leaves old bytes after its newline; load() reads
    // the first line only. Only the lock holder writes.
    char text[128];
    int length = std::snprintf(text, sizeof text, "%lld %lld %lld %lld\n", block.next, block.end,
                               static_cast<long long>(block.expires_unix_ms), block.size);
    if (length > 0 && length < static_cast<int>(sizeof text)) {
      [[maybe_unused]] auto written = ::pwrite(fd_, text, static_cast<std::size_t>(length), 0);
    }
  }

 private:
  int open_file() const { return open_in_cache(path_, O_RDWR); }

  static int open_in_cache(const std::string& path, int mode) {
    const int flags = mode | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    int fd = ::open(path.c_str(), flags, 0600);
    if (fd >= 0) return fd;
    std::error_code ignored;  // this user's first submission: no directory yet
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
    return ::open(path.c_str(), flags, 0600);
  }

  // The block's text as stored (its first 128 bytes; store() writes less).
  std::string read_text() const {
    char buffer[128];
    ssize_t got = fd_ < 0 ? -1 : ::pread(fd_, buffer, sizeof buffer, 0);
    return got <= 0 ? std::string() : std::string(buffer, static_cast<std::size_t>(got));
  }

  std::string arrivals_path() const { return path_ + ".arrivals"; }

  void close_file() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string path_;
  int fd_ = -1;
};

}  // namespace

std::optional<std::string> job_id_block_path(const sys::Environment& environment,
                                             const std::string& server,
                                             const std::string& namespace_name,
                                             const std::string& host) {
  auto cache = sys::k8sjobs_cache_directory(environment);
  if (!cache) return std::nullopt;
  // One file per cluster, namespace and host: the same namespace name on two clusters is two
  // counters, and each host holds its own block.
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(
                    text::fnv1a_64(server + "\n" + namespace_name + "\n" + host)));
  return *cache + "/job-ids-" + namespace_name + "-" + std::string(hash, 12);
}

std::unique_ptr<JobIdBlockStore> make_file_job_id_block_store(const sys::Environment& environment,
                                                              const std::string& server,
                                                              const std::string& namespace_name,
                                                              const std::string& host) {
  auto path = job_id_block_path(environment, server, namespace_name, host);
  if (!path) return nullptr;
  return std::make_unique<FileJobIdBlockStore>(std::move(*path));
}

}  // namespace k8sjobs::jobs
