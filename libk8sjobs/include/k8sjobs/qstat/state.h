#pragma once
// Grid Engine's job state letters and qstat's -s filter, derived from the backend-neutral
// JobRecord. What each letter means on Kubernetes is described in docs/qstat.md.

#include <optional>
#include <string>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::qstat {

// The letters qstat prints for one task: "qw", "hqw", "t", "r", "Rr", "dr", "dt", "Eqw", or
// "z" for a finished task (what SGE 8.1.9 prints under qstat -s z). Flags are joined in
// Grid Engine's order d, E, S, T, h, R, q, r, s, t, w, x.
std::string state_letters(const jobs::JobRecord& job, const jobs::TaskRecord& task);

// Where a task is listed: with a queue (running, starting, deleting), pending, or finished.
enum class TaskSection { Running, Pending, Finished };
TaskSection task_section(const jobs::TaskRecord& task);

// qstat -s: which rows to show. The default (no -s) is pending, running and suspended.
struct StateFilter {
  bool pending = true;
  bool running = true;
  bool suspended = true;
  bool finished = false;   // z
  bool held_only = false;  // h (and hu/ho/hs/hd/hj/ha): held pending jobs even without p
  bool operator==(const StateFilter&) const = default;
};

// Parses the argument of -s ("p", "r", "s", "z", "h", "hu", "ho", "hs", "hd", "hj", "ha", "a",
// combined like "prs"). Returns nullopt on any other letter; the caller reports it.
std::optional<StateFilter> parse_state_filter(const std::string& argument);

// Whether the filter shows a task in this state (held-ness comes from state_letters).
bool filter_shows(const StateFilter& filter, const jobs::TaskRecord& task);

}  // namespace k8sjobs::qstat
