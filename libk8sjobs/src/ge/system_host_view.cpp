#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>
#include <vector>

#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/sys/current_user.h"

namespace k8sjobs::ge {
namespace {

class SystemHostView final : public HostView {
 public:
  SystemHostView(sys::Environment environment, const sys::Clock& clock)
      : environment_(std::move(environment)), clock_(clock) {}

  bool exists(const std::string& path) const override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }
  bool is_directory(const std::string& path) const override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  bool is_executable_file(const std::string& path) const override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    // POSIX rather than an ifstream: k8sjobs-migrate check asks this for every script of a
    // large crontab, and most of them are not on the machine (one failed open, no stream).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat info {};
    if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
      ::close(fd);
      return std::nullopt;
    }
    std::string data;
    std::array<char, 1 << 16> buffer;
    while (data.size() < max_bytes) {
      const std::size_t want = std::min(buffer.size(), max_bytes - data.size());
      const ssize_t got = ::read(fd, buffer.data(), want);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      data.append(buffer.data(), static_cast<std::size_t>(got));
    }
    ::close(fd);
    return data;
  }
  std::optional<std::string> read_stdin(std::size_t max_bytes) const override {
    std::string data;
    std::array<char, 1 << 16> buffer;
    while (data.size() < max_bytes) {
      const std::size_t want = std::min(buffer.size(), max_bytes - data.size());
      const ssize_t got = ::read(STDIN_FILENO, buffer.data(), want);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return std::nullopt;
      if (got == 0) break;
      data.append(buffer.data(), static_cast<std::size_t>(got));
    }
    return data;
  }
  std::string cwd() const override {
    std::vector<char> buffer(4096);
    while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
      if (errno != ERANGE) return environment_.get_or("PWD", "/");
      buffer.resize(buffer.size() * 2);
    }
    return buffer.data();
  }
  std::string home() const override {
    // $HOME first, as the shell's ~ and Python's expanduser (which jsub used) do.
    if (auto home = environment_.get("HOME"); home && !home->empty()) return *home;
    if (const auto* pw = password_entry(); pw != nullptr && pw->pw_dir != nullptr) {
      return pw->pw_dir;
    }
    return "/";
  }
  std::string user() const override { return sys::current_user(environment_); }
  std::optional<std::string> env(const std::string& name) const override {
    return environment_.get(name);
  }
  std::chrono::system_clock::time_point now() const override { return clock_.now(); }
  std::string ctime_now() const override {
    const std::time_t now = std::chrono::system_clock::to_time_t(clock_.now());
    std::tm local{};
    ::localtime_r(&now, &local);
    std::array<char, 64> text{};
    // ctime()'s fixed layout: "Www Mmm dd hh:mm:ss yyyy" with a space-padded day.
    const auto size = std::strftime(text.data(), text.size(), "%a %b %e %H:%M:%S %Y", &local);
    return std::string(text.data(), size);
  }

 private:
  // The reentrant lookup, so the view holds no pointer into libc's static storage.
  const passwd* password_entry() const {
    const long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    buffer_.resize(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
    passwd* result = nullptr;
    if (::getpwuid_r(::getuid(), &entry_, buffer_.data(), buffer_.size(), &result) != 0) {
      return nullptr;
    }
    return result;
  }

  sys::Environment environment_;
  const sys::Clock& clock_;
  mutable passwd entry_{};
  mutable std::vector<char> buffer_;
};

}  // namespace

std::unique_ptr<HostView> make_system_host_view(sys::Environment environment,
                                                const sys::Clock& clock) {
  return std::make_unique<SystemHostView>(std::move(environment), clock);
}

}  // namespace k8sjobs::ge
