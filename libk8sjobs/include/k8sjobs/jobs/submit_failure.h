#pragma once
// The one place where a failed submission becomes what the user reads and the exit code
// scripts test: Grid Engine's "Unable to run job: ...\nExiting." and its codes.

#include <string>

#include "k8sjobs/kube/error.h"

namespace k8sjobs::jobs {

struct SubmitFailure {
  std::string message;  // complete, may span lines; no trailing newline
  int exit_code = 1;
};

// Grid Engine exits 25 when the request may succeed later (a quota is full), else 1.
inline constexpr int kExitTryLater = 25;

SubmitFailure submit_failure_from(const kube::Error& error);

}  // namespace k8sjobs::jobs
