// SPDX-License-Identifier: Apache-2.0
#pragma once
// Toolforge's images and the rules that pick them, the built-in defaults of images.names and
// images.rules. Private to src/site: SiteConfig() is the only caller.

#include <map>
#include <string>
#include <vector>

#include "k8sjobs/site/site_config.h"

namespace k8sjobs::site {

// Short name -> reference, as `toolforge jobs images` listed them (bookworm, python3.11, ...).
std::map<std::string, std::string> toolforge_image_names();

// Every interpreter a grid host had, to the Toolforge image that has it. Rscript has no image
// on Toolforge: no rule names it, so its jobs run in the images.everything image.
std::vector<ImageRule> toolforge_image_rules();

}  // namespace k8sjobs::site
