#include "k8sjobs/kube/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <vector>

#include "k8sjobs/log.h"
#include "k8sjobs/version.h"
#include "tls_session_resumption.h"

namespace k8sjobs::kube {
namespace {

// libcurl must be initialised once per process before any handle exists.
void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlParts {
  std::string scheme;
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string prefix;  // path prefix of the server URL, without trailing slash
};

UrlParts split_server_url(const std::string& server) {
  UrlParts parts;
  std::string rest = server;
  auto scheme_end = rest.find("://");
  if (scheme_end != std::string::npos) {
    parts.scheme = rest.substr(0, scheme_end);
    rest = rest.substr(scheme_end + 3);
  } else {
    parts.scheme = "https";
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) parts.prefix = rest.substr(slash);
  while (!parts.prefix.empty() && parts.prefix.back() == '/') parts.prefix.pop_back();
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    parts.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      parts.port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    parts.host = authority.substr(0, colon);
    if (colon != std::string::npos) parts.port = authority.substr(colon + 1);
  }
  if (parts.port.empty()) parts.port = parts.scheme == "http" ? "80" : "443";
  return parts;
}

std::string bracket_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

TransportFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::ConnectionRefused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure::HostNotFound;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return TransportFailure::Tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::Timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportFailure::ConnectionLost;
    default:
      return TransportFailure::Other;
  }
}

// Owns one easy handle; handles go back to the pool so their connections are reused.
struct EasyHandle {
  CURL* curl = nullptr;
  explicit EasyHandle(CURL* c) : curl(c) {}
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  ~EasyHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

struct Slist {
  curl_slist* list = nullptr;
  Slist() = default;
  Slist(const Slist&) = delete;
  Slist& operator=(const Slist&) = delete;
  ~Slist() { curl_slist_free_all(list); }
  void add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

struct Exchange {
  HttpResponse response;
  const std::function<bool(std::string_view)>* on_data = nullptr;
  CURL* curl = nullptr;
  bool stopped_by_caller = false;
};

size_t on_header(char* buffer, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view line(buffer, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange->response.headers.clear();  // a new response (after 100-continue or redirect)
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  exchange->response.headers.emplace_back(std::move(name), std::string(value));
  return size * count;
}

size_t on_body(char* buffer, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view data(buffer, size * count);
  if (exchange->on_data != nullptr) {
    long status = 0;
    curl_easy_getinfo(exchange->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
      if (!(*exchange->on_data)(data)) {
        exchange->stopped_by_caller = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
      return data.size();
    }
  }
  exchange->response.body.append(data);
  return data.size();
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(const ConnectionConfig& config, std::unique_ptr<CredentialProvider> credentials,
                TransportOptions options)
      : config_(config), credentials_(std::move(credentials)), options_(std::move(options)) {
    ensure_curl_initialised();
    if (options_.user_agent.empty()) options_.user_agent = std::string("k8sjobs/") + kVersion;
    UrlParts parts = split_server_url(config_.server);
    std::string host = parts.host;
    if (config_.tls_server_name && !config_.tls_server_name->empty()) {
      // Verify the certificate for (and send SNI of) tls-server-name while connecting to the
      // server's real address, as kubectl does.
      host = *config_.tls_server_name;
      connect_to_ =
          bracket_host(host) + ":" + parts.port + ":" + bracket_host(parts.host) + ":" + parts.port;
    }
    base_url_ = parts.scheme + "://" + bracket_host(host) + ":" + parts.port + parts.prefix;
    uses_tls_ = parts.scheme == "https";
    if (config_.insecure_skip_tls_verify) {
      log_warning("insecure-skip-tls-verify is set for {}: the server's certificate is not checked",
                  config_.server);
    }
  }

  ~CurlTransport() override = default;

  Result<HttpResponse> send(const HttpRequest& request) override {
    return perform(request, nullptr);
  }

  Result<HttpResponse> stream(const HttpRequest& request,
                              const std::function<bool(std::string_view)>& on_data) override {
    return perform(request, &on_data);
  }

  void invalidate_credentials() override {
    if (credentials_) credentials_->invalidate();
  }

  // Each request takes an idle curl handle (a connection) or makes one; the credentials and
  // the TLS resumption are thread-safe.
  bool takes_concurrent_requests() const override { return true; }

 private:
  std::unique_ptr<EasyHandle> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    return std::make_unique<EasyHandle>(curl_easy_init());
  }

  // The callbacks that resume this connection's TLS session from the store, and save the one a
  // full handshake gives; nullptr when sessions are not kept. One per client identity: an exec
  // plugin may hand out a new certificate, which libcurl meets with a new connection.
  detail::TlsResumption* resumption_for(const Credentials& credentials) {
    if (!options_.tls_sessions || !uses_tls_) return nullptr;
    // Everything else in the key is the transport's own: hash it once per client identity,
    // not on every request.
    std::string identity = credentials.client_certificate_pem
                               ? "cert:" + *credentials.client_certificate_pem
                               : std::string();
    std::lock_guard lock(mutex_);
    auto& resumption = resumptions_[identity];
    if (!resumption) {
      TlsSessionPeer peer;
      peer.url = base_url_;
      peer.connect_to = connect_to_;
      peer.verifies_server = !config_.insecure_skip_tls_verify;
      peer.certificate_authority_pem = config_.certificate_authority_pem;
      peer.client_certificate_pem = credentials.client_certificate_pem;
      resumption = std::make_unique<detail::TlsResumption>();
      resumption->store = options_.tls_sessions.get();
      resumption->key = tls_session_key(peer);
    }
    return resumption.get();
  }

  void release(std::unique_ptr<EasyHandle> handle) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
  }

  Result<HttpResponse> perform(const HttpRequest& request,
                               const std::function<bool(std::string_view)>* on_data) {
    Credentials credentials;
    if (credentials_) {
      auto current = credentials_->get();
      if (!current) return unexpected(current.error());
      credentials = std::move(current.value());
    }

    auto handle = acquire();
    CURL* curl = handle->curl;
    if (curl == nullptr) {
      return unexpected(
          Error(TransportError{TransportFailure::Other, "cannot create a curl handle", false}));
    }
    curl_easy_reset(curl);  // keeps the connection cache, forgets the previous request's options

    std::string url = base_url_ + request.path;
    Slist headers;
    headers.add("Accept: application/json");
    headers.add("Expect:");  // no 100-continue round trip
    if (!request.content_type.empty()) headers.add("Content-Type: " + request.content_type);
    if (credentials.bearer_token) headers.add("Authorization: Bearer " + *credentials.bearer_token);
    Slist connect_to;
    if (!connect_to_.empty()) connect_to.add(connect_to_);

    Exchange exchange;
    exchange.on_data = on_data;
    exchange.curl = curl;
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
    if (connect_to.list != nullptr) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to.list);

    if (request.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
          request.method == "PATCH") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
      }
    }

    curl_blob ca_blob{};
    if (config_.certificate_authority_pem) {
      ca_blob.data = const_cast<char*>(config_.certificate_authority_pem->data());
      ca_blob.len = config_.certificate_authority_pem->size();
      ca_blob.flags = CURL_BLOB_COPY;
      curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca_blob);
    }
    if (config_.insecure_skip_tls_verify) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_blob cert_blob{};
    curl_blob key_blob{};
    if (credentials.client_certificate_pem && credentials.client_key_pem) {
      cert_blob.data = const_cast<char*>(credentials.client_certificate_pem->data());
      cert_blob.len = credentials.client_certificate_pem->size();
      cert_blob.flags = CURL_BLOB_COPY;
      key_blob.data = const_cast<char*>(credentials.client_key_pem->data());
      key_blob.len = credentials.client_key_pem->size();
      key_blob.flags = CURL_BLOB_COPY;
      curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert_blob);
      curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
      curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key_blob);
    }

    if (auto* resumption = resumption_for(credentials)) {
      // Only the OpenSSL flavour of libcurl takes this; another one simply does full handshakes.
      if (curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, detail::install_tls_resumption) ==
          CURLE_OK) {
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, resumption);
      }
    }

    auto started = std::chrono::steady_clock::now();
    CURLcode code = curl_easy_perform(curl);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);

    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    long request_size = 0;
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
    // Connection options must not outlive this call's buffers.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, nullptr);
    release(std::move(handle));

    if (code == CURLE_WRITE_ERROR && exchange.stopped_by_caller) code = CURLE_OK;
    if (code != CURLE_OK) {
      // A stream the server ended mid-way (watch timeout, dropped connection) after a 200 is
      // still a normal end for the caller: it reconnects from the last resourceVersion.
      if (on_data != nullptr && status == 200) {
        log_debug("{} {}: stream ended: {}", request.method, request.path,
                  curl_easy_strerror(code));
        exchange.response.status = static_cast<int>(status);
        return exchange.response;
      }
      TransportError error;
      error.failure = classify(code);
      error.message =
          error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code);
      error.request_may_have_been_processed =
          request_size > 0 && error.failure != TransportFailure::Tls &&
          error.failure != TransportFailure::ConnectionRefused &&
          error.failure != TransportFailure::HostNotFound;
      log_debug("{} {}: transport error after {} ms: {}", request.method, request.path,
                elapsed.count(), error.message);
      return unexpected(Error(std::move(error)));
    }
    exchange.response.status = static_cast<int>(status);
    log_debug("{} {} -> {} ({} ms)", request.method, request.path, status, elapsed.count());
    return std::move(exchange.response);
  }

  ConnectionConfig config_;
  std::unique_ptr<CredentialProvider> credentials_;
  TransportOptions options_;
  std::string base_url_;
  std::string connect_to_;
  bool uses_tls_ = true;
  std::mutex mutex_;
  // By client identity ("" without a certificate). Declared before idle_: the connections in
  // idle_'s handles point into these, so they must be closed first.
  std::map<std::string, std::unique_ptr<detail::TlsResumption>> resumptions_;
  std::vector<std::unique_ptr<EasyHandle>> idle_;
};

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return std::nullopt;
}

std::unique_ptr<HttpTransport> make_curl_transport(const ConnectionConfig& config,
                                                   std::unique_ptr<CredentialProvider> credentials,
                                                   TransportOptions options) {
  return std::make_unique<CurlTransport>(config, std::move(credentials), std::move(options));
}

}  // namespace k8sjobs::kube
