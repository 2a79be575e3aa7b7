#pragma once
// A small HTTPS client for talking to the test API server in tests: verifies the server against
// the given CA, authenticates with a bearer token or a client certificate, and can read a
// chunked watch stream line by line. httplib stays out of this header.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "apiserver/test_apiserver.h"

namespace k8sjobs::testing {

struct HttpResult {
  bool transport_error = false;  // no HTTP response (connection refused/dropped, TLS failure)
  std::string error;
  int status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_name) const;
};

class HttpsTestClient {
 public:
  HttpsTestClient(int port, const std::string& ca_pem, const std::string& token = "",
                  const std::optional<ClientCertificate>& certificate = std::nullopt);
  ~HttpsTestClient();
  HttpsTestClient(const HttpsTestClient&) = delete;
  HttpsTestClient& operator=(const HttpsTestClient&) = delete;

  // "k8sjobs-tests/1.0" unless set (the server names writers after it: managedFields).
  void set_user_agent(const std::string& user_agent);

  HttpResult request(const std::string& method, const std::string& path_and_query,
                     const std::string& body = "",
                     const std::string& content_type = "application/json");
  HttpResult post_json(const std::string& path, const nlohmann::json& body) {
    return request("POST", path, body.dump());
  }
  // GETs a streaming response, calling on_line for each complete line until it returns false
  // or the server ends the stream.
  HttpResult stream(const std::string& path_and_query,
                    const std::function<bool(const std::string&)>& on_line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace k8sjobs::testing
