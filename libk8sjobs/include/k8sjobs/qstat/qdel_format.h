#pragma once
// qdel's job arguments and its answer lines (Grid Engine's exact wording), as pure functions:
// the qdel command parses its words, acts, and prints one line per typed outcome.

#include <string>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::qstat {

// One qdel argument: job_id | job_name | pattern, each optionally followed by .task_range.
struct QdelTarget {
  enum class Kind { JobId, Name, Pattern };
  Kind kind = Kind::JobId;
  long long job_id = 0;                 // Kind::JobId
  std::string name;                     // Kind::Name / Kind::Pattern (wildcards * ? [...])
  std::vector<jobs::ArrayRange> tasks;  // empty: the whole job
  std::string text;                     // the argument as typed, for messages
  bool operator==(const QdelTarget&) const = default;
};

// Fails with Grid Engine's line `ERROR! "x.y" is an invalid job-task identifier` (no newline)
// when the part after the first '.' is not a task range list (n[-m[:s]][,...]) or the
// argument is empty.
Expected<QdelTarget, std::string> parse_qdel_target(const std::string& argument);

// fnmatch-style match of a job name against a qdel pattern (* ? [set] [!set]).
bool qdel_pattern_matches(const std::string& pattern, const std::string& name);

struct QdelOutcome {
  enum class Kind {
    RegisteredForDeletion,      // a running job: "alice has registered the job 123 for deletion"
    Deleted,                    // a pending job: "alice has deleted job 123"
    TaskRegisteredForDeletion,  // "alice has registered the job-array task 123.4 for deletion"
    TaskDeleted,                // "alice has deleted job-array task 123.4"
    TasksDeleted,               // "alice has deleted job-array tasks 2-4:1 of job 123"
    JobDoesNotExist,            // `denied: job "999" does not exist`
    NameDoesNotExist,           // "The job NAME of user(s) alice does not exist"
    NoJobsForUsers,             // "There is no job registered for the following users: bob"
    NotPermitted,      // `alice - you do not have the necessary privileges to delete the job "123"`
    AlreadyDeleting,   // "job 123 is already in deletion"
    TaskDoesNotExist,  // `job "123" task "7" does not exist`
    InvalidIdentifier,  // `ERROR! "x.y" is an invalid job-task identifier`
  };
  Kind kind = Kind::Deleted;
  std::string user;  // who acts (the caller)
  long long job_id = 0;
  int task_id = 0;                 // Task* kinds
  std::string tasks;               // TasksDeleted: the range string, e.g. "2-4:1"
  std::string text;                // JobDoesNotExist/NameDoesNotExist/InvalidIdentifier: as typed
  std::vector<std::string> users;  // NameDoesNotExist/NoJobsForUsers
};

// The answer line including its newline; qdel prints every line on stdout.
std::string format_qdel_answer(const QdelOutcome& outcome);
// Whether the outcome makes qdel exit 1.
bool qdel_outcome_is_error(const QdelOutcome& outcome);

}  // namespace k8sjobs::qstat
