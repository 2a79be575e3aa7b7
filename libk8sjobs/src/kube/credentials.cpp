#include "k8sjobs/kube/credentials.h"

#include <filesystem>
#include <mutex>
#include <utility>

#include "exec_plugin.h"
#include "kubeconfig_files.h"

namespace k8sjobs::kube {
namespace {

// Refresh exec credentials this long before they expire, so a request does not leave with a
// token that dies on the way.
constexpr std::chrono::seconds kExpiryMargin{10};

// A token file, re-read when its size or mtime changes (rotated service account tokens).
class TokenFile {
 public:
  explicit TokenFile(std::filesystem::path path) : path_(std::move(path)) {}

  Result<std::string> token() {
    std::error_code size_error;
    std::error_code time_error;
    const auto size = std::filesystem::file_size(path_, size_error);
    const auto mtime = std::filesystem::last_write_time(path_, time_error);
    if (cached_ && !size_error && !time_error && size == size_ && mtime == mtime_) {
      return *cached_;
    }
    auto content = detail::read_small_file(path_);
    if (!content) {
      return unexpected(
          config_error("cannot read token file \"" + path_.string() + "\": " + content.error()));
    }
    auto trimmed = detail::trim(std::move(*content));
    if (trimmed.empty()) {
      return unexpected(config_error("token file \"" + path_.string() + "\" is empty"));
    }
    cached_ = std::move(trimmed);
    size_ = size_error ? 0 : size;
    mtime_ = time_error ? std::filesystem::file_time_type{} : mtime;
    return *cached_;
  }

  void invalidate() { cached_.reset(); }

 private:
  std::filesystem::path path_;
  std::optional<std::string> cached_;
  std::uintmax_t size_ = 0;
  std::filesystem::file_time_type mtime_{};
};

// One provider for every combination kubeconfig allows; which parts are active is decided
// once, from the configuration.
class ConfiguredCredentialProvider final : public CredentialProvider {
 public:
  ConfiguredCredentialProvider(ConnectionConfig config, sys::Clock& clock, sys::Environment env)
      : config_(std::move(config)), clock_(clock), env_(std::move(env)) {
    const AuthConfig& auth = config_.auth;
    if (auth.token_file && !auth.token_file->empty()) token_file_.emplace(*auth.token_file);
    // client-go uses the exec plugin only when no token or certificate is configured.
    use_exec_ =
        auth.exec.has_value() && !auth.token && !token_file_ && !auth.client_certificate_pem;
  }

  Result<Credentials> get() override {
    std::lock_guard lock(mutex_);
    Credentials credentials;
    credentials.client_certificate_pem = config_.auth.client_certificate_pem;
    credentials.client_key_pem = config_.auth.client_key_pem;
    // A token file wins over a static token, as in client-go (the file is the fresher one).
    if (token_file_) {
      auto token = token_file_->token();
      if (!token) return unexpected(token.error());
      credentials.bearer_token = std::move(*token);
    } else if (config_.auth.token) {
      credentials.bearer_token = config_.auth.token;
    }
    if (use_exec_) {
      if (!exec_cached_ || expired(*exec_cached_)) {
        exec_cached_.reset();
        auto fresh = detail::run_exec_plugin(*config_.auth.exec, config_, env_);
        if (!fresh) return unexpected(fresh.error());
        exec_cached_ = std::move(*fresh);
      }
      credentials.bearer_token = exec_cached_->token;
      credentials.client_certificate_pem = exec_cached_->client_certificate_pem;
      credentials.client_key_pem = exec_cached_->client_key_pem;
    }
    return credentials;
  }

  void invalidate() override {
    std::lock_guard lock(mutex_);
    if (token_file_) token_file_->invalidate();
    exec_cached_.reset();
  }

 private:
  bool expired(const detail::ExecCredentialResult& cached) const {
    return cached.expiry && clock_.now() + kExpiryMargin >= *cached.expiry;
  }

  ConnectionConfig config_;
  sys::Clock& clock_;
  sys::Environment env_;
  std::mutex mutex_;
  std::optional<TokenFile> token_file_;
  bool use_exec_ = false;
  std::optional<detail::ExecCredentialResult> exec_cached_;
};

}  // namespace

std::unique_ptr<CredentialProvider> make_credential_provider(const ConnectionConfig& config,
                                                             sys::Clock& clock,
                                                             const sys::Environment& env) {
  return std::make_unique<ConfiguredCredentialProvider>(config, clock, env);
}

}  // namespace k8sjobs::kube
