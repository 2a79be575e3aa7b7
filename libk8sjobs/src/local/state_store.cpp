#include "k8sjobs/local/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::local {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string errno_text(const std::string& what, const fs::path& path, int error) {
  return what + " " + path.string() + ": " + std::strerror(error);
}

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<json> read_json(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return std::nullopt;
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// Job IDs from file names "<id>.json"; other names (and ids too large) are not records.
std::optional<long long> id_of(const fs::path& file) {
  std::string name = file.filename().string();
  if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".json") != 0) return std::nullopt;
  auto id = jobs::untrusted::parse_job_number(std::string_view(name).substr(0, name.size() - 5));
  if (!id) return std::nullopt;
  return *id;
}

// The record of job `id`, or why the file holds none; `problems` gets what was read with
// defaults.
Expected<LocalJob, std::string> read_record(const fs::path& path, long long id,
                                            std::vector<std::string>* problems) {
  auto text = read_text(path);
  if (!text) return unexpected(std::string("cannot be read"));
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return unexpected(std::string("is not JSON"));
  auto decoded = local_job_from_json(parsed);
  if (!decoded) return unexpected(decoded.error());
  if (decoded->job.id != id) {
    return unexpected("records job " + std::to_string(decoded->job.id) + ", not job " +
                      std::to_string(id));
  }
  if (problems != nullptr) *problems = std::move(decoded->problems);
  return std::move(decoded->job);
}

Expected<Done, std::string> write_all(int fd, const std::string& content, const fs::path& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t wrote = ::write(fd, content.data() + done, content.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return unexpected(errno_text("cannot write", path, errno));
    }
    done += static_cast<size_t>(wrote);
  }
  return Done{};
}

}  // namespace

Expected<FileLock, std::string> FileLock::acquire(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return unexpected(errno_text("cannot open", path, errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    ::close(fd);
    return unexpected(errno_text("cannot lock", path, error));
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    // Explicitly: a forked child may still share the open file description.
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

Expected<Done, std::string> write_file_atomically(const fs::path& path,
                                                  const std::string& content) {
  // Unique per process and call, so writers of different files never share a temp file.
  static std::atomic<unsigned> counter{0};
  fs::path temp = path;
  temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return unexpected(errno_text("cannot create", temp, errno));
  auto wrote = write_all(fd, content, temp);
  if (wrote && ::fsync(fd) != 0) wrote = unexpected(errno_text("cannot fsync", temp, errno));
  ::close(fd);
  if (wrote && ::rename(temp.c_str(), path.c_str()) != 0) {
    wrote = unexpected(errno_text("cannot rename onto", path, errno));
  }
  if (!wrote) {
    ::unlink(temp.c_str());
    return wrote;
  }
  // The rename itself is only durable once the directory is synced.
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Done{};
}

fs::path StateStore::record_path(long long id) const {
  return jobs_dir() / (std::to_string(id) + ".json");
}
fs::path StateStore::launch_path(long long id) const {
  return jobs_dir() / (std::to_string(id) + ".launch.json");
}
fs::path StateStore::log_path(long long id) const {
  return jobs_dir() / (std::to_string(id) + ".log");
}

Expected<Done, std::string> StateStore::ensure() {
  if (dir_.empty()) {
    return unexpected(std::string(
        "no local state directory: set K8SJOBS_STATE_DIR or local.state_dir in the site "
        "configuration"));
  }
  for (const fs::path& dir : {dir_, jobs_dir()}) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      if (errno == ENOENT) {
        std::error_code error;
        fs::create_directories(dir, error);
        if (error) return unexpected("cannot create " + dir.string() + ": " + error.message());
        ::chmod(dir.c_str(), 0700);
        continue;
      }
      return unexpected(errno_text("cannot create", dir, errno));
    }
  }
  return Done{};
}

Expected<long long, std::string> StateStore::next_id() {
  // A separate lock file: next_id itself is replaced by rename, and a lock on a replaced
  // inode would protect nothing.
  auto lock = FileLock::acquire(dir_ / "next_id.lock");
  if (!lock) return unexpected(lock.error());
  long long next = 1;
  if (auto text = read_text(dir_ / "next_id")) {
    // A damaged counter is passed over: the job files below still keep IDs unique.
    std::string_view digits = *text;
    if (!digits.empty() && digits.back() == '\n') digits.remove_suffix(1);
    // Kept below the largest number so that the counter can always go one further.
    if (auto stored =
            jobs::untrusted::parse_decimal(digits, 1, std::numeric_limits<long long>::max() - 1)) {
      next = std::max(next, *stored);
    }
  }
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(jobs_dir(), error)) {
    if (auto id = id_of(entry.path()); id && *id < std::numeric_limits<long long>::max() - 1)
      next = std::max(next, *id + 1);
  }
  auto wrote = write_file_atomically(dir_ / "next_id", std::to_string(next + 1) + "\n");
  if (!wrote) return unexpected(wrote.error());
  return next;
}

Expected<FileLock, std::string> StateStore::lock_once() {
  return FileLock::acquire(dir_ / "once.lock");
}

Expected<FileLock, std::string> StateStore::lock_records() {
  return FileLock::acquire(dir_ / "records.lock");
}

std::optional<LocalJob> StateStore::read(long long id) const {
  auto job = read_record(record_path(id), id, nullptr);
  if (!job) return std::nullopt;
  return std::move(*job);
}

std::vector<LocalJob> StateStore::read_all(std::vector<std::string>* warnings) const {
  std::vector<long long> ids;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(jobs_dir(), error)) {
    if (auto id = id_of(entry.path())) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<LocalJob> jobs;
  for (long long id : ids) {
    std::vector<std::string> problems;
    const fs::path path = record_path(id);
    auto job = read_record(path, id, &problems);
    if (!job) {
      // A file that vanished meanwhile was a finished job removed by another command.
      if (warnings != nullptr && fs::exists(path, error)) {
        warnings->push_back("ignoring local job file " + path.string() + ": " + job.error());
      }
      continue;
    }
    if (warnings != nullptr && !problems.empty()) {
      std::string joined;
      for (const auto& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
      warnings->push_back("local job file " + path.string() + ": " + joined +
                          " (shown as not set)");
    }
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

Expected<Done, std::string> StateStore::write(const LocalJob& job) {
  // The record is for display (qstat): bytes that are not UTF-8 in names and details are
  // written as U+FFFD. What the job runs with is in the launch file, byte for byte.
  return write_file_atomically(
      record_path(job.id),
      to_json(job).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Expected<std::optional<LocalJob>, std::string> StateStore::update(
    long long id, const std::function<bool(LocalJob&)>& change) {
  auto lock = lock_records();
  if (!lock) return unexpected(lock.error());
  auto job = read(id);
  if (!job) return std::optional<LocalJob>();
  if (change(*job)) {
    auto wrote = write(*job);
    if (!wrote) return unexpected(wrote.error());
  }
  return job;
}

Expected<Done, std::string> StateStore::write_launch(long long id, const json& launch) {
  return write_file_atomically(launch_path(id), launch.dump() + "\n");
}

std::optional<json> StateStore::read_launch(long long id) const {
  return read_json(launch_path(id));
}

void StateStore::erase(long long id) {
  std::error_code ignored;
  // The record last: while it exists, the job is complete on disk.
  fs::remove(launch_path(id), ignored);
  fs::remove(log_path(id), ignored);
  fs::remove(record_path(id), ignored);
}

}  // namespace k8sjobs::local
