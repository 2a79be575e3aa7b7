#include "apiserver/https_test_client.h"

#include <httplib.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>

namespace k8sjobs::testing {

struct HttpsTestClient::Impl {
  std::unique_ptr<httplib::SSLClient> client;
  std::string token;
  std::string user_agent = "k8sjobs-tests/1.0";
  httplib::Headers headers() const {
    httplib::Headers h{{"User-Agent", user_agent}};
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return h;
  }
};

namespace {

HttpResult convert(const httplib::Result& result) {
  HttpResult out;
  if (!result) {
    out.transport_error = true;
    out.error = httplib::to_string(result.error());
    return out;
  }
  out.status = result->status;
  out.body = result->body;
  for (const auto& [k, v] : result->headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace(lower, v);
  }
  return out;
}

}  // namespace

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpsTestClient::HttpsTestClient(int port, const std::string& ca_pem, const std::string& token,
                                 const std::optional<ClientCertificate>& certificate)
    : impl_(std::make_unique<Impl>()) {
  impl_->token = token;
  if (certificate) {
    BIO* cert_bio = BIO_new_mem_buf(certificate->cert_pem.data(),
                                    static_cast<int>(certificate->cert_pem.size()));
    BIO* key_bio =
        BIO_new_mem_buf(certificate->key_pem.data(), static_cast<int>(certificate->key_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    impl_->client = std::make_unique<httplib::SSLClient>("127.0.0.1", port, cert, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
  } else {
    impl_->client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  }
  X509_STORE* store = X509_STORE_new();
  BIO* ca_bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* ca = PEM_read_bio_X509(ca_bio, nullptr, nullptr, nullptr);
  X509_STORE_add_cert(store, ca);
  X509_free(ca);
  BIO_free(ca_bio);
  impl_->client->set_ca_cert_store(store);  // the client's SSL_CTX takes ownership
  impl_->client->enable_server_certificate_verification(true);
  // Generous: a loaded machine running the sanitizer build can take seconds per answer; a
  // test that waits for one must fail on what it checks, not on this client's patience.
  impl_->client->set_read_timeout(60, 0);
  impl_->client->set_keep_alive(true);
}

HttpsTestClient::~HttpsTestClient() = default;

void HttpsTestClient::set_user_agent(const std::string& user_agent) {
  impl_->user_agent = user_agent;
}

HttpResult HttpsTestClient::request(const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& content_type) {
  auto& c = *impl_->client;
  auto h = impl_->headers();
  if (method == "GET") return convert(c.Get(path, h));
  if (method == "POST") return convert(c.Post(path, h, body, content_type));
  if (method == "PUT") return convert(c.Put(path, h, body, content_type));
  if (method == "PATCH") return convert(c.Patch(path, h, body, content_type));
  if (method == "DELETE") {
    if (body.empty()) return convert(c.Delete(path, h));
    return convert(c.Delete(path, h, body, content_type));
  }
  HttpResult bad;
  bad.transport_error = true;
  bad.error = "unsupported method " + method;
  return bad;
}

HttpResult HttpsTestClient::stream(const std::string& path,
                                   const std::function<bool(const std::string&)>& on_line) {
  std::string buffer;
  auto result = impl_->client->Get(path, impl_->headers(), [&](const char* data, size_t len) {
    buffer.append(data, len);
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      if (!on_line(line)) return false;
    }
    return true;
  });
  HttpResult out;
  if (!result && result.error() == httplib::Error::Canceled) {
    out.status = 200;  // stopped by on_line
    return out;
  }
  out = convert(result);
  return out;
}

}  // namespace k8sjobs::testing
