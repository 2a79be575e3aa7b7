#include "k8sjobs/sys/cache_directory.h"

namespace k8sjobs::sys {

std::optional<std::string> k8sjobs_cache_directory(const Environment& environment) {
  // The XDG base directory rules: a relative XDG_CACHE_HOME is invalid and ignored.
  if (auto xdg = environment.get("XDG_CACHE_HOME"); xdg && !xdg->empty() && xdg->front() == '/') {
    return *xdg + "/k8sjobs";
  }
  if (auto home = environment.get("HOME"); home && !home->empty()) {
    return *home + "/.cache/k8sjobs";
  }
  return std::nullopt;
}

}  // namespace k8sjobs::sys
