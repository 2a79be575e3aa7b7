#pragma once
// Turns a failed HTTP answer into a typed Kubernetes Status.

#include "k8sjobs/kube/error.h"
#include "k8sjobs/kube/http.h"

namespace k8sjobs::kube {

// For any response with status >= 400: reads a metav1.Status body when there is one, else
// derives the reason from the HTTP code. Retry-After (header or details) is kept.
ApiStatus status_from_response(const HttpResponse& response);

StatusReason reason_from_text(std::string_view reason_text);
StatusReason reason_from_http_code(int code);

}  // namespace k8sjobs::kube
