// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/job_details.h"

#include "k8sjobs/ge/values.h"

#include <limits>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

json pairs_json(const JobDetails::Pairs& pairs) {
  json out = json::array();
  for (const auto& [key, value] : pairs) out.push_back(json::array({key, value}));
  return out;
}

// Reads one field, looking under its key and then under the key the local backend used
// before the codec was shared (records of jobs submitted by an older version).
class FieldReader {
 public:
  explicit FieldReader(const json& object) : object_(object) {}

  const json* find(const char* key, const char* legacy_key) const {
    if (const json* value = untrusted::member(object_, key)) return value;
    return legacy_key == nullptr ? nullptr : untrusted::member(object_, legacy_key);
  }

  void string(const char* key, std::string& out, const char* legacy_key = nullptr) {
    const json* value = find(key, legacy_key);
    if (value == nullptr) return;
    if (value->is_string()) {
      out = value->get<std::string>();
    } else {
      problem(key, "is not a string");
    }
  }

  void optional_string(const char* key, std::optional<std::string>& out) {
    const json* value = find(key, nullptr);
    if (value == nullptr) return;
    if (value->is_string()) {
      out = value->get<std::string>();
    } else {
      problem(key, "is not a string");
    }
  }

  void boolean(const char* key, bool& out, const char* legacy_key = nullptr) {
    const json* value = find(key, legacy_key);
    if (value == nullptr) return;
    if (value->is_boolean()) {
      out = value->get<bool>();
    } else {
      problem(key, "is not true or false");
    }
  }

  std::optional<long long> integer(const char* key, long long min, long long max) {
    const json* value = find(key, nullptr);
    if (value == nullptr) return std::nullopt;
    auto number = untrusted::integer_member(object_, key, min, max);
    if (!number) {
      problem(key, "is not a number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return number;
  }

  void strings(const char* key, std::vector<std::string>& out, const char* legacy_key = nullptr) {
    const json* value = find(key, legacy_key);
    if (value == nullptr) return;
    std::vector<std::string> read;
    bool good = value->is_array();
    if (good) {
      for (const auto& item : *value) {
        if (!item.is_string()) {
          good = false;
          break;
        }
        read.push_back(item.get<std::string>());
      }
    }
    if (good) {
      out = std::move(read);
    } else {
      problem(key, "is not a list of strings");
    }
  }

  void pairs(const char* key, JobDetails::Pairs& out) {
    const json* value = find(key, nullptr);
    if (value == nullptr) return;
    JobDetails::Pairs read;
    bool good = value->is_array();
    if (good) {
      for (const auto& item : *value) {
        if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_string()) {
          good = false;
          break;
        }
        read.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
      }
    }
    if (good) {
      out = std::move(read);
    } else {
      problem(key, "is not a list of [name, value] pairs");
    }
  }

  void array(std::optional<ArrayRange>& out) {
    const json* value = find("array", nullptr);
    if (value == nullptr) return;
    constexpr int kMax = std::numeric_limits<int>::max();
    auto first = untrusted::integer_member(*value, "first", 1, kMax);
    auto last = untrusted::integer_member(*value, "last", 1, kMax);
    auto step = untrusted::integer_member(*value, "step", 1, kMax);
    if (!first || !last || !step || *last < *first ||
        (*last - *first) / *step + 1 > untrusted::kMaxArrayTasks) {
      problem("array", "is not a task range {first, last, step} of at most " +
                           std::to_string(untrusted::kMaxArrayTasks) + " tasks");
      return;
    }
    out = ArrayRange{static_cast<int>(*first), static_cast<int>(*last), static_cast<int>(*step)};
  }

  std::vector<std::string> take_problems() { return std::move(problems_); }

 private:
  void problem(const char* key, const std::string& what) {
    problems_.push_back(std::string("\"") + key + "\" " + what);
  }

  const json& object_;
  std::vector<std::string> problems_;
};

}  // namespace

json to_json(const JobDetails& details) {
  json out{{"cwd", details.cwd},
           {"stdout", details.stdout_path},
           {"stderr", details.stderr_path},
           {"merge", details.merge_output},
           {"program", details.program},
           {"script", details.script_file},
           {"args", details.job_args},
           {"queue", details.queue},
           {"slots", details.slots},
           {"memory_kib", details.memory_kib},
           {"hard_resources", pairs_json(details.hard_resources)},
           {"submit_environment", pairs_json(details.submit_environment)}};
  if (details.array) {
    out["array"] = {{"first", details.array->first},
                    {"last", details.array->last},
                    {"step", details.array->step}};
  }
  if (details.priority) out["priority"] = *details.priority;
  if (details.account) out["account"] = *details.account;
  if (details.project) out["project"] = *details.project;
  if (details.rerunnable) out["restart"] = *details.rerunnable;
  if (!details.environment.empty()) out["environment"] = pairs_json(details.environment);
  if (!details.mail_options.empty()) out["mail_options"] = details.mail_options;
  if (!details.mail_list.empty()) out["mail_list"] = details.mail_list;
  if (!details.image_rule.empty()) out["image_rule"] = details.image_rule;
  if (!details.hold_jid.empty()) out["hold_jid"] = details.hold_jid;
  if (!details.hold_jid_ad.empty()) out["hold_jid_ad"] = details.hold_jid_ad;
  return out;
}

std::string to_annotation(const JobDetails& details) {
  return to_json(details).dump(-1, ' ', false, json::error_handler_t::replace);
}

DecodedJobDetails job_details_from_untrusted_json(const json& object) {
  DecodedJobDetails decoded;
  if (!object.is_object()) {
    decoded.problems.push_back("is not a JSON object");
    return decoded;
  }
  JobDetails& d = decoded.details;
  FieldReader read(object);
  read.string("cwd", d.cwd);
  read.string("stdout", d.stdout_path, "stdout_path");
  read.string("stderr", d.stderr_path, "stderr_path");
  read.boolean("merge", d.merge_output, "merge_output");
  read.string("program", d.program);
  read.string("script", d.script_file, "script_file");
  read.strings("args", d.job_args, "job_args");
  read.string("queue", d.queue, "hard_queue");
  if (auto slots = read.integer("slots", 1, untrusted::kMaxArrayTasks)) {
    d.slots = static_cast<int>(*slots);
  }
  if (auto memory = read.integer("memory_kib", 0, std::numeric_limits<long long>::max())) {
    d.memory_kib = static_cast<std::uint64_t>(*memory);
  }
  read.pairs("hard_resources", d.hard_resources);
  read.array(d.array);
  if (auto priority = read.integer("priority", -1023, 1024))
    d.priority = static_cast<int>(*priority);
  read.optional_string("account", d.account);
  read.optional_string("project", d.project);
  if (read.find("restart", "rerunnable") != nullptr) {
    bool rerunnable = false;
    read.boolean("restart", rerunnable, "rerunnable");
    if (read.find("restart", "rerunnable")->is_boolean()) d.rerunnable = rerunnable;
  }
  read.pairs("environment", d.environment);
  read.string("mail_options", d.mail_options);
  read.string("mail_list", d.mail_list);
  read.pairs("submit_environment", d.submit_environment);
  read.string("image_rule", d.image_rule);
  read.strings("hold_jid", d.hold_jid);
  read.strings("hold_jid_ad", d.hold_jid_ad);
  decoded.problems = read.take_problems();
  return decoded;
}

DecodedJobDetails job_details_from_annotation(std::string_view text) {
  if (text.size() > untrusted::kMaxAnnotationBytes) {
    DecodedJobDetails decoded;
    decoded.problems.push_back("is larger than " + std::to_string(untrusted::kMaxAnnotationBytes) +
                               " bytes");
    return decoded;
  }
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    DecodedJobDetails decoded;
    decoded.problems.push_back("is not JSON");
    return decoded;
  }
  return job_details_from_untrusted_json(parsed);
}

void apply_job_details(const JobDetails& details, JobRecord& record) {
  record.cwd = details.cwd;
  record.stdout_path = details.stdout_path;
  record.stderr_path = details.stderr_path;
  record.merge_output = details.merge_output;
  record.script_file = details.script_file;
  record.job_args = details.job_args;
  record.hard_queue = details.queue;
  record.hard_resources = details.hard_resources;
  record.account = details.account.value_or("");
  record.rerunnable = details.rerunnable.value_or(false);
  record.environment = details.environment;
  record.submit_environment = details.submit_environment;
  if (!details.mail_options.empty()) record.mail_options = details.mail_options;
  if (!details.mail_list.empty()) record.mail_list = details.mail_list;
  record.image_rule = details.image_rule;
  record.predecessor_requests = details.hold_jid;
  record.array_predecessor_requests = details.hold_jid_ad;
}

JobDetails job_details_of(const ge::SubmitRequest& request, const ge::OutputPaths& paths,
                          std::string script_file, std::string queue, int slots) {
  JobDetails details;
  details.cwd = request.working_dir;
  details.stdout_path = paths.stdout_path;
  details.stderr_path = paths.stderr_path;
  details.merge_output = paths.merged;
  details.program = request.program;
  details.script_file = std::move(script_file);
  details.job_args = request.program_args;
  details.queue = std::move(queue);
  details.slots = slots;
  details.memory_kib = request.memory_kib;
  details.hard_resources.emplace_back("h_vmem", ge::format_ge_memory_kib(request.memory_kib));
  if (request.time_limit_seconds) {
    details.hard_resources.emplace_back("h_rt", std::to_string(*request.time_limit_seconds));
  }
  details.hard_resources.emplace_back("release", request.release);
  if (request.array) {
    details.array =
        ArrayRange{static_cast<int>(request.array->first), static_cast<int>(request.array->last),
                   static_cast<int>(request.array->step)};
  }
  details.priority = request.priority;
  details.account = request.account;
  details.project = request.project;
  details.rerunnable = request.rerunnable;
  details.hold_jid = request.hold_jid;
  details.hold_jid_ad = request.hold_jid_ad;
  return details;
}

}  // namespace k8sjobs::jobs
