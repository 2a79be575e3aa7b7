#include "k8sjobs/qstat/job_detail.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "format_util.h"
#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/state.h"
#include "k8sjobs/qstat/xml.h"

namespace k8sjobs::qstat {

using detail::format;
using jobs::JobRecord;
using jobs::JobState;
using jobs::TaskRecord;

namespace {

constexpr const char* kDetailSchema =
    "http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/"
    "detailed_job_info.xsd";
constexpr int kBasePriority = 1024;  // Grid Engine stores -p as 1024 + p

std::string line(const std::string& label, const std::string& value) {
  return format("%-28s", (label + ":").c_str()) + value + "\n";
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? separator : "") + items[i];
  return out;
}

std::string join_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::string> items;
  for (const auto& [name, value] : pairs) items.push_back(name + "=" + value);
  return join(items, ",");
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// SGE_O_* values captured at submit, looked up by variable name in any case.
std::string submit_value(const JobRecord& job, const std::string& variable) {
  for (const auto& [name, value] : job.submit_environment) {
    if (upper(name) == variable) return value;
  }
  return "";
}

bool is_epoch(jobs::TimePoint t) {
  return t.time_since_epoch().count() == 0;
}

// Grid Engine numbers the single task of a non-array job 1.
int task_number(const TaskRecord& task) {
  return task.task_id == 0 ? 1 : task.task_id;
}

std::vector<std::string> scheduling_messages(const JobRecord& job) {
  std::vector<std::string> messages;
  auto add = [&](const std::string& m) {
    if (!m.empty() && std::find(messages.begin(), messages.end(), m) == messages.end()) {
      messages.push_back(m);
    }
  };
  add(job.scheduling_info);
  for (const TaskRecord& task : job.tasks) add(task.scheduling_info);
  return messages;
}

// (task number, message) pairs for "error reason" lines; a job-level reason belongs to the
// first task.
std::vector<std::pair<int, std::string>> error_reasons(const JobRecord& job) {
  std::vector<std::pair<int, std::string>> reasons;
  if (!job.error_reason.empty()) {
    reasons.emplace_back(job.tasks.empty() ? 1 : task_number(job.tasks.front()), job.error_reason);
  }
  for (const TaskRecord& task : job.tasks) {
    if (!task.error_reason.empty()) reasons.emplace_back(task_number(task), task.error_reason);
  }
  return reasons;
}

std::string array_string(const JobRecord& job) {
  return format("%d-%d:%d", job.array->first, job.array->last, job.array->step);
}

std::string detail_block(const JobRecord& job, const TimeZone& zone) {
  std::string out(62, '=');
  out += "\n";
  out += line("job_number", std::to_string(job.id));
  if (!is_epoch(job.submission_time)) {
    out += line("submission_time", format_ctime(job.submission_time, zone));
  }
  out += line("owner", job.owner);
  if (job.uid) out += line("uid", std::to_string(*job.uid));
  out += line("group", job.group);
  if (job.gid) out += line("gid", std::to_string(*job.gid));
  static const std::vector<std::pair<const char*, const char*>> kSubmitFields = {
      {"sge_o_home", "SGE_O_HOME"}, {"sge_o_log_name", "SGE_O_LOGNAME"},
      {"sge_o_path", "SGE_O_PATH"}, {"sge_o_shell", "SGE_O_SHELL"},
      {"sge_o_tz", "SGE_O_TZ"},     {"sge_o_workdir", "SGE_O_WORKDIR"},
      {"sge_o_host", "SGE_O_HOST"}};
  for (const auto& [label, variable] : kSubmitFields) {
    const std::string value = submit_value(job, variable);
    if (!value.empty()) out += line(label, value);
  }
  if (job.execution_time) out += line("execution_time", format_ctime(*job.execution_time, zone));
  if (!job.account.empty()) out += line("account", job.account);
  if (!job.cwd.empty()) out += line("cwd", job.cwd);
  if (!job.stderr_path.empty()) out += line("stderr_path_list", "NONE:NONE:" + job.stderr_path);
  if (job.merge_output) out += line("merge", "y");
  if (!job.hard_resources.empty())
    out += line("hard resource_list", join_pairs(job.hard_resources));
  if (!job.mail_options.empty()) out += line("mail_options", job.mail_options);
  if (!job.mail_list.empty()) out += line("mail_list", job.mail_list);
  out += line("notify", "FALSE");
  out += line("job_name", job.name);
  if (!job.stdout_path.empty()) out += line("stdout_path_list", "NONE:NONE:" + job.stdout_path);
  if (job.posix_priority != 0) out += line("priority", std::to_string(job.posix_priority));
  if (!job.hard_queue.empty()) out += line("hard_queue_list", job.hard_queue);
  if (job.rerunnable) out += line("restart", "y");
  if (!job.environment.empty()) out += line("env_list", join_pairs(job.environment));
  if (!job.job_args.empty()) out += line("job_args", join(job.job_args, ","));
  if (!job.script_file.empty()) out += line("script_file", job.script_file);
  if (!job.image_rule.empty()) out += line("image_rule", job.image_rule);
  // Grid Engine's own widths (show_job.c): these three labels do not follow column 28.
  if (!job.predecessor_requests.empty())
    out += "jid_predecessor_list (req):  " + join(job.predecessor_requests, ",") + "\n";
  auto numbers = [](const std::vector<long long>& ids) {
    std::vector<std::string> words;
    for (long long id : ids) words.push_back(std::to_string(id));
    return join(words, ",");
  };
  if (!job.predecessor_jobs.empty())
    out += "jid_predecessor_list:       " + numbers(job.predecessor_jobs) + "\n";
  if (!job.successor_jobs.empty())
    out += "jid_successor_list:          " + numbers(job.successor_jobs) + "\n";
  if (!job.array_predecessor_requests.empty())
    out += "ja_ad_predecessor_list (req):  " + join(job.array_predecessor_requests, ",") + "\n";
  if (!job.array_predecessor_jobs.empty())
    out += "ja_ad_predecessor_list:       " + numbers(job.array_predecessor_jobs) + "\n";
  if (job.array) out += line("job-array tasks", array_string(job));
  for (const TaskRecord& task : job.tasks) {
    if (task_section(task) != TaskSection::Running) continue;
    const std::string cpu = format_cpu_time(task.cpu_time.value_or(std::chrono::seconds(0)));
    const std::string maxvmem =
        task.max_memory_bytes ? format_memory(*task.max_memory_bytes) : std::string("N/A");
    out += line(format("usage %9d", task_number(task)),
                "cpu=" + cpu + ", mem=0.00000 GB s, io=0.00000 GB, vmem=N/A, maxvmem=" + maxvmem);
  }
  bool first = true;
  for (const auto& [number, reason] : error_reasons(job)) {
    out += format("%s %4d:          %s\n", first ? "error reason" : "            ", number,
                  reason.c_str());
    first = false;
  }
  const std::vector<std::string> messages = scheduling_messages(job);
  for (size_t i = 0; i < messages.size(); ++i) {
    out +=
        (i == 0 ? line("scheduling info", messages[i]) : std::string(28, ' ') + messages[i] + "\n");
  }
  return out;
}

// Grid Engine's job status codes (JAT_status).
int status_code(const TaskRecord& task) {
  switch (task.state) {
    case JobState::Starting:
      return 0x40;  // JTRANSFERING
    case JobState::Running:
    case JobState::Restarted:
    case JobState::Deleting:
      return task.deleting_while_starting ? 0x40 : 0x80;  // JRUNNING
    case JobState::Succeeded:
    case JobState::Failed:
      return 0x10000;  // JFINISHED
    default:
      return 0;  // JIDLE
  }
}

// -m letters as Grid Engine's bit mask (JB_mail_options).
unsigned mail_mask(const std::string& letters) {
  unsigned mask = 0;
  for (char c : letters) {
    switch (c) {
      case 'a':
        mask |= 0x00040000u;
        break;
      case 'b':
        mask |= 0x00080000u;
        break;
      case 'e':
        mask |= 0x00100000u;
        break;
      case 'n':
        mask |= 0x00200000u;
        break;
      case 's':
        mask |= 0x00400000u;
        break;
      default:
        break;
    }
  }
  return mask;
}

void path_list(XmlWriter& xml, const std::string& element, const std::string& path) {
  xml.open(element);
  if (!path.empty()) {
    xml.open("path_list");
    xml.leaf("PN_path", path);
    xml.leaf("PN_host", "");
    xml.leaf("PN_file_host", "");
    xml.leaf("PN_file_staging", "false");
    xml.close("path_list");
  }
  xml.close(element);
}

void empty_list(XmlWriter& xml, const std::string& element) {
  xml.open(element);
  xml.close(element);
}

void range(XmlWriter& xml, const std::string& element, int min, int max, int step) {
  xml.open(element);
  xml.leaf("RN_min", std::to_string(min));
  xml.leaf("RN_max", std::to_string(max));
  xml.leaf("RN_step", std::to_string(step));
  xml.close(element);
}

// A request's numeric value as Grid Engine stores it: memory suffixes k/m/g/t are powers of
// 1000, K/M/G/T of 1024; h:m:s times become seconds. Anything else is 0.
double request_value(const std::string& value) {
  if (value.find(':') != std::string::npos) {
    double total = 0;
    size_t start = 0;
    while (true) {
      const size_t colon = value.find(':', start);
      const std::string part = value.substr(start, colon - start);
      total = total * 60 + (part.empty() ? 0 : std::strtod(part.c_str(), nullptr));
      if (colon == std::string::npos) return total;
      start = colon + 1;
    }
  }
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return 0;
  const std::string suffix(end);
  if (suffix.empty()) return number;
  if (suffix.size() != 1) return 0;
  const std::string units = "kmgt";
  const size_t lower = units.find(suffix[0]);
  const size_t upper = std::string("KMGT").find(suffix[0]);
  if (lower != std::string::npos) return number * std::pow(1000.0, static_cast<double>(lower + 1));
  if (upper != std::string::npos) return number * std::pow(1024.0, static_cast<double>(upper + 1));
  return 0;
}

void resource_list(XmlWriter& xml, const std::string& element,
                   const std::vector<std::pair<std::string, std::string>>& resources) {
  xml.open(element);
  for (const auto& [name, value] : resources) {
    const std::string number = format("%.6f", request_value(value));
    xml.open("qstat_l_requests");
    xml.leaf("CE_name", name);
    xml.leaf("CE_valtype", "0");
    xml.leaf("CE_stringval", value);
    xml.leaf("CE_doubleval", number);
    xml.leaf("CE_relop", "0");
    xml.leaf("CE_consumable", "false");
    xml.leaf("CE_dominant", "0");
    xml.leaf("CE_pj_doubleval", number);
    xml.leaf("CE_pj_dominant", "0");
    xml.leaf("CE_requestable", "0");
    xml.leaf("CE_tagged", "0");
    xml.close("qstat_l_requests");
  }
  xml.close(element);
}

void detail_xml(XmlWriter& xml, const JobRecord& job, const TimeZone& zone) {
  xml.open("qmaster_response");
  xml.leaf("JB_job_number", std::to_string(job.id));
  xml.leaf("JB_ar", "0");
  xml.leaf("JB_exec_file", "");
  if (!is_epoch(job.submission_time)) {
    xml.leaf("JB_submission_time", format_xml_time(job.submission_time, zone));
  }
  xml.leaf("JB_owner", job.owner);
  if (job.uid) xml.leaf("JB_uid", std::to_string(*job.uid));
  xml.leaf("JB_group", job.group);
  if (job.gid) xml.leaf("JB_gid", std::to_string(*job.gid));
  xml.leaf("JB_account", job.account);
  xml.leaf("JB_merge_stderr", job.merge_output ? "true" : "false");
  xml.open("JB_mail_list");
  if (!job.mail_list.empty()) {
    const size_t at = job.mail_list.find('@');
    xml.open("element");
    xml.leaf("MR_user", job.mail_list.substr(0, at));
    xml.leaf("MR_host", at == std::string::npos ? "" : job.mail_list.substr(at + 1));
    xml.close("element");
  }
  xml.close("JB_mail_list");
  xml.leaf("JB_project", "");
  xml.leaf("JB_notify", "false");
  xml.leaf("JB_job_name", job.name);
  path_list(xml, "JB_stdout_path_list", job.stdout_path);
  xml.leaf("JB_jobshare", "0");
  resource_list(xml, "JB_hard_resource_list", job.hard_resources);
  empty_list(xml, "JB_soft_resource_list");
  xml.open("JB_hard_queue_list");
  if (!job.hard_queue.empty()) {
    xml.open("destin_ident_list");
    xml.leaf("QR_name", job.hard_queue);
    xml.close("destin_ident_list");
  }
  xml.close("JB_hard_queue_list");
  empty_list(xml, "JB_soft_queue_list");
  empty_list(xml, "JB_shell_list");
  xml.open("JB_env_list");
  for (const auto& [name, value] : job.environment) {
    xml.open("element");
    xml.leaf("VA_variable", name);
    xml.leaf("VA_value", value);
    xml.close("element");
  }
  xml.close("JB_env_list");
  xml.open("JB_job_args");
  for (const std::string& arg : job.job_args) {
    xml.open("element");
    xml.leaf("ST_name", arg);
    xml.close("element");
  }
  xml.close("JB_job_args");
  xml.leaf("JB_script_file", job.script_file);
  xml.open("JB_ja_tasks");
  for (const TaskRecord& task : job.tasks) {
    xml.open("ulong_sublist");
    xml.leaf("JAT_status", std::to_string(status_code(task)));
    xml.leaf("JAT_task_number", std::to_string(task_number(task)));
    if (task.cpu_time || task.max_memory_bytes) {
      xml.open("JAT_scaled_usage_list");
      if (task.cpu_time) {
        xml.open("element");
        xml.leaf("UA_name", "cpu");
        xml.leaf("UA_value", std::to_string(task.cpu_time->count()));
        xml.close("element");
      }
      if (task.max_memory_bytes) {
        xml.open("element");
        xml.leaf("UA_name", "maxvmem");
        xml.leaf("UA_value", std::to_string(*task.max_memory_bytes));
        xml.close("element");
      }
      xml.close("JAT_scaled_usage_list");
    }
    xml.close("ulong_sublist");
  }
  xml.close("JB_ja_tasks");
  empty_list(xml, "JB_context");
  xml.leaf("JB_cwd", job.cwd);
  path_list(xml, "JB_stderr_path_list", job.stderr_path);
  xml.open("JB_jid_predecessor_list");
  for (long long id : job.predecessor_jobs) {
    xml.open("job_predecessors");
    xml.leaf("JRE_job_number", std::to_string(id));
    xml.close("job_predecessors");
  }
  xml.close("JB_jid_predecessor_list");
  empty_list(xml, "JB_jid_successor_list");
  const long long execution =
      job.execution_time
          ? std::chrono::duration_cast<std::chrono::seconds>(job.execution_time->time_since_epoch())
                .count()
          : 0;
  xml.leaf("JB_execution_time", std::to_string(execution));
  xml.leaf("JB_checkpoint_name", "");
  xml.leaf("JB_checkpoint_attr", "0");
  xml.leaf("JB_checkpoint_interval", "0");
  xml.leaf("JB_directive_prefix", "#$");
  xml.leaf("JB_reserve", "false");
  xml.leaf("JB_mail_options", std::to_string(mail_mask(job.mail_options)));
  empty_list(xml, "JB_stdin_path_list");
  xml.leaf("JB_priority", std::to_string(kBasePriority + job.posix_priority));
  xml.leaf("JB_restart", job.rerunnable ? "1" : "0");
  xml.leaf("JB_verify", "0");
  empty_list(xml, "JB_master_hard_queue_list");
  xml.leaf("JB_script_size", "0");
  xml.leaf("JB_pe", "");
  empty_list(xml, "JB_pe_range");
  empty_list(xml, "JB_jid_request_list");
  xml.leaf("JB_verify_suitable_queues", "0");
  xml.leaf("JB_soft_wallclock_gmt", "0");
  xml.leaf("JB_hard_wallclock_gmt", "0");
  xml.leaf("JB_override_tickets", "0");
  xml.leaf("JB_version", "0");
  const jobs::ArrayRange array = job.array.value_or(jobs::ArrayRange{});
  xml.open("JB_ja_structure");
  range(xml, "task_id_range", array.first, array.last, array.step);
  xml.close("JB_ja_structure");
  xml.leaf("JB_type", "0");
  xml.leaf("JB_ja_task_concurrency", "0");
  xml.close("qmaster_response");
}

}  // namespace

std::string format_cpu_time(std::chrono::seconds cpu) {
  long long secs = std::max<long long>(0, cpu.count());
  const long long days = secs / 86400;
  secs %= 86400;
  if (days > 0) {
    return format("%lld:%02lld:%02lld:%02lld", days, secs / 3600, (secs % 3600) / 60, secs % 60);
  }
  return format("%02lld:%02lld:%02lld", secs / 3600, (secs % 3600) / 60, secs % 60);
}

std::string format_memory(long long bytes) {
  static constexpr const char* kUnits = "KMGT";
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024.0 && unit < 3) {
    value /= 1024.0;
    ++unit;
  }
  if (unit < 0) return format("%.3f", value);
  return format("%.3f%c", value, kUnits[unit]);
}

std::string render_job_detail(const std::vector<JobRecord>& jobs, const TimeZone& zone) {
  std::string out;
  for (const JobRecord& job : jobs) out += detail_block(job, zone);
  return out;
}

std::string render_job_detail_xml(const std::vector<JobRecord>& jobs, const TimeZone& zone) {
  XmlWriter xml;
  xml.open("detailed_job_info", format(" xmlns:xsd=\"%s\"", kDetailSchema));
  xml.open("djob_info");
  for (const JobRecord& job : jobs) detail_xml(xml, job, zone);
  xml.close("djob_info");
  xml.open("messages");
  xml.open("qmaster_response");
  xml.open("SME_global_message_list");
  int number = 0;
  for (const JobRecord& job : jobs) {
    for (const std::string& message : scheduling_messages(job)) {
      xml.open("element");
      xml.leaf("MES_message_number", std::to_string(++number));
      xml.leaf("MES_message", message);
      xml.close("element");
    }
  }
  xml.close("SME_global_message_list");
  xml.close("qmaster_response");
  xml.close("messages");
  xml.close("detailed_job_info");
  return xml.str();
}

std::string render_missing_jobs(const std::vector<std::string>& ids) {
  return "Following jobs do not exist: \n" + join(ids, ", ") + "\n";
}

}  // namespace k8sjobs::qstat
