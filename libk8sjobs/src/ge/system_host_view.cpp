#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <vector>

#include "k8sjobs/ge/host_view.h"

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
    if (is_directory(path)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string data(max_bytes, '\0');
    in.read(data.data(), static_cast<std::streamsize>(max_bytes));
    data.resize(static_cast<std::size_t>(in.gcount()));
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
    if (const auto* pw = password_entry(); pw != nullptr && pw->pw_dir != nullptr) {
      return pw->pw_dir;
    }
    return environment_.get_or("HOME", "/");
  }
  std::string user() const override {
    if (const auto* pw = password_entry(); pw != nullptr && pw->pw_name != nullptr) {
      return pw->pw_name;
    }
    return environment_.get_or("USER", "");
  }
  std::optional<std::string> env(const std::string& name) const override {
    return environment_.get(name);
  }
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
