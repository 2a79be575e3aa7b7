#include "k8sjobs/qstat/listing.h"

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <set>
#include <stdexcept>
#include <tuple>

#include "format_util.h"
#include "k8sjobs/qstat/xml.h"

namespace k8sjobs::qstat {

using detail::format;
using jobs::JobRecord;
using jobs::JobState;
using jobs::TaskRecord;

namespace {

constexpr const char* kQstatSchema =
    "http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd";
// Grid Engine's default queue type: batch, interactive, parallel.
constexpr const char* kQueueType = "BIP";
constexpr const char* kHashes =
    "############################################################################";
constexpr const char* kPendingBanner =
    " - PENDING JOBS - PENDING JOBS - PENDING JOBS - PENDING JOBS - PENDING JOBS";
constexpr const char* kFinishedBanner =
    " --  FINISHED JOBS  -  FINISHED JOBS  -  FINISHED JOBS  -  FINISHED JOBS  --  ";
constexpr const char* kIndent = "       ";  // QSTAT_INDENT

// One line of the listing: a running task, a group of pending tasks of one job that share a
// state, or a job's finished tasks. The job is the table's; `record` is the full JobRecord
// when the caller has one (only -r reads it).
struct Row {
  const jobs::TableJob* job = nullptr;
  const JobRecord* record = nullptr;
  std::string state;
  TaskSection section = TaskSection::Pending;
  std::string queue;       // running rows only
  std::string task_field;  // array jobs only: "3" or "1-10:1"
  jobs::TimePoint time;
  int group_rank = 0;     // order of pending groups inside one job
  int first_task_id = 0;  // tie-breaker
};

bool user_selected(const ListingOptions& options, std::string_view owner) {
  if (options.users.empty()) return true;
  return std::any_of(options.users.begin(), options.users.end(),
                     [&](const std::string& user) { return user == "*" || user == owner; });
}

int step_of(const jobs::TableJob& job) {
  return job.is_array ? std::max(1, job.array.step) : 1;
}

// The state functions read a task's state and deletion flag only.
TaskRecord state_of(const jobs::TableTask& task) {
  TaskRecord record;
  record.state = task.state;
  record.deleting_while_starting = task.deleting_while_starting;
  return record;
}

std::string queue_name(bool continuous, std::string_view node) {
  std::string queue = continuous ? "continuous" : "task";
  if (!node.empty()) {
    queue += '@';
    queue += node;
  }
  return queue;
}

// Enrolled error tasks first, then waiting ones by hold state, as Grid Engine lists them.
int pending_rank(JobState state) {
  switch (state) {
    case JobState::Error:
      return 0;
    case JobState::Pending:
      return 1;
    default:
      return 2;
  }
}

// `records`: empty, or the table's jobs as full records (same order), for -r.
std::vector<Row> build_rows(const jobs::JobTable& table, const std::vector<JobRecord>* records,
                            const ListingOptions& options) {
  std::vector<Row> rows;
  // At most a row per task: reserved, so that 100,000 rows are not copied on the way.
  rows.reserve(table.tasks.size());
  const JobRecord unused;
  std::map<std::tuple<int, std::string>, std::vector<int>> pending_groups;
  std::vector<int> finished_ids;
  for (size_t j = 0; j < table.jobs.size(); ++j) {
    const jobs::TableJob& job = table.jobs[j];
    if (!user_selected(options, job.owner)) continue;
    const JobRecord* record = records != nullptr ? &(*records)[j] : nullptr;
    const bool is_array = job.is_array;
    // state letters -> task ids, per section, for grouping
    pending_groups.clear();
    finished_ids.clear();
    for (const jobs::TableTask& lean : table.tasks_of(job)) {
      const TaskRecord task = state_of(lean);
      if (!filter_shows(options.states, task)) continue;
      switch (task_section(task)) {
        case TaskSection::Running: {
          Row row;
          row.job = &job;
          row.record = record;
          row.state = state_letters(unused, task);
          row.section = TaskSection::Running;
          row.queue = queue_name(job.continuous, lean.node);
          row.task_field = is_array ? std::to_string(lean.task_id) : "";
          row.time = lean.has_start_time ? lean.start_time : job.submission_time;
          row.first_task_id = lean.task_id;
          rows.push_back(std::move(row));
          break;
        }
        case TaskSection::Pending:
          pending_groups[{pending_rank(task.state), state_letters(unused, task)}].push_back(
              lean.task_id);
          break;
        case TaskSection::Finished:
          finished_ids.push_back(lean.task_id);
          break;
      }
    }
    for (auto& [key, ids] : pending_groups) {
      Row row;
      row.job = &job;
      row.record = record;
      row.state = std::get<1>(key);
      row.section = TaskSection::Pending;
      row.group_rank = std::get<0>(key);
      row.first_task_id = *std::min_element(ids.begin(), ids.end());
      row.task_field = is_array ? task_range_string(ids, step_of(job)) : "";
      row.time = job.submission_time;
      rows.push_back(std::move(row));
    }
    if (!finished_ids.empty()) {
      Row row;
      row.job = &job;
      row.record = record;
      row.state = "z";
      row.section = TaskSection::Finished;
      row.first_task_id = *std::min_element(finished_ids.begin(), finished_ids.end());
      row.task_field = is_array ? task_range_string(finished_ids, step_of(job)) : "";
      row.time = job.submission_time;
      rows.push_back(std::move(row));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.section != b.section) return a.section < b.section;
    switch (a.section) {
      case TaskSection::Running:
        return std::tie(a.queue, a.job->id, a.first_task_id) <
               std::tie(b.queue, b.job->id, b.first_task_id);
      case TaskSection::Pending:
        if (a.job->priority != b.job->priority) return a.job->priority > b.job->priority;
        return std::tie(a.job->id, a.group_rank, a.first_task_id) <
               std::tie(b.job->id, b.group_rank, b.first_task_id);
      case TaskSection::Finished:
        return a.job->id < b.job->id;
    }
    return false;
  });
  return rows;
}

int effective_width(const ListingOptions& options, const std::vector<std::string>& queue_names) {
  if (options.queue_name_width >= 0) return options.queue_name_width;
  size_t longest = 30;
  for (const std::string& name : queue_names) longest = std::max(longest, name.size());
  return static_cast<int>(longest);
}

// printf's %-N.Ns of a string that may hold a NUL (which ends it, as c_str() did).
int shown_length(std::string_view text, size_t most) {
  return static_cast<int>(std::min(std::min(text.size(), most), text.find('\0')));
}

void append_job_line(std::string& out, const Row& row, const TimeZone& zone, bool with_queue,
                     int width) {
  const jobs::TableJob& job = *row.job;
  out += format("%7lld %7.5f %-10.*s %-12.*s %-5.5s %s ", job.id, job.priority,
                shown_length(job.name, 10), job.name.data(), shown_length(job.owner, 12),
                job.owner.data(), row.state.c_str(), format_listing_time(row.time, zone).c_str());
  if (with_queue) out += format("%-*.*s ", width, width, row.queue.c_str());
  out += format("%5d ", job.slots);
  out += job.is_array ? row.task_field : "       ";
  out += '\n';
}

std::string job_line(const Row& row, const TimeZone& zone, bool with_queue, int width) {
  std::string line;
  append_job_line(line, row, zone, with_queue, width);
  return line;
}

// The -r lines under a job row, in Grid Engine's order.
std::string resource_lines(const Row& row) {
  const JobRecord& job = *row.record;
  auto labelled = [](const std::string& label, const std::string& value) {
    const int pad = std::max(1, 17 - static_cast<int>(label.size()));
    return std::string(kIndent) + label + ":" + std::string(static_cast<size_t>(pad), ' ') + value +
           "\n";
  };
  std::string out = labelled("Full jobname", job.name);
  if (row.section == TaskSection::Running) out += labelled("Master Queue", row.queue);
  out += std::string(kIndent) + "Hard Resources:   ";
  if (job.hard_resources.empty()) out += "\n";
  for (size_t i = 0; i < job.hard_resources.size(); ++i) {
    if (i > 0) out += "                         ";
    // The urgency contribution: k8sjobs has no urgency policy, so it is always 0.
    out += job.hard_resources[i].first + "=" + job.hard_resources[i].second + " (0.000000)\n";
  }
  out += std::string(kIndent) + "Soft Resources:   \n";
  if (!job.hard_queue.empty()) {
    out += std::string(kIndent) + "Hard requested queues: " + job.hard_queue + "\n";
  }
  if (!job.predecessor_jobs.empty()) {
    out += std::string(kIndent) + "Predecessor Jobs: ";
    for (size_t i = 0; i < job.predecessor_jobs.size(); ++i) {
      out += (i > 0 ? ", " : "") + std::to_string(job.predecessor_jobs[i]);
    }
    out += "\n";
  }
  return out;
}

struct QueueInstance {
  std::string name;
  std::string node;
  int used = 0;
};

// Queue instances of every running task given (before the user filter, like Grid Engine,
// whose -f shows every queue and its full slot usage).
std::vector<QueueInstance> queue_instances(const jobs::JobTable& table) {
  std::map<std::string, QueueInstance> by_name;
  for (const jobs::TableJob& job : table.jobs) {
    for (const jobs::TableTask& task : table.tasks_of(job)) {
      if (task_section(state_of(task)) != TaskSection::Running) continue;
      std::string name = queue_name(job.continuous, task.node);
      QueueInstance& q = by_name[name];
      q.name = std::move(name);
      q.node = std::string(task.node);
      q.used += job.slots;
    }
  }
  std::vector<QueueInstance> out;
  for (auto& [name, q] : by_name) out.push_back(q);
  return out;
}

const NodeInfo* node_info(const ListingOptions& options, const std::string& node) {
  auto it = options.nodes.find(node);
  return it == options.nodes.end() ? nullptr : &it->second;
}

std::string queue_line(const QueueInstance& q, const ListingOptions& options, int width) {
  const NodeInfo* info = node_info(options, q.node);
  const int total = info && info->total_slots ? *info->total_slots : q.used;
  const std::string load =
      info && info->load_avg ? format("%2.2f ", *info->load_avg) : std::string("-NA- ");
  const std::string arch = (info && !info->arch.empty() ? info->arch : "-NA-") + " ";
  const std::string slots = format("%d/%d/%d ", 0, q.used, total);
  return format("%-*.*s %-5.5s %-14.14s %-8.8s %-13.13s %s\n", width, width, q.name.c_str(),
                kQueueType, slots.c_str(), load.c_str(), arch.c_str(),
                info ? info->states.c_str() : "");
}

std::string render_full(const jobs::JobTable& table, const std::vector<Row>& rows,
                        const ListingOptions& options, const TimeZone& zone) {
  const std::vector<QueueInstance> queues = queue_instances(table);
  std::vector<std::string> names;
  for (const QueueInstance& q : queues) names.push_back(q.name);
  const int width = effective_width(options, names);
  std::string out;
  if (!queues.empty()) {
    out += format("%-*.*s %-5.5s %-14.14s %-8.8s %-13.13s %s\n", width, width, "queuename", "qtype",
                  "resv/used/tot.", "load_avg", "arch", "states");
  }
  const std::string rule = std::string(81 + static_cast<size_t>(std::max(0, width - 30)), '-');
  for (const QueueInstance& q : queues) {
    out += rule + "\n" + queue_line(q, options, width);
    for (const Row& row : rows) {
      if (row.section != TaskSection::Running || row.queue != q.name) continue;
      out += job_line(row, zone, false, width);
      if (options.resources) out += resource_lines(row);
    }
  }
  bool pending_started = false;
  bool finished_started = false;
  for (const Row& row : rows) {
    if (row.section == TaskSection::Pending && !pending_started) {
      pending_started = true;
      out += "\n" + std::string(kHashes) + "\n" + kPendingBanner + "\n" + kHashes + "\n";
    }
    if (row.section == TaskSection::Finished && !finished_started) {
      finished_started = true;
      out += "\n" + std::string(kHashes) + "\n" + kFinishedBanner + "\n" + kHashes + "\n";
    }
    if (row.section == TaskSection::Running) continue;
    out += job_line(row, zone, false, width);
    if (options.resources) out += resource_lines(row);
  }
  return out;
}

void xml_job(XmlWriter& xml, const Row& row, bool with_queue, bool resources,
             const TimeZone& zone) {
  const jobs::TableJob& job = *row.job;
  const char* state = row.section == TaskSection::Running   ? "running"
                      : row.section == TaskSection::Pending ? "pending"
                                                            : "finished";
  xml.open("job_list", format("state=\"%s\"", state));
  xml.leaf("JB_job_number", std::to_string(job.id));
  xml.leaf("JAT_prio", format("%.5f", job.priority));
  xml.leaf("JB_name", std::string(job.name));
  xml.leaf("JB_owner", std::string(job.owner));
  xml.leaf("state", row.state);
  if (row.section == TaskSection::Running) {
    xml.leaf("JAT_start_time", format_xml_time(row.time, zone));
  } else {
    xml.leaf("JB_submission_time", format_xml_time(row.time, zone));
  }
  if (with_queue) xml.leaf("queue_name", row.queue);
  xml.leaf("slots", std::to_string(job.slots));
  if (job.is_array) xml.leaf("tasks", row.task_field);
  if (resources && row.record != nullptr) {
    const JobRecord& record = *row.record;
    if (!record.hard_queue.empty()) xml.leaf("hard_req_queue", record.hard_queue);
    for (long long id : record.predecessor_jobs) xml.leaf("predecessor_jobs", std::to_string(id));
  }
  xml.close("job_list");
}

}  // namespace

int queue_name_width_from_env(const sys::Environment& environment) {
  const std::optional<std::string> value = environment.get("SGE_LONG_QNAMES");
  if (!value || value->empty()) return 30;
  char* end = nullptr;
  const long n = std::strtol(value->c_str(), &end, 10);
  if (*end != '\0') return 30;
  if (n == -1) return -1;
  if (n < 10 || n > 1000) return n < 10 ? 10 : 1000;
  return static_cast<int>(n);
}

std::string queue_instance_name(const JobRecord& job, const TaskRecord& task) {
  const std::string queue = job.continuous ? "continuous" : "task";
  return task.node.empty() ? queue : queue + "@" + task.node;
}

std::string task_range_string(std::vector<int> ids, int step) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  step = std::max(1, step);
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] - ids[j] == step) ++j;
    if (!out.empty()) out += ",";
    out += j == i ? std::to_string(ids[i]) : format("%d-%d:%d", ids[i], ids[j], step);
    i = j + 1;
  }
  return out;
}

namespace {

// The listing's text, handed to `sink` in pieces of about kChunk bytes: at 100,000 jobs the
// whole text is 11 MB, which one string (and its doubling on the way there) held twice over.
constexpr size_t kChunk = size_t{64} << 10;

template <class Sink>
void write_rows(const jobs::JobTable& table, const std::vector<JobRecord>* records,
                const ListingOptions& options, const TimeZone& zone, Sink&& sink) {
  if (options.resources && records == nullptr) {
    // -r prints what only full records hold: take the table's jobs as records would give.
    throw std::logic_error("qstat -r needs the full job records");
  }
  const std::vector<Row> rows = build_rows(table, records, options);
  if (options.full) return sink(render_full(table, rows, options, zone));
  if (rows.empty()) return;
  std::vector<std::string> names;
  if (options.queue_name_width < 0) {
    for (const Row& row : rows) names.push_back(row.queue);
  }
  const int width = effective_width(options, names);
  std::string out = format("%-7.7s %s  %-10.10s %-12.12s %-5.5s %s%-*.*s %s %s\n", "job-ID",
                           "prior ", "name", "user", "state", "submit/start at     ", width, width,
                           "queue", "slots", "ja-task-ID ");
  out += std::string(83 + static_cast<size_t>(width), '-') + "\n";
  for (const Row& row : rows) {
    append_job_line(out, row, zone, true, width);
    if (options.resources) out += resource_lines(row);
    if (out.size() >= kChunk) {
      sink(out);
      out.clear();
    }
  }
  if (!out.empty()) sink(out);
}

}  // namespace

std::string render_listing(const std::vector<JobRecord>& jobs, const ListingOptions& options,
                           const TimeZone& zone) {
  const jobs::JobTable table = jobs::table_of(jobs);
  std::string out;
  write_rows(table, &jobs, options, zone, [&](const std::string& text) { out += text; });
  return out;
}

std::string render_table(const jobs::JobTable& table, const ListingOptions& options,
                         const TimeZone& zone) {
  std::string out;
  write_rows(table, nullptr, options, zone, [&](const std::string& text) { out += text; });
  return out;
}

void write_table(std::ostream& out, const jobs::JobTable& table, const ListingOptions& options,
                 const TimeZone& zone) {
  write_rows(table, nullptr, options, zone, [&](const std::string& text) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  });
}

namespace {

std::string listing_xml(const jobs::JobTable& table, const std::vector<JobRecord>* records,
                        const ListingOptions& options, const TimeZone& zone) {
  if (options.resources && records == nullptr) {
    throw std::logic_error("qstat -r needs the full job records");
  }
  const std::vector<Row> rows = build_rows(table, records, options);
  XmlWriter xml;
  // Grid Engine writes two spaces between the root element's name and its attribute.
  xml.open("job_info", format(" xmlns:xsd=\"%s\"", kQstatSchema));
  xml.open("queue_info");
  if (options.full) {
    for (const QueueInstance& q : queue_instances(table)) {
      const NodeInfo* info = node_info(options, q.node);
      xml.open("Queue-List");
      xml.leaf("name", q.name);
      xml.leaf("qtype", kQueueType);
      xml.leaf("slots_resv", "0");
      xml.leaf("slots_used", std::to_string(q.used));
      xml.leaf("slots_total",
               std::to_string(info && info->total_slots ? *info->total_slots : q.used));
      if (info && info->load_avg) xml.leaf("load_avg", format("%.5f", *info->load_avg));
      if (info && !info->arch.empty()) xml.leaf("arch", info->arch);
      if (info && !info->states.empty()) xml.leaf("state", info->states);
      for (const Row& row : rows) {
        if (row.section == TaskSection::Running && row.queue == q.name) {
          xml_job(xml, row, false, options.resources, zone);
        }
      }
      xml.close("Queue-List");
    }
  } else {
    for (const Row& row : rows) {
      if (row.section == TaskSection::Running) xml_job(xml, row, true, options.resources, zone);
    }
  }
  xml.close("queue_info");
  xml.open("job_info");
  for (const Row& row : rows) {
    if (row.section != TaskSection::Running) {
      xml_job(xml, row, !options.full, options.resources, zone);
    }
  }
  xml.close("job_info");
  xml.close("job_info");
  return xml.str();
}

}  // namespace

std::string render_listing_xml(const std::vector<JobRecord>& jobs, const ListingOptions& options,
                               const TimeZone& zone) {
  return listing_xml(jobs::table_of(jobs), &jobs, options, zone);
}

std::string render_table_xml(const jobs::JobTable& table, const ListingOptions& options,
                             const TimeZone& zone) {
  return listing_xml(table, nullptr, options, zone);
}

}  // namespace k8sjobs::qstat
