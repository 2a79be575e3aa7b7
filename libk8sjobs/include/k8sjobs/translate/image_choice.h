// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which image a job runs in, and why: the site's image rules (images.rules, first match wins)
// applied to what the job runs. On the grid every host had every interpreter; on Kubernetes
// `jsub php -f bot.php` needs an image with PHP. Pure: the program file's bytes come in as a
// value (the command reads them at submission).
//
// In order: -l image=NAME, -l runtime=NAME, -release (or -l release=) as given; then the
// program's word (php, /usr/bin/python3 -> python3), else its #! interpreter, else for a shell
// script the interpreters it calls (one image that has them all, else images.everything, with
// a warning); last, the release's image (images.releases).

#include <optional>
#include <string>

#include "k8sjobs/expected.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/workload.h"

namespace k8sjobs::translate {

// What the choice looks at.
struct ImageQuery {
  std::string program;                // as given or resolved: "php", "/data/project/a/run.sh"
  std::optional<std::string> script;  // the program file's first bytes if it is text; qsub: the
                                      // job script
  std::optional<std::string> shell;   // what runs `script`: qsub -S, or the shell jsub runs
                                      // with the script as its argument (bash run.sh)
  std::optional<std::string> requested_image;    // -l image=NAME
  std::optional<std::string> requested_runtime;  // -l runtime=NAME
  std::string release;                           // always set (the default release if not given)
  bool release_given = false;                    // -release / -l release=
};

// The file whose first bytes the choice reads (the caller reads at most kScriptScanBytes of
// it, see script_interpreters.h, as text): the program when it is a path, or for a shell run
// by name (`jsub bash scripts/run.sh`) its script argument, relative to the job's working
// directory. nullopt: nothing to read (qsub's job script is already in the request).
std::optional<std::string> image_script_path(const ge::SubmitRequest& request);

// The query of a parsed submission; `script_text` is the start of the file image_script_path
// names, nullopt when it is not a readable text file.
ImageQuery image_query_of(const ge::SubmitRequest& request, std::optional<std::string> script_text);

struct ImageChoice {
  std::string image;    // the reference the container runs
  std::string name;     // what the rule named: a short name ("php8.2") or the reference
  std::string rule;     // "images.rules[0]", "-l image", "-l runtime", "-release",
                        // "images.everything", "images.releases"
  std::string reason;   // "program php", "#! python3", "shell script calls php, python3"
  std::string warning;  // "" or one line for stderr (a fallback the user should know about)
  // "images.rules[0]: program php -> php8.2": what --dry-run, the annotation and qstat -j show.
  std::string summary() const;
  bool operator==(const ImageChoice&) const = default;
};

// Error: an -l image= or -l runtime= that no rule or name knows, or a release without image
// (Grid Engine's "Unable to run job: ...\nExiting.", exit 1).
Expected<ImageChoice, TranslateError> choose_image(const ImageQuery& query,
                                                   const site::ImageSettings& images);

}  // namespace k8sjobs::translate
