#include "k8sjobs/jobs/submit_failure.h"

namespace k8sjobs::jobs {

SubmitFailure submit_failure_from(const kube::Error& error) {
  auto unable = [](const std::string& why, int code) {
    return SubmitFailure{"Unable to run job: " + why + "\nExiting.", code};
  };
  if (const auto* status = error.status()) {
    if (status->reason == kube::StatusReason::Forbidden &&
        status->message.find("exceeded quota") != std::string::npos) {
      return unable(status->message, kExitTryLater);
    }
    switch (status->reason) {
      case kube::StatusReason::Forbidden:
        return unable("denied: " + status->message, 1);
      case kube::StatusReason::Unauthorized:
        return unable("the Kubernetes API server did not accept our credentials (Unauthorized); "
                      "check the kubeconfig or the service account token",
                      1);
      case kube::StatusReason::TooManyRequests:
      case kube::StatusReason::ServiceUnavailable:
      case kube::StatusReason::ServerTimeout:
      case kube::StatusReason::Timeout:
        return unable("the Kubernetes API server is busy, try again later (" + error.describe() + ")",
                      kExitTryLater);
      case kube::StatusReason::Invalid: {
        std::string why = status->message;
        return unable("the job was refused by Kubernetes: " + why, 1);
      }
      default:
        return unable(error.describe(), 1);
    }
  }
  if (error.transport() != nullptr) return unable(error.describe(), 1);
  return unable(error.describe(), 1);
}

}  // namespace k8sjobs::jobs
