#include "k8sjobs/qstat/state.h"

namespace k8sjobs::qstat {

namespace {

// One bit per Grid Engine state symbol, in the order job_get_state_string() joins them.
enum StateFlag : unsigned {
  kDeleted = 1u << 0,        // d
  kError = 1u << 1,          // E
  kSuspSubord = 1u << 2,     // S
  kSuspThreshold = 1u << 3,  // T
  kHeld = 1u << 4,           // h
  kRestarted = 1u << 5,      // R
  kQueued = 1u << 6,         // q
  kRunning = 1u << 7,        // r
  kSuspended = 1u << 8,      // s
  kTransfering = 1u << 9,    // t
  kWaiting = 1u << 10,       // w
  kExiting = 1u << 11,       // x
};

constexpr char kSymbols[] = "dESThRqrstwx";

unsigned flags_for(const jobs::TaskRecord& task) {
  using jobs::JobState;
  switch (task.state) {
    case JobState::Pending:
      return kQueued | kWaiting;
    case JobState::Held:
      return kHeld | kQueued | kWaiting;
    case JobState::Starting:
      return kTransfering;
    case JobState::Running:
      return kRunning;
    case JobState::Restarted:
      return kRestarted | kRunning;
    case JobState::Deleting:
      return kDeleted | (task.deleting_while_starting ? kTransfering : kRunning);
    case JobState::Error:
      return kError | kQueued | kWaiting;
    case JobState::Succeeded:
    case JobState::Failed:
      return 0;
  }
  return 0;
}

}  // namespace

std::string state_letters(const jobs::JobRecord& /*job*/, const jobs::TaskRecord& task) {
  if (task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed) {
    return "z";  // SGE's zombie listing
  }
  const unsigned flags = flags_for(task);
  std::string letters;
  for (unsigned bit = 0; kSymbols[bit] != '\0'; ++bit) {
    if ((flags & (1u << bit)) != 0) letters += kSymbols[bit];
  }
  return letters;
}

TaskSection task_section(const jobs::TaskRecord& task) {
  using jobs::JobState;
  switch (task.state) {
    case JobState::Starting:
    case JobState::Running:
    case JobState::Restarted:
    case JobState::Deleting:
      return TaskSection::Running;
    case JobState::Succeeded:
    case JobState::Failed:
      return TaskSection::Finished;
    case JobState::Pending:
    case JobState::Held:
    case JobState::Error:
      return TaskSection::Pending;
  }
  return TaskSection::Pending;
}

std::optional<StateFilter> parse_state_filter(const std::string& argument) {
  if (argument.empty()) return std::nullopt;
  StateFilter filter{false, false, false, false, false};
  for (size_t i = 0; i < argument.size(); ++i) {
    switch (argument[i]) {
      case 'p':
        filter.pending = true;
        break;
      case 'r':
        filter.running = true;
        break;
      case 's':
        filter.suspended = true;
        break;
      case 'z':
        filter.finished = true;
        break;
      case 'a':
        filter.pending = filter.running = filter.suspended = true;
        break;
      case 'h':
        // Kubernetes has a single kind of hold, so the user/operator/system/... variants all
        // select it.
        filter.held_only = true;
        if (i + 1 < argument.size() &&
            std::string("uosdja").find(argument[i + 1]) != std::string::npos) {
          ++i;
        }
        break;
      default:
        return std::nullopt;
    }
  }
  return filter;
}

bool filter_shows(const StateFilter& filter, const jobs::TaskRecord& task) {
  switch (task_section(task)) {
    case TaskSection::Running:
      return filter.running;
    case TaskSection::Finished:
      return filter.finished;
    case TaskSection::Pending:
      return filter.pending || (filter.held_only && task.state == jobs::JobState::Held);
  }
  return false;
}

}  // namespace k8sjobs::qstat
