#pragma once
// What every command needs from where jobs run. Two implementations: Kubernetes (the real
// cluster) and local (the embedded default: processes on this machine). Commands are written
// once against this interface.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/expected.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/jobs/job_table.h"
#include "k8sjobs/jobs/submit_failure.h"
#include "k8sjobs/translate/workload.h"

namespace k8sjobs::jobs {

struct SubmitReceipt {
  long long id = 0;
  std::string backend_namespace;
  std::vector<std::pair<std::string, std::string>> backend_objects;  // (kind, name)
  // Submitted, but something asked for will not happen (e.g. no mail can be sent): the command
  // prints each as "<command>: warning: <line>".
  std::vector<std::string> warnings;
};

// How one job or array task ended, for -sync y.
struct TaskExit {
  enum class Kind { Exited, Signaled, NoInformation, NeverRan };
  int task_id = 0;  // 0 for a non-array job
  Kind kind = Kind::NoInformation;
  int exit_code = 0;        // Exited
  std::string signal_name;  // Signaled: "KILL", "TERM", ...
};

struct BackendError {
  std::string message;  // one line, for "<command>: <message>"
  int exit_code = 1;
};

struct JobQuery {
  std::vector<std::string> users;  // empty: everybody the backend can see; "*" too
  bool include_finished = false;   // qstat -s z
};

// What list() found: the jobs, and one line per object (or state file) that was skipped, or
// read with defaults for some fields, because it is not what k8sjobs writes. The commands print
// each as "<command>: warning: <line>" on stderr; the listing of the rest stays exact.
struct JobListing {
  std::vector<JobRecord> records;
  std::vector<std::string> warnings;
};

// What list_table() found: the same jobs, in the same order, as the lean table qstat's
// listings print from (jobs/job_table.h); the same warnings.
struct JobTableListing {
  JobTable table;
  std::vector<std::string> warnings;
};

// What read_accounting() found: the finished jobs' records (qacct), and one line per stored
// record that was skipped because it is not what k8sjobs writes.
struct AccountingListing {
  std::vector<acct::AccountingRecord> records;
  std::vector<std::string> warnings;
};
// Which records read_accounting() keeps, asked as each is read: at 100,000 records, qacct -j
// keeps the few it prints instead of every record (ARCHITECTURE.md, "Accounting").
using AccountingFilter = std::function<bool(const acct::AccountingRecord&)>;

enum class DeleteResult {
  Registered,       // it was running: stopping now ("has registered the job N for deletion")
  Deleted,          // it was pending: gone ("has deleted job N")
  AlreadyDeleting,  // "job N is already in deletion"
  NotFound,
};

class JobBackend {
 public:
  virtual ~JobBackend() = default;

  virtual Expected<SubmitReceipt, SubmitFailure> submit(
      const ge::SubmitRequest& request, const translate::SubmitContext& context,
      const std::string& already_active_message) = 0;
  // Blocks until the job (every task) has ended; for -sync y.
  virtual Expected<std::vector<TaskExit>, BackendError> wait(const SubmitReceipt& receipt) = 0;
  virtual Expected<JobListing, BackendError> list(const JobQuery& query) = 0;
  // The same listing, lean: what qstat's tables print. The default reduces list()'s records;
  // the Kubernetes backend never builds full records for it (memory at 100,000 jobs).
  virtual Expected<JobTableListing, BackendError> list_table(const JobQuery& query);
  // `tasks` empty: the whole job; else only these array task ids. `force`: qdel -f.
  virtual Expected<DeleteResult, BackendError> remove(const JobRecord& job,
                                                      const std::vector<int>& tasks,
                                                      bool force) = 0;
  virtual Expected<Done, BackendError> hold(const JobRecord& job) = 0;
  virtual Expected<Done, BackendError> release(const JobRecord& job) = 0;
  // The accounting records kept for the caller's jobs (namespace or state directory) that
  // `keep` accepts, in no particular order. The default keeps none: an error saying so.
  virtual Expected<AccountingListing, BackendError> read_accounting(const AccountingFilter& keep);
};

}  // namespace k8sjobs::jobs
