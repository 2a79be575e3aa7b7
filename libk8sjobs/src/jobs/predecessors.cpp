// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/predecessors.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

namespace {

bool is_pattern(const std::string& word) {
  return word.find_first_of("*?[") != std::string::npos;
}

bool all_digits(std::string_view word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool unfinished(const JobRecord& job) {
  return std::any_of(job.tasks.begin(), job.tasks.end(), [](const TaskRecord& task) {
    return task.state != JobState::Succeeded && task.state != JobState::Failed;
  });
}

}  // namespace

Expected<std::vector<long long>, std::string> resolve_hold_jid(
    const std::vector<std::string>& wanted, const std::vector<JobRecord>& own_jobs) {
  std::vector<long long> ids;
  for (const auto& word : wanted) {
    bool found = false;
    if (all_digits(word)) {
      auto number = untrusted::parse_job_number(word);
      if (number) {
        for (const auto& job : own_jobs) {
          if (job.id != *number) continue;
          ids.push_back(job.id);
          found = true;
        }
      }
    } else {
      const bool pattern = is_pattern(word);
      for (const auto& job : own_jobs) {
        const bool match =
            pattern ? fnmatch(word.c_str(), job.name.c_str(), 0) == 0 : job.name == word;
        if (!match) continue;
        ids.push_back(job.id);
        found = true;
      }
    }
    if (!found) return unexpected("denied: job \"" + word + "\" not found");
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > kMaxPredecessors) {
    return unexpected("denied: -hold_jid names " + std::to_string(ids.size()) +
                      " jobs, more than the " + std::to_string(kMaxPredecessors) +
                      " one job may wait for");
  }
  return ids;
}

std::string format_predecessors(const std::vector<long long>& ids) {
  std::string out;
  for (long long id : ids) {
    if (!out.empty()) out += ",";
    out += std::to_string(id);
  }
  return out;
}

Expected<std::vector<long long>, std::string> parse_predecessors(std::string_view text) {
  std::vector<long long> ids;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto number = untrusted::parse_job_number(part);
    if (!number) return unexpected(untrusted::quoted(text) + " is not a list of job numbers");
    ids.push_back(*number);
    if (ids.size() > kMaxPredecessors) {
      return unexpected("lists more than " + std::to_string(kMaxPredecessors) + " jobs");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

PredecessorMark read_predecessors(const nlohmann::json& object) {
  return read_predecessor_annotation(object, translate::kHoldJidAnnotation);
}

PredecessorMark read_predecessor_annotation(const nlohmann::json& object, const char* key) {
  PredecessorMark mark;
  const auto& annotations =
      untrusted::object_member(untrusted::object_member(object, "metadata"), "annotations");
  const nlohmann::json* value = untrusted::member(annotations, key);
  if (value == nullptr) return mark;
  const std::string where = std::string("annotation ") + key;
  if (!value->is_string()) {
    mark.unreadable = where + " is not a string";
    return mark;
  }
  auto ids = parse_predecessors(value->get_ref<const std::string&>());
  if (!ids) {
    mark.unreadable = where + " " + ids.error();
    return mark;
  }
  mark.ids = std::move(*ids);
  return mark;
}

void link_dependencies(std::vector<JobRecord>& records, bool finished_listed) {
  std::map<long long, const JobRecord*> by_id;
  for (const auto& record : records) by_id.emplace(record.id, &record);
  // Which predecessors still hold each job back: listed and unfinished.
  std::map<long long, std::vector<long long>> waiting;
  for (const auto& record : records) {
    for (long long id : record.predecessor_jobs) {
      auto found = by_id.find(id);
      if (found == by_id.end()) continue;  // gone, or finished and not listed: counts as done
      if (finished_listed && !unfinished(*found->second)) continue;
      waiting[record.id].push_back(id);
    }
  }
  for (auto& record : records) {
    auto pending = waiting.find(record.id);
    record.predecessor_jobs = pending == waiting.end() ? std::vector<long long>{} : pending->second;
    record.successor_jobs.clear();
  }
  std::map<long long, JobRecord*> mutable_by_id;
  for (auto& record : records) mutable_by_id.emplace(record.id, &record);
  for (const auto& [successor, predecessors] : waiting) {
    for (long long id : predecessors) mutable_by_id.at(id)->successor_jobs.push_back(successor);
  }
}

}  // namespace k8sjobs::jobs
