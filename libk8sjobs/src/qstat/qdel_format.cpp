#include "k8sjobs/qstat/qdel_format.h"

#include <fnmatch.h>

#include <cctype>
#include <limits>

#include "format_util.h"
#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::qstat {

using detail::format;

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// At most nine digits: a range's end plus its step stays within an int.
bool parse_positive(const std::string& s, int& out) {
  auto number = jobs::untrusted::parse_decimal(s, 1, 999'999'999);
  if (!number) return false;
  out = static_cast<int>(*number);
  return true;
}

// "n", "n-m", "n-m:s"; the end is rounded down to the step like qsub -t does.
bool parse_range(const std::string& text, jobs::ArrayRange& range) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos) {
    if (!parse_positive(text, range.first)) return false;
    range.last = range.first;
    range.step = 1;
    return true;
  }
  const std::string first = text.substr(0, dash);
  std::string rest = text.substr(dash + 1);
  range.step = 1;
  const size_t colon = rest.find(':');
  if (colon != std::string::npos) {
    if (!parse_positive(rest.substr(colon + 1), range.step)) return false;
    rest = rest.substr(0, colon);
  }
  if (!parse_positive(first, range.first) || !parse_positive(rest, range.last)) return false;
  if (range.last < range.first) return false;
  range.last -= (range.last - range.first) % range.step;
  return true;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? "," : "") + items[i];
  return out;
}

}  // namespace

Expected<QdelTarget, std::string> parse_qdel_target(const std::string& argument) {
  const std::string invalid = "ERROR! \"" + argument + "\" is an invalid job-task identifier";
  if (argument.empty()) return unexpected(invalid);
  QdelTarget target;
  target.text = argument;
  std::string head = argument;
  // Grid Engine splits at the first '.', so a job name containing a dot cannot be given.
  const size_t dot = argument.find('.');
  if (dot != std::string::npos) {
    head = argument.substr(0, dot);
    const std::string ranges = argument.substr(dot + 1);
    size_t start = 0;
    while (true) {
      const size_t comma = ranges.find(',', start);
      jobs::ArrayRange range;
      if (!parse_range(ranges.substr(start, comma - start), range)) return unexpected(invalid);
      target.tasks.push_back(range);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (head.empty()) return unexpected(invalid);
  if (all_digits(head)) {
    auto id = jobs::untrusted::parse_decimal(head, 0, std::numeric_limits<long long>::max());
    if (!id) return unexpected(invalid);
    target.kind = QdelTarget::Kind::JobId;
    target.job_id = *id;
  } else {
    target.kind = head.find_first_of("*?[") != std::string::npos ? QdelTarget::Kind::Pattern
                                                                 : QdelTarget::Kind::Name;
    target.name = head;
  }
  return target;
}

bool qdel_pattern_matches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::string format_qdel_answer(const QdelOutcome& o) {
  using Kind = QdelOutcome::Kind;
  const char* user = o.user.c_str();
  switch (o.kind) {
    case Kind::RegisteredForDeletion:
      return format("%s has registered the job %lld for deletion\n", user, o.job_id);
    case Kind::Deleted:
      return format("%s has deleted job %lld\n", user, o.job_id);
    case Kind::TaskRegisteredForDeletion:
      return format("%s has registered the job-array task %lld.%d for deletion\n", user, o.job_id,
                    o.task_id);
    case Kind::TaskDeleted:
      return format("%s has deleted job-array task %lld.%d\n", user, o.job_id, o.task_id);
    case Kind::TasksDeleted:
      return format("%s has deleted job-array tasks %s of job %lld\n", user, o.tasks.c_str(),
                    o.job_id);
    case Kind::JobDoesNotExist:
      return format("denied: job \"%s\" does not exist\n", o.text.c_str());
    case Kind::NameDoesNotExist:
      return format("The job %s of user(s) %s does not exist\n", o.text.c_str(),
                    join(o.users).c_str());
    case Kind::NoJobsForUsers:
      return format("There is no job registered for the following users: %s\n",
                    join(o.users).c_str());
    case Kind::NotPermitted:
      return format("%s - you do not have the necessary privileges to delete the job \"%lld\"\n",
                    user, o.job_id);
    case Kind::AlreadyDeleting:
      return format("job %lld is already in deletion\n", o.job_id);
    case Kind::TaskDoesNotExist:
      return format("job \"%lld\" task \"%d\" does not exist\n", o.job_id, o.task_id);
    case Kind::InvalidIdentifier:
      return format("ERROR! \"%s\" is an invalid job-task identifier\n", o.text.c_str());
  }
  return "";
}

bool qdel_outcome_is_error(const QdelOutcome& o) {
  using Kind = QdelOutcome::Kind;
  switch (o.kind) {
    case Kind::RegisteredForDeletion:
    case Kind::Deleted:
    case Kind::TaskRegisteredForDeletion:
    case Kind::TaskDeleted:
    case Kind::TasksDeleted:
    case Kind::AlreadyDeleting:
      return false;
    default:
      return true;
  }
}

}  // namespace k8sjobs::qstat
