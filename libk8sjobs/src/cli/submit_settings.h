#pragma once
// How a site configuration turns into the submit parser's settings. Shared by jsub and
// k8sjobs-migrate so that a crontab is checked with exactly the rules jsub applies.

#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/site/site_config.h"

namespace k8sjobs::cli {

ge::SubmitSettings submit_settings_for(const site::SiteConfig& site);

}  // namespace k8sjobs::cli
