// SPDX-License-Identifier: Apache-2.0
#pragma once
// Every run of a converted CronJob is its own job, with its own number, as every cron tick ran
// jsub and got one on the grid. `k8sjobs-migrate convert` makes the CronJob's Jobs start
// suspended, labelled k8sjobs.io/awaiting-job-id=true and job-id "0", with JOB_ID read from the
// pod's k8sjobs.io/job-id label (downward API). For each such Job k8sjobs-controller takes a
// number from the namespace's counter and sends one JSON patch, tested against the version it
// read: the number into the Job's labels and its pod template's (Kubernetes lets a suspended Job
// that never started change its template's labels), the waiting label removed, suspend false.
// What is decided here is pure: the object (untrusted) in, the candidate or the reason out.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"

namespace k8sjobs::controller {

struct RunIdCandidate {
  std::string namespace_name;
  std::string name;
  std::string resource_version;
  std::string reference;  // "job/<name>", for logs
};

// nullopt: not a run waiting for a number (not labelled so, or being deleted); the candidate;
// or why a Job labelled as waiting cannot be given one (logged, left as it is).
Expected<std::optional<RunIdCandidate>, std::string> run_waiting_for_id(const nlohmann::json& job);

// The JSON patch that gives `candidate` the number `id` and lets it start.
nlohmann::json run_id_patch(const RunIdCandidate& candidate, long long id);

}  // namespace k8sjobs::controller
