// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `qstat -j` shows of a job beyond its identity, as both backends store it: the
// Kubernetes backend in the k8sjobs.io/details annotation of the Job or Deployment, the local
// backend in the "details" of its job record. One set of keys, written and read here only.
//
// Reading is tolerant: the text comes from the cluster or a file a user can edit. A field that
// is missing or of the wrong type keeps its default and is named in `problems`; nothing throws.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

struct JobDetails {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  std::string cwd;                     // "cwd"
  std::string stdout_path;             // "stdout"
  std::string stderr_path;             // "stderr"
  bool merge_output = false;           // "merge" (-j y)
  std::string program;                 // "program": as given to jsub
  std::string script_file;             // "script": what runs (qstat -j's script_file)
  std::vector<std::string> job_args;   // "args"
  std::string queue;                   // "queue": qstat -j's hard_queue_list
  int slots = 1;                       // "slots"
  std::uint64_t memory_kib = 0;        // "memory_kib"
  Pairs hard_resources;                // "hard_resources": [["h_vmem","1G"], ...]
  std::optional<ArrayRange> array;     // "array": {first, last, step} (-t)
  std::optional<int> priority;         // "priority" (-p)
  std::optional<std::string> account;  // "account" (-A)
  std::optional<std::string> project;  // "project" (-P)
  std::optional<bool> rerunnable;      // "restart" (-r)
  Pairs environment;                   // "environment": -v/-V values (local backend)
  std::string mail_options;            // "mail_options" (local; Kubernetes: annotations)
  std::string mail_list;               // "mail_list"
  Pairs submit_environment;            // "submit_environment": [["sge_o_home", ...], ...]
  std::string image_rule;  // "image_rule": which rule chose the image, and why (Kubernetes only)
  std::vector<std::string> hold_jid;  // "hold_jid": -hold_jid as given (jid_predecessor_list (req))
  std::vector<std::string> hold_jid_ad;  // "hold_jid_ad": -hold_jid_ad as given

  bool operator==(const JobDetails&) const = default;
};

nlohmann::json to_json(const JobDetails& details);
// The annotation's text. Strings that are not UTF-8 (arguments, paths) are written with
// U+FFFD in place of the bad bytes: the annotation only displays them.
std::string to_annotation(const JobDetails& details);

struct DecodedJobDetails {
  JobDetails details;
  std::vector<std::string> problems;  // e.g. `"slots" is not a number from 1 to 100000`
};
DecodedJobDetails job_details_from_untrusted_json(const nlohmann::json& json);
// The annotation's text: more than untrusted::kMaxAnnotationBytes or not a JSON object gives
// the defaults and one problem.
DecodedJobDetails job_details_from_annotation(std::string_view text);

// The details of a submission, as both backends record them: the request's files, program,
// resources, -t, -p, -A, -P and -r. `script_file` is what runs, `queue` the queue it runs in,
// `slots` what the site admitted. The backend adds what only it knows (the submit
// environment, the local backend's -v values and mail settings).
JobDetails job_details_of(const ge::SubmitRequest& request, const ge::OutputPaths& paths,
                          std::string script_file, std::string queue, int slots);

// Copies what qstat -j shows into `record` (not slots, priority, array: the backends keep
// those as the job's own facts). Mail settings only when set.
void apply_job_details(const JobDetails& details, JobRecord& record);

}  // namespace k8sjobs::jobs
