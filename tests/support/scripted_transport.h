#pragma once
// An HttpTransport that answers from a script, for the client's decision logic (retries,
// pagination, watch line splitting). Everything with a real protocol is tested against the test
// API server instead.

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "k8sjobs/kube/http.h"

namespace k8sjobs::testing {

struct ScriptedAnswer {
  kube::Result<kube::HttpResponse> response;
  // When set, computes the answer from the request and the earlier requests instead.
  std::function<kube::HttpResponse(const std::vector<kube::HttpRequest>&)> respond;
  std::vector<std::string> stream_chunks;  // for stream(): delivered one by one when status is 200
};

class ScriptedTransport final : public kube::HttpTransport {
 public:
  void answer(int status, std::string body,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    script_.push_back(
        ScriptedAnswer{kube::HttpResponse{status, std::move(body), std::move(headers)}, {}, {}});
  }
  void answer_with(
      std::function<kube::HttpResponse(const std::vector<kube::HttpRequest>&)> respond) {
    script_.push_back(ScriptedAnswer{kube::HttpResponse{}, std::move(respond), {}});
  }
  void fail(kube::TransportFailure failure, bool may_have_been_processed) {
    script_.push_back(ScriptedAnswer{k8sjobs::unexpected(kube::Error(kube::TransportError{
                                         failure, "scripted", may_have_been_processed})),
                                     {},
                                     {}});
  }
  void stream_answer(std::vector<std::string> chunks) {
    script_.push_back(ScriptedAnswer{kube::HttpResponse{200, "", {}}, {}, std::move(chunks)});
  }

  kube::Result<kube::HttpResponse> send(const kube::HttpRequest& request) override {
    return next(request, nullptr);
  }
  kube::Result<kube::HttpResponse> stream(
      const kube::HttpRequest& request,
      const std::function<bool(std::string_view)>& on_data) override {
    return next(request, &on_data);
  }
  void invalidate_credentials() override { ++invalidations; }

  std::vector<kube::HttpRequest> requests;
  int invalidations = 0;
  size_t remaining() const { return script_.size(); }

 private:
  kube::Result<kube::HttpResponse> next(const kube::HttpRequest& request,
                                        const std::function<bool(std::string_view)>* on_data) {
    requests.push_back(request);
    if (script_.empty()) {
      return k8sjobs::unexpected(kube::Error(
          kube::TransportError{kube::TransportFailure::Other, "script exhausted", false}));
    }
    ScriptedAnswer answer = std::move(script_.front());
    script_.pop_front();
    if (answer.respond) answer.response = answer.respond(requests);
    if (on_data != nullptr && answer.response && answer.response->status == 200) {
      for (const auto& chunk : answer.stream_chunks) {
        if (!(*on_data)(chunk)) break;
      }
    }
    return std::move(answer.response);
  }

  std::deque<ScriptedAnswer> script_;
};

}  // namespace k8sjobs::testing
