#pragma once
// What a job gets from the host it runs on, computed once for both backends: the Kubernetes
// translation puts it into the container, the local backend into execve() and setrlimit().
// Sharing it keeps a job's variables (and their order) and its limits the same everywhere.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/image_choice.h"
#include "k8sjobs/translate/workload.h"

namespace k8sjobs::translate {

using EnvironmentList = std::vector<std::pair<std::string, std::string>>;

// The job's environment as Grid Engine set it, in order, a later setting of a name replacing
// the earlier one: -V (the submitting environment), SGE_O_*, JOB_ID, JOB_NAME, REQUEST, ...,
// SGE_TASK_* ("undefined" without -t; with -t only FIRST/LAST/STEPSIZE, the launcher derives
// SGE_TASK_ID), then -v. `paths` are the job's output files (SGE_STDOUT_PATH, ...).
// Error: a -v name that cannot be set.
Expected<EnvironmentList, TranslateError> job_environment(const ge::SubmitRequest& request,
                                                          const JobIdentity& identity,
                                                          const SubmitContext& context,
                                                          const ge::OutputPaths& paths);

struct JobResources {
  std::uint64_t memory_bytes = 0;  // the limit: h_vmem, raised to the site default if not given
  std::int64_t cpu_millis = 0;
  int slots = 1;  // NSLOTS
};

// The request's memory and CPUs bounded by the site's limits; the error is Grid Engine's
// "Unable to run job: ...\nExiting.".
Expected<JobResources, TranslateError> job_resources(const ge::SubmitRequest& request,
                                                     const site::SiteConfig& site);

// What build_workload refuses, decided before any object is built, in its order: the site's
// memory and CPU limits (job_resources), an image (image_choice.h; `program_text` is the start
// of the program file, read at submission), the -v names. build_workload starts with this, so
// a request admitted here is one it translates; k8sjobs-migrate check asks only this (building
// the object is most of the cost of checking a crontab line).
struct Admission {
  JobResources resources;
  std::string image;
  ImageChoice image_choice;  // which rule chose `image`, and why
};
Expected<Admission, TranslateError> admit(
    const ge::SubmitRequest& request, const site::SiteConfig& site,
    const std::optional<std::string>& program_text = std::nullopt);

// "continuous" for continuous jobs, else the request's queue.
std::string job_queue(const ge::SubmitRequest& request);

// -umask, else 007 for tool accounts and 077 for everybody else (jsub's defaults).
unsigned job_umask(const ge::SubmitRequest& request, const site::SiteConfig& site);

}  // namespace k8sjobs::translate
