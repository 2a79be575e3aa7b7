#pragma once
// The pure translation at the heart of k8sjobs: a parsed Grid Engine submission plus the site
// configuration become the Kubernetes object that runs it. No network, files, environment or
// clock: everything about the submitting host comes in as values.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/launcher_bytes.h"

namespace k8sjobs::translate {

struct JobIdentity {
  long long id = 0;
  std::string namespace_name;
  std::string object_name;  // see labels.h object_name()
};

// What the submitting host knew at submit time (captured once by the command's main()).
struct SubmitContext {
  std::string hostname;                                          // SGE_O_HOST
  std::chrono::system_clock::time_point submit_time;             // for the annotation
  std::vector<std::pair<std::string, std::string>> environment;  // for SGE_O_*, -v NAME, -V
  // The start of the file image_script_path names (the program, or the script a shell runs)
  // when it is text, at most kScriptScanBytes: its #! line and words choose the image
  // (image_choice.h). nullopt: a binary, or not read.
  std::optional<std::string> program_text;

  // The value of `name` in `environment`, if the submitting shell had it.
  std::optional<std::string> environment_value(std::string_view name) const;
};

struct Workload {
  const kube::ResourceKind* kind = nullptr;  // kJobs or kDeployments
  nlohmann::json object;
};

struct TranslateError {
  std::string message;  // complete, in Grid Engine's words
  int exit_code = 1;
};

Expected<Workload, TranslateError> build_workload(const ge::SubmitRequest& request,
                                                  const site::SiteConfig& site,
                                                  const JobIdentity& identity,
                                                  const SubmitContext& context);

// What the launcher gets as "$@": the program and its arguments; for a qsub script, the
// interpreter's words and the job's arguments (the launcher puts the spooled script between).
std::vector<std::string> job_words(const ge::SubmitRequest& request);

// The /bin/sh script the container runs in front of the user's program: appends stdout/stderr
// to the Grid Engine output files, sets the umask and the array task id, restores the words
// carried encoded because they are not UTF-8 (`carried`, see launcher_bytes.h), then execs the
// program with its argv untouched ("$@"); continuous jobs get jsub's restart loop instead.
std::string launcher_script(const ge::SubmitRequest& request, const std::string& stdout_path,
                            const std::string& stderr_path, unsigned umask,
                            const CarriedBytes& carried = {});

}  // namespace k8sjobs::translate
