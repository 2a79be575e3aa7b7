// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/acct/report.h"

#include <cstdio>
#include <map>

namespace k8sjobs::acct {

namespace {

constexpr const char* kRule = "==============================================================\n";

// Grid Engine's "%-13.12s%-20s\n".
void field(std::string& out, const std::string& label, const std::string& value) {
  char line[64];
  std::snprintf(line, sizeof line, "%-13.12s", label.c_str());
  out += line;
  out += value;
  if (value.size() < 20) out.append(20 - value.size(), ' ');
  out += '\n';
}

std::string fixed3(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

std::string time_or_undefined(const std::optional<TimePoint>& time, const qstat::TimeZone& zone) {
  return time ? qstat::format_ctime(*time, zone) : "-/-";
}

struct Totals {
  double wallclock = 0;
  double cpu = 0;
};

void totals_row(std::string& out, const Totals& totals) {
  char line[160];
  std::snprintf(line, sizeof line, "%13.0f %13.3f %13.3f %13.3f %18.3f %18.3f %18.3f\n",
                totals.wallclock, 0.0, 0.0, totals.cpu, 0.0, 0.0, 0.0);
  out += line;
}

}  // namespace

std::string format_memory(long long bytes) {
  constexpr double kKi = 1024.0;
  const double value = static_cast<double>(bytes);
  char text[64];
  if (value >= kKi * kKi * kKi) {
    std::snprintf(text, sizeof text, "%.3fG", value / (kKi * kKi * kKi));
  } else if (value >= kKi * kKi) {
    std::snprintf(text, sizeof text, "%.3fM", value / (kKi * kKi));
  } else if (value >= kKi) {
    std::snprintf(text, sizeof text, "%.3fK", value / kKi);
  } else {
    std::snprintf(text, sizeof text, "%.3f", value);
  }
  return text;
}

std::string format_job_records(const std::vector<AccountingRecord>& records,
                               const qstat::TimeZone& zone) {
  std::string out;
  for (const auto& record : records) {
    out += kRule;
    field(out, "qname", record.qname.empty() ? "task" : record.qname);
    field(out, "hostname", record.hostname.empty() ? "-" : record.hostname);
    field(out, "group", record.group.empty() ? record.owner : record.group);
    field(out, "owner", record.owner);
    field(out, "project", "NONE");
    field(out, "department", "defaultdepartment");
    field(out, "jobname", record.jobname);
    field(out, "jobnumber", std::to_string(record.jobnumber));
    field(out, "taskid", record.taskid == 0 ? "undefined" : std::to_string(record.taskid));
    field(out, "account", record.account.empty() ? "sge" : record.account);
    field(out, "priority", std::to_string(record.priority));
    field(out, "qsub_time", time_or_undefined(record.qsub_time, zone));
    field(out, "start_time", time_or_undefined(record.start_time, zone));
    field(out, "end_time", time_or_undefined(record.end_time, zone));
    field(out, "granted_pe", "NONE");
    field(out, "slots", std::to_string(record.slots));
    field(out, "failed", std::to_string(record.failed));
    field(out, "exit_status", std::to_string(record.exit_status));
    field(out, "ru_wallclock", std::to_string(record.ru_wallclock));
    field(out, "ru_utime", "0.000");
    field(out, "ru_stime", "0.000");
    for (const char* counter : {"ru_maxrss", "ru_ixrss", "ru_ismrss", "ru_idrss", "ru_isrss",
                                "ru_minflt", "ru_majflt", "ru_nswap", "ru_inblock", "ru_oublock",
                                "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw"})
      field(out, counter, "0");
    field(out, "cpu", fixed3(record.cpu_seconds.value_or(0.0)));
    field(out, "mem", "0.000");
    field(out, "io", "0.000");
    field(out, "iow", "0.000");
    field(out, "maxvmem", record.maxvmem_bytes ? format_memory(*record.maxvmem_bytes) : "0.000");
    field(out, "arid", "undefined");
    field(out, "ar_sub_time", "undefined");
    field(out, "category", record.granted.empty() ? "-" : record.granted);
  }
  return out;
}

std::string format_summary(const std::vector<AccountingRecord>& records, bool by_owner) {
  std::string out;
  const std::string header =
      "    WALLCLOCK         UTIME         STIME           CPU             MEMORY"
      "                 IO                IOW\n";
  if (!by_owner) {
    Totals totals;
    for (const auto& record : records) {
      totals.wallclock += static_cast<double>(record.ru_wallclock);
      totals.cpu += record.cpu_seconds.value_or(0.0);
    }
    out += "Total System Usage\n";
    out += header;
    out.append(header.size() - 1, '=');
    out += '\n';
    totals_row(out, totals);
    return out;
  }
  std::map<std::string, Totals> per_owner;
  for (const auto& record : records) {
    Totals& totals = per_owner[record.owner];
    totals.wallclock += static_cast<double>(record.ru_wallclock);
    totals.cpu += record.cpu_seconds.value_or(0.0);
  }
  out += "OWNER     " + header;
  out.append(10 + header.size() - 1, '=');
  out += '\n';
  for (const auto& [owner, totals] : per_owner) {
    char name[16];
    std::snprintf(name, sizeof name, "%-10.10s", owner.c_str());
    out += name;
    totals_row(out, totals);
  }
  return out;
}

}  // namespace k8sjobs::acct
