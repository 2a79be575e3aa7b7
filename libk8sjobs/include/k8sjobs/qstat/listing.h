#pragma once
// qstat's job listings (default, -r, -f, and -xml of each), rendered from JobRecords.
// Pure: no clock, environment or backend; the caller hands in the jobs, a time zone and the
// parsed options, and prints the returned string to stdout.

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/jobs/job_table.h"
#include "k8sjobs/qstat/state.h"
#include "k8sjobs/qstat/time_format.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::qstat {

// What qstat -f prints on a queue instance line for one node. Unknown values keep Grid
// Engine's "not available" spellings (see docs/qstat.md).
struct NodeInfo {
  std::optional<int> total_slots;  // default: the slots in use (the node is as full as we know)
  std::optional<double> load_avg;  // default: -NA-
  std::string arch;                // default: -NA- (e.g. "lx-amd64")
  std::string states;              // queue states, e.g. "d" for a cordoned node
};

struct ListingOptions {
  // -u: owners to show; empty or containing "*" shows everyone. The command decides the
  // default (Grid Engine: only the caller).
  std::vector<std::string> users;
  StateFilter states;      // -s
  bool full = false;       // -f: one block per queue instance
  bool resources = false;  // -r: the indented detail lines under each job
  // Queue column width: 30, or SGE_LONG_QNAMES (see queue_name_width_from_env()).
  // -1 makes it as wide as the longest queue name shown (at least 30).
  int queue_name_width = 30;
  std::map<std::string, NodeInfo> nodes;  // for -f, by node name
};

// SGE_LONG_QNAMES: unset or invalid → 30; "-1" → -1 (automatic); N → max(N, 10).
int queue_name_width_from_env(const sys::Environment& environment);

// The queue instance a running task is in: "task@<node>" or "continuous@<node>".
std::string queue_instance_name(const jobs::JobRecord& job, const jobs::TaskRecord& task);

// "1-10:1", "3-5:1,7", "4": task ids (any order) as Grid Engine prints a range list, with runs
// of ids `step` apart joined.
std::string task_range_string(std::vector<int> ids, int step);

// Plain text. Empty when no row is selected (Grid Engine prints no header then).
std::string render_listing(const std::vector<jobs::JobRecord>& jobs, const ListingOptions& options,
                           const TimeZone& zone);

// qstat -xml (with -f: per queue instance); always a complete document.
std::string render_listing_xml(const std::vector<jobs::JobRecord>& jobs,
                               const ListingOptions& options, const TimeZone& zone);

// The same from the lean table (jobs/job_table.h), which has no -r fields: these throw
// std::logic_error with options.resources (-r lists full records). write_table writes the
// text in pieces of 64 KiB instead of building it whole (11 MB at 100,000 jobs).
std::string render_table(const jobs::JobTable& table, const ListingOptions& options,
                         const TimeZone& zone);
void write_table(std::ostream& out, const jobs::JobTable& table, const ListingOptions& options,
                 const TimeZone& zone);
std::string render_table_xml(const jobs::JobTable& table, const ListingOptions& options,
                             const TimeZone& zone);

}  // namespace k8sjobs::qstat
