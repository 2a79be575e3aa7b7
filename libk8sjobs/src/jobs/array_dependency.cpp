// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/array_dependency.h"

#include <algorithm>
#include <limits>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::jobs {

namespace {

bool same_task_range(const ArrayRange& a, const ArrayRange& b) {
  return a.first == b.first && a.last == b.last;
}

bool valid(const ArrayRange& range) {
  return range.step > 0 && range.first >= 1 && range.last >= range.first;
}

}  // namespace

std::string format_array_range(const ArrayRange& range) {
  return std::to_string(range.first) + "-" + std::to_string(range.last) + ":" +
         std::to_string(range.step);
}

Expected<ArrayRange, std::string> parse_array_range(std::string_view text) {
  const auto dash = text.find('-');
  const auto colon = text.find(':');
  if (dash == std::string_view::npos || colon == std::string_view::npos || colon < dash)
    return unexpected(untrusted::quoted(text) + " is not a task range first-last:step");
  constexpr long long kMax = std::numeric_limits<int>::max();
  auto first = untrusted::parse_decimal(text.substr(0, dash), 1, kMax);
  auto last = untrusted::parse_decimal(text.substr(dash + 1, colon - dash - 1), 1, kMax);
  auto step = untrusted::parse_decimal(text.substr(colon + 1), 1, kMax);
  if (!first || !last || !step || *last < *first)
    return unexpected(untrusted::quoted(text) + " is not a task range first-last:step");
  return ArrayRange{static_cast<int>(*first), static_cast<int>(*last), static_cast<int>(*step)};
}

std::vector<int> predecessor_tasks(const ArrayRange& predecessor, const ArrayRange& successor,
                                   int task_id) {
  std::vector<int> tasks;
  if (!valid(predecessor) || !valid(successor) || !same_task_range(predecessor, successor))
    return tasks;
  if (task_id < successor.first || task_id > successor.last ||
      (task_id - successor.first) % successor.step != 0)
    return tasks;
  const long long a0 = predecessor.first;
  const long long sa = predecessor.step;
  auto nearest = [&](long long x) { return a0 + (x - a0) / sa * sa; };
  const long long low = nearest(task_id);
  // Grid Engine stops at the predecessor's last task.
  const long long high = std::min<long long>(
      nearest(static_cast<long long>(task_id) + successor.step - 1), predecessor.last);
  for (long long id = low; id <= high; id += sa) tasks.push_back(static_cast<int>(id));
  return tasks;
}

Expected<Done, std::string> check_array_predecessors(const std::optional<ArrayRange>& successor,
                                                     const std::vector<long long>& ids,
                                                     const std::vector<JobRecord>& own_jobs) {
  if (!successor) return unexpected(std::string(kArrayHoldNeedsArray));
  for (long long id : ids) {
    for (const auto& job : own_jobs) {
      if (job.id != id) continue;
      if (!job.array) return unexpected(std::string(kArrayHoldNeedsArray));
      if (!same_task_range(*job.array, *successor))
        return unexpected(std::string(kArrayHoldNeedsSameRange));
    }
  }
  return Done{};
}

PredecessorMark read_array_predecessors(const nlohmann::json& object) {
  return read_predecessor_annotation(object, kHoldJidAdAnnotation);
}

bool has_array_hold_gate(const nlohmann::json& pod) {
  for (const auto& gate :
       untrusted::array_member(untrusted::object_member(pod, "spec"), "schedulingGates")) {
    if (untrusted::string_or(gate, "name") == kHoldJidAdGate) return true;
  }
  return false;
}

bool array_task_may_start(const ArrayRange& successor, int task_id,
                          const std::vector<long long>& predecessor_ids,
                          const std::map<long long, PredecessorTasks>& predecessors,
                          std::vector<long long>* waiting) {
  bool may_start = true;
  for (long long id : predecessor_ids) {
    auto found = predecessors.find(id);
    if (found == predecessors.end() || found->second.all_finished) continue;
    const PredecessorTasks& tasks = found->second;
    const std::vector<int> wanted = predecessor_tasks(tasks.range, successor, task_id);
    // Ranges that do not match (the predecessor was changed since submission): Grid Engine
    // assumes the dependency holds until the predecessor has finished.
    bool done = !wanted.empty();
    for (int task : wanted) {
      if (!tasks.finished.contains(task)) done = false;
    }
    if (done) continue;
    may_start = false;
    if (waiting != nullptr) waiting->push_back(id);
  }
  return may_start;
}

}  // namespace k8sjobs::jobs
