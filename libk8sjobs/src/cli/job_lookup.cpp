#include "job_lookup.h"

#include <algorithm>
#include <limits>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/qstat/state.h"

namespace k8sjobs::cli::detail {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

std::optional<long long> job_number(const std::string& text) {
  auto number = jobs::untrusted::parse_decimal(text, 0, std::numeric_limits<long long>::max());
  if (!number) return std::nullopt;
  return *number;
}

void print_warnings(const std::string& command, const std::vector<std::string>& warnings,
                    std::ostream& err) {
  for (const auto& warning : warnings) err << command << ": warning: " << warning << "\n";
}

bool has_running_task(const jobs::JobRecord& job) {
  return std::any_of(job.tasks.begin(), job.tasks.end(), [](const jobs::TaskRecord& task) {
    return qstat::task_section(task) == qstat::TaskSection::Running;
  });
}

bool is_active(const jobs::JobRecord& job) {
  return std::any_of(job.tasks.begin(), job.tasks.end(), [](const jobs::TaskRecord& task) {
    return qstat::task_section(task) != qstat::TaskSection::Finished;
  });
}

const jobs::JobRecord* find_job(const std::vector<jobs::JobRecord>& jobs, long long id) {
  auto it = std::find_if(jobs.begin(), jobs.end(),
                         [id](const jobs::JobRecord& job) { return job.id == id; });
  return it == jobs.end() ? nullptr : &*it;
}

Expected<qstat::QdelOutcome, jobs::BackendError> delete_whole_job(jobs::JobBackend& backend,
                                                                  const jobs::JobRecord& job,
                                                                  const std::string& caller,
                                                                  bool force) {
  using Kind = qstat::QdelOutcome::Kind;
  auto removed = backend.remove(job, {}, force);
  if (!removed) return unexpected(removed.error());
  qstat::QdelOutcome outcome;
  outcome.user = caller;
  outcome.job_id = job.id;
  switch (*removed) {
    case jobs::DeleteResult::Registered:
      outcome.kind = Kind::RegisteredForDeletion;
      break;
    case jobs::DeleteResult::Deleted:
      outcome.kind = Kind::Deleted;
      break;
    case jobs::DeleteResult::AlreadyDeleting:
      outcome.kind = Kind::AlreadyDeleting;
      break;
    case jobs::DeleteResult::NotFound:  // gone between the listing and the delete
      outcome.kind = Kind::JobDoesNotExist;
      outcome.text = std::to_string(job.id);
      break;
  }
  return outcome;
}

}  // namespace k8sjobs::cli::detail
