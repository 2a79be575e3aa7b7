#pragma once
// The HTTP exchange with the API server, as an interface: the client above it decides what to
// send and how to retry; the transport below it only moves bytes (and adds credentials).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "k8sjobs/kube/error.h"

namespace k8sjobs::kube {

struct HttpRequest {
  HttpRequest() = default;
  HttpRequest(std::string method_, std::string path_, std::string content_type_ = {},
              std::string body_ = {})
      : method(std::move(method_)),
        path(std::move(path_)),
        content_type(std::move(content_type_)),
        body(std::move(body_)) {}

  std::string method = "GET";
  std::string path;  // path and query, e.g. /apis/batch/v1/namespaces/x/jobs?limit=500
  std::string content_type;
  std::string body;
  // Per request; a watch passes its own (long) timeout.
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  std::optional<std::string> header(std::string_view lower_case_name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One request, whole answer. Transport failures come back as TransportError; any HTTP status
  // (including 4xx/5xx) is a successful exchange here.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
  // A streamed answer (watch): `on_data` gets the body as it arrives; returning false ends the
  // stream early. The returned response carries status and headers, and the body only when the
  // status is not 200 (a Status to parse).
  virtual Result<HttpResponse> stream(const HttpRequest& request,
                                      const std::function<bool(std::string_view)>& on_data) = 0;
  // Forget cached credentials (after a 401), so the next request re-reads them.
  virtual void invalidate_credentials() = 0;
  // Requests may come from several threads at once, each then on a connection of its own
  // (KubeClient::list_pages_side_by_side). One that cannot take them says false, and is given
  // its requests one at a time.
  virtual bool takes_concurrent_requests() const { return false; }
};

}  // namespace k8sjobs::kube
