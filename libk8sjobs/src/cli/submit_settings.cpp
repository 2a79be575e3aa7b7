#include "submit_settings.h"

#include <cstdint>

namespace k8sjobs::cli {

ge::SubmitSettings submit_settings_for(const site::SiteConfig& site) {
  ge::SubmitSettings settings;
  settings.releases.clear();
  settings.releases.push_back(site.images.default_release);
  for (const auto& release : site.known_releases()) {
    if (release != site.images.default_release) settings.releases.push_back(release);
  }
  // Releases retired long ago (trusty, stretch) still appear in crontabs: run them on the
  // default release with a warning rather than refusing them as the last jsub did.
  settings.map_unknown_releases = true;
  settings.check_program = site.jobs.check_program;
  settings.mail_domain = site.mail.default_domain;
  settings.default_memory_kib =
      static_cast<std::uint64_t>(site.resources.default_memory_bytes / 1024);
  return settings;
}

}  // namespace k8sjobs::cli
