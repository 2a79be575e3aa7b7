#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "k8sjobs/cron/schedule.h"
#include "k8sjobs/jobs/job_id_hint.h"

namespace k8sjobs::jobs {
namespace {

bool write_whole_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && written;
}

class FileJobIdHint final : public JobIdHint {
 public:
  explicit FileJobIdHint(std::string path) : path_(std::move(path)) {}

  std::optional<long long> load() override {
    std::ifstream file(path_);
    std::string text;
    if (!file || !std::getline(file, text)) return std::nullopt;
    long long next = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), next);
    if (error != std::errc() || end != text.data() + text.size() || next < 1) return std::nullopt;
    return next;
  }

  void store(long long next) override {
    // Written aside and renamed over, so a reader never sees half a number even when many
    // submissions finish at once; whichever rename comes last wins, which is fine for a hint.
    // Plain system calls: this runs between taking the ID and creating the job.
    std::string aside = path_ + ".tmp" + std::to_string(getpid());
    std::string text = std::to_string(next) + "\n";
    if (!write_whole_file(aside, text)) {
      std::error_code ignored;  // the first submission of this user: no directory yet
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
      if (!write_whole_file(aside, text)) {
        ::unlink(aside.c_str());
        return;
      }
    }
    if (std::rename(aside.c_str(), path_.c_str()) != 0) ::unlink(aside.c_str());
  }

 private:
  std::string path_;
};

}  // namespace

std::optional<std::string> job_id_hint_path(const sys::Environment& environment,
                                            const std::string& server,
                                            const std::string& namespace_name) {
  std::string cache;
  if (auto xdg = environment.get("XDG_CACHE_HOME"); xdg && !xdg->empty() && xdg->front() == '/') {
    cache = *xdg;
  } else if (auto home = environment.get("HOME"); home && !home->empty()) {
    cache = *home + "/.cache";
  } else {
    return std::nullopt;
  }
  // One file per cluster and namespace: the same namespace name on two clusters is two counters.
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(cron::fnv1a_64(server + "\n" + namespace_name)));
  return cache + "/k8sjobs/job-id-" + namespace_name + "-" + std::string(hash, 12);
}

std::unique_ptr<JobIdHint> make_file_job_id_hint(const sys::Environment& environment,
                                                 const std::string& server,
                                                 const std::string& namespace_name) {
  auto path = job_id_hint_path(environment, server, namespace_name);
  if (!path) return nullptr;
  return std::make_unique<FileJobIdHint>(std::move(*path));
}

}  // namespace k8sjobs::jobs
