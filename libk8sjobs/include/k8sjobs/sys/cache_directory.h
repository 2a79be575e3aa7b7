#pragma once
// Where k8sjobs keeps what it may lose without harm (job ID hints, TLS sessions):
// $XDG_CACHE_HOME/k8sjobs when that is an absolute path, else ~/.cache/k8sjobs.

#include <optional>
#include <string>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs::sys {

// nullopt when neither XDG_CACHE_HOME nor HOME is set.
std::optional<std::string> k8sjobs_cache_directory(const Environment& environment);

}  // namespace k8sjobs::sys
