// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/status_pages.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "k8sjobs/qstat/job_detail.h"
#include "k8sjobs/qstat/state.h"
#include "k8sjobs/qstat/time_format.h"
#include "k8sjobs/status/cluster_usage.h"
#include "k8sjobs/text/markup_escape.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::status {

namespace {

using nlohmann::json;

// The states in the overview's columns, in Grid Engine's order; any other is counted in "other".
const std::vector<std::string>& overview_states() {
  static const std::vector<std::string> states = {"qw", "hqw", "t", "r", "Rr", "Eqw", "z"};
  return states;
}

const char* const kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:0 8px;color:#222;background:#fff}"
    "h1{font-size:1.3em}a{color:#0645ad}"
    ".wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}"
    "th,td{padding:3px 6px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}"
    "td.n,th.n{text-align:right}td.r{white-space:normal;max-width:30em}"
    ".Eqw{color:#b00;font-weight:bold}.hqw{color:#a60}"
    "pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:6px}"
    "footer{color:#666;font-size:.85em;margin:1em 0}"
    "@media (max-width:600px){.wide{display:none}body{font-size:13px}}";

// Polls the page's JSON every 10 s and, when it changed, reloads the page's table in place.
// Links and sorting work without it.
const char* const kPollScript =
    "<script>(function(){var u=document.body.getAttribute('data-json');if(!u||!window.fetch)"
    "return;var last=null;setInterval(function(){fetch(u).then(function(r){return r.text()})"
    ".then(function(t){if(last!==null&&t!==last){fetch(location.href).then(function(r){return "
    "r.text()}).then(function(h){var d=new DOMParser().parseFromString(h,'text/html');"
    "var n=d.getElementById('content');if(n)document.getElementById('content').replaceWith(n)"
    "})}last=t}).catch(function(){})},10000)})();</script>";

std::string iso_time(jobs::TimePoint time) {
  return text::format_rfc3339(time);
}

std::string page(const std::string& title, const std::string& json_url, const std::string& body,
                 const StatusSnapshot& snapshot) {
  std::string out;
  out.reserve(body.size() + 2048);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>";
  out += html_escape(title);
  out += "</title><style>";
  out += kStyle;
  out += "</style></head>\n<body data-json=\"" + html_escape(json_url) + "\">\n";
  out += "<div id=\"content\">\n" + body;
  out += "<footer>k8sjobs status, read-only. Snapshot of " + iso_time(snapshot.taken) +
         ". <a href=\"" + html_escape(json_url) + "\">JSON</a></footer>\n</div>\n";
  out += kPollScript;
  out += "\n</body></html>\n";
  return out;
}

// A namespace or other path segment in a URL: only what Kubernetes names hold is kept as is.
std::string url_segment(const std::string& text) {
  static const char* const hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string job_id_text(const StatusRow& row) {
  return std::to_string(row.id) + (row.is_array ? "." + std::to_string(row.task_id) : "");
}

int count_of(const NamespaceStatus& space, const std::string& state) {
  auto found = space.tasks_by_state.find(state);
  return found == space.tasks_by_state.end() ? 0 : found->second;
}

int other_count(const NamespaceStatus& space) {
  int other = 0;
  for (const auto& [state, count] : space.tasks_by_state)
    if (std::find(overview_states().begin(), overview_states().end(), state) ==
        overview_states().end())
      other += count;
  return other;
}

// Text for a <pre>: escaped line by line, so its newlines stay (html_escape drops control
// characters, newlines included).
std::string html_escape_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += html_escape(std::string_view(text).substr(start, end - start));
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

// CPUs for people: "12", "11.8".
std::string cpu_text(long long millis) {
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  const long long tenths = (millis + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json row_json(const StatusRow& row) {
  return json{{"id", row.id},
              {"task", row.is_array ? json(row.task_id) : json(nullptr)},
              {"name", row.name},
              {"owner", row.owner},
              {"state", row.state},
              {"queue", text_or_null(row.queue)},
              {"submitted", iso_time(row.submitted)},
              {"started", row.started ? json(iso_time(*row.started)) : json(nullptr)},
              {"memory", text_or_null(row.memory)},
              {"memory_used_bytes", row.memory_used ? json(*row.memory_used) : json(nullptr)},
              {"restarts", row.restarts},
              {"reason", text_or_null(row.reason)}};
}

// Ties keep job ID then task order, so a sorted table is stable between refreshes.
bool row_less(const StatusRow& a, const StatusRow& b, const std::string& column) {
  auto tie = [](const StatusRow& row) { return std::tie(row.id, row.task_id); };
  auto by = [&](const auto& x, const auto& y) { return x != y ? x < y : tie(a) < tie(b); };
  if (column == "name") return by(a.name, b.name);
  if (column == "state") return by(a.state, b.state);
  if (column == "submitted") return by(a.submitted, b.submitted);
  if (column == "started") return by(a.started, b.started);
  if (column == "queue") return by(a.queue, b.queue);
  if (column == "memory") return by(a.memory, b.memory);
  if (column == "used") return by(a.memory_used, b.memory_used);
  if (column == "restarts") return by(a.restarts, b.restarts);
  return tie(a) < tie(b);
}

const std::vector<std::pair<std::string, std::string>>& table_columns() {
  static const std::vector<std::pair<std::string, std::string>> columns = {
      {"id", "job-ID"},           {"name", "name"},       {"state", "state"},
      {"submitted", "submitted"}, {"started", "started"}, {"queue", "queue"},
      {"memory", "memory"},       {"used", "used"},       {"restarts", "restarts"}};
  return columns;
}

// The job's Events, newest first; their texts come from anyone who may write Events: escaped.
std::string events_html(const JobEvents* events) {
  std::string out = "<h2>Events</h2>\n";
  if (events == nullptr) return out + "<p>Not looked up.</p>\n";
  if (!events->unavailable.empty())
    return out + "<p>Not shown: " + html_escape(events->unavailable) + ".</p>\n";
  if (events->events.empty()) return out + "<p>None (Kubernetes keeps Events for an hour).</p>\n";
  out +=
      "<div class=\"wrap\"><table id=\"events\">\n<thead><tr><th>last seen</th><th>type</th>"
      "<th>reason</th><th class=\"wide\">object</th><th class=\"n\">count</th>"
      "<th>message</th></tr></thead>\n<tbody>\n";
  for (const auto& event : events->events) {
    out += "<tr><td>" + (event.last_seen ? iso_time(*event.last_seen) : std::string()) +
           "</td><td" + (event.type == "Warning" ? " class=\"Eqw\"" : "") + ">" +
           html_escape(event.type) + "</td><td>" + html_escape(event.reason) +
           "</td><td class=\"wide\">" + html_escape(event.object) + "</td><td class=\"n\">" +
           std::to_string(event.count) + "</td><td class=\"r\">" + html_escape(event.message) +
           "</td></tr>\n";
  }
  out += "</tbody></table></div>\n";
  if (events->left_out > 0)
    out += "<p>" + std::to_string(events->left_out) + " older events not shown.</p>\n";
  return out;
}

json events_json(const JobEvents* events) {
  json out = json::array();
  if (events == nullptr || !events->unavailable.empty()) return nullptr;
  for (const auto& event : events->events) {
    out.push_back(json{{"time", event.last_seen ? json(iso_time(*event.last_seen)) : json(nullptr)},
                       {"type", event.type},
                       {"reason", event.reason},
                       {"object", event.object},
                       {"count", event.count},
                       {"message", event.message}});
  }
  return out;
}

}  // namespace

TableSort parse_table_sort(const std::string& text) {
  TableSort sort;
  std::string column = text;
  if (column.starts_with('-')) {
    sort.descending = true;
    column.erase(0, 1);
  }
  for (const auto& [name, title] : table_columns())
    if (name == column) sort.column = column;
  if (sort.column != column) sort.descending = false;
  return sort;
}

std::string html_escape(std::string_view text) {
  return text::escape_markup(text, text::MarkupDialect::html);
}

std::string render_overview_html(const StatusSnapshot& snapshot) {
  std::string body =
      "<h1>k8sjobs: jobs by tool</h1>\n<div class=\"wrap\"><table>\n<thead><tr><th>tool</th>";
  for (const auto& state : overview_states()) body += "<th class=\"n\">" + state + "</th>";
  body +=
      "<th class=\"n wide\">other</th><th class=\"n\" title=\"finished in the last hour\">"
      "1h</th><th class=\"n\">jobs</th><th class=\"n wide\">held</th>"
      "<th class=\"n wide\">deferred</th>";
  if (snapshot.memory_known) body += "<th class=\"n wide\">memory used</th>";
  body += "</tr></thead>\n<tbody>\n";
  std::map<std::string, int> totals;
  int total_jobs = 0, total_held = 0, total_deferred = 0, total_other = 0, total_finished = 0;
  long long total_used = 0;
  for (const auto& [name, space] : snapshot.namespaces) {
    body += "<tr><td><a href=\"/namespaces/" + html_escape(url_segment(name)) + "\">" +
            html_escape(name) + "</a></td>";
    for (const auto& state : overview_states()) {
      int count = count_of(space, state);
      totals[state] += count;
      body += "<td class=\"n " + state + "\">" + std::to_string(count) + "</td>";
    }
    int other = other_count(space);
    total_other += other;
    total_jobs += space.jobs;
    total_held += space.held_jobs;
    total_deferred += space.deferred_jobs;
    total_finished += space.finished_last_hour;
    body += "<td class=\"n wide\">" + std::to_string(other) + "</td><td class=\"n\">" +
            std::to_string(space.finished_last_hour) + "</td><td class=\"n\">" +
            std::to_string(space.jobs) + "</td><td class=\"n wide\">" +
            std::to_string(space.held_jobs) + "</td><td class=\"n wide\">" +
            std::to_string(space.deferred_jobs) + "</td>";
    if (snapshot.memory_known) {
      total_used = add_saturated(total_used, space.memory_used.value_or(0));
      body += "<td class=\"n wide\">" + format_bytes(space.memory_used.value_or(0)) + "</td>";
    }
    body += "</tr>\n";
  }
  body += "</tbody>\n<tfoot><tr><th>total</th>";
  for (const auto& state : overview_states())
    body += "<th class=\"n\">" + std::to_string(totals[state]) + "</th>";
  body += "<th class=\"n wide\">" + std::to_string(total_other) + "</th><th class=\"n\">" +
          std::to_string(total_finished) + "</th><th class=\"n\">" + std::to_string(total_jobs) +
          "</th><th class=\"n wide\">" + std::to_string(total_held) + "</th><th class=\"n wide\">" +
          std::to_string(total_deferred) + "</th>";
  if (snapshot.memory_known) body += "<th class=\"n wide\">" + format_bytes(total_used) + "</th>";
  body +=
      "</tr></tfoot></table></div>\n"
      "<p>Counts are tasks by qstat state (z: finished, still in the cluster; 1h: finished, "
      "completed or failed, in the last hour, also when the job is gone); jobs, held and "
      "deferred count jobs.</p>\n";
  body += "<p id=\"capacity\">Cluster capacity: ";
  if (snapshot.capacity) {
    body += std::to_string(snapshot.capacity->nodes) +
            (snapshot.capacity->nodes == 1 ? " node, " : " nodes, ") +
            cpu_text(snapshot.capacity->cpu_millis) + " CPUs, " +
            format_bytes(snapshot.capacity->memory_bytes) + " of memory allocatable.";
  } else {
    body += "not shown (" + html_escape(snapshot.capacity_note) + ").";
  }
  body += " Memory in use: " +
          (snapshot.memory_known ? format_bytes(total_used) + " by running tasks."
                                 : "unknown (" + html_escape(snapshot.memory_note) + ").") +
          "</p>\n";
  return page("k8sjobs status", "/api/v1/overview", body, snapshot);
}

std::string render_overview_json(const StatusSnapshot& snapshot) {
  json namespaces = json::array();
  for (const auto& [name, space] : snapshot.namespaces) {
    json states = json::object();
    for (const auto& [state, count] : space.tasks_by_state) states[state] = count;
    namespaces.push_back(
        json{{"name", name},
             {"jobs", space.jobs},
             {"tasks", space.rows.size()},
             {"held_jobs", space.held_jobs},
             {"deferred_jobs", space.deferred_jobs},
             {"finished_last_hour", space.finished_last_hour},
             {"memory_used_bytes", space.memory_used ? json(*space.memory_used) : json(nullptr)},
             {"tasks_by_state", std::move(states)}});
  }
  json capacity = nullptr;
  if (snapshot.capacity) {
    capacity = json{{"nodes", snapshot.capacity->nodes},
                    {"cpu_millicores", snapshot.capacity->cpu_millis},
                    {"memory_bytes", snapshot.capacity->memory_bytes}};
  }
  return dump(json{{"snapshot", iso_time(snapshot.taken)},
                   {"capacity", std::move(capacity)},
                   {"capacity_note", text_or_null(snapshot.capacity_note)},
                   {"memory_note", text_or_null(snapshot.memory_note)},
                   {"namespaces", std::move(namespaces)}});
}

std::string render_tool_html(const StatusSnapshot& snapshot, const NamespaceStatus& space,
                             const TableSort& sort) {
  std::vector<const StatusRow*> rows;
  rows.reserve(space.rows.size());
  for (const auto& row : space.rows) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [&](const StatusRow* a, const StatusRow* b) {
    return sort.descending ? row_less(*b, *a, sort.column) : row_less(*a, *b, sort.column);
  });
  const std::string base = "/namespaces/" + html_escape(url_segment(space.name));
  std::string body = "<p><a href=\"/\">all tools</a></p>\n<h1>" + html_escape(space.name) + ": " +
                     std::to_string(space.jobs) +
                     " jobs</h1>\n<div class=\"wrap\"><table>\n<thead><tr>";
  for (const auto& [column, title] : table_columns()) {
    bool current = column == sort.column;
    std::string next = current && !sort.descending ? "-" + column : column;
    bool wide =
        column == "submitted" || column == "queue" || column == "memory" || column == "used";
    body += std::string("<th") + (wide ? " class=\"wide\"" : "") + "><a href=\"" + base +
            "?sort=" + next + "\">" + title +
            (current ? (sort.descending ? " &#9660;" : " &#9650;") : "") + "</a></th>";
  }
  body += "<th>reason</th></tr></thead>\n<tbody>\n";
  for (const StatusRow* row : rows) {
    body += "<tr><td><a href=\"" + base + "/jobs/" + std::to_string(row->id) + "\">" +
            job_id_text(*row) + "</a></td><td>" + html_escape(row->name) + "</td><td class=\"" +
            html_escape(row->state) + "\">" + html_escape(row->state) + "</td><td class=\"wide\">" +
            iso_time(row->submitted) + "</td><td>" + (row->started ? iso_time(*row->started) : "") +
            "</td><td class=\"wide\">" + html_escape(row->queue) + "</td><td class=\"wide\">" +
            html_escape(row->memory) + "</td><td class=\"n wide\">" +
            (row->memory_used ? format_bytes(*row->memory_used) : std::string()) +
            "</td><td class=\"n\">" + std::to_string(row->restarts) + "</td><td class=\"r\">" +
            html_escape(row->reason) + "</td></tr>\n";
  }
  body += "</tbody></table></div>\n";
  return page(space.name + ": k8sjobs status",
              "/api/v1/namespaces/" + url_segment(space.name) + "/jobs", body, snapshot);
}

std::string render_tool_json(const NamespaceStatus& space) {
  json rows = json::array();
  for (const auto& row : space.rows) rows.push_back(row_json(row));
  return dump(json{{"namespace", space.name}, {"jobs", std::move(rows)}});
}

std::string render_job_html(const StatusSnapshot& snapshot, const std::string& ns,
                            const jobs::JobRecord& job, const JobEvents* events) {
  const std::string base = "/namespaces/" + html_escape(url_segment(ns));
  std::string body = "<p><a href=\"/\">all tools</a> / <a href=\"" + base + "\">" +
                     html_escape(ns) + "</a></p>\n<h1>job " + std::to_string(job.id) + ": " +
                     html_escape(job.name) +
                     "</h1>\n<div class=\"wrap\"><table>\n<thead><tr>"
                     "<th>task</th><th>state</th><th>started</th><th>queue</th><th>restarts</th>"
                     "<th>reason</th></tr></thead>\n<tbody>\n";
  for (const auto& task : job.tasks) {
    std::string state = qstat::state_letters(job, task);
    std::string reason = !task.error_reason.empty() ? task.error_reason : task.scheduling_info;
    body += "<tr><td>" + (job.array ? std::to_string(task.task_id) : std::string("-")) +
            "</td><td class=\"" + html_escape(state) + "\">" + html_escape(state) + "</td><td>" +
            (task.start_time ? iso_time(*task.start_time) : "") + "</td><td>" +
            html_escape(task.node) + "</td><td class=\"n\">" + std::to_string(task.restarts) +
            "</td><td class=\"r\">" + html_escape(reason) + "</td></tr>\n";
  }
  body += "</tbody></table></div>\n" + events_html(events) + "<h2>qstat -j " +
          std::to_string(job.id) + "</h2>\n<pre>" +
          html_escape_lines(qstat::render_job_detail({job}, qstat::TimeZone::utc())) + "</pre>\n";
  return page("job " + std::to_string(job.id) + ": k8sjobs status",
              "/api/v1/namespaces/" + url_segment(ns) + "/jobs/" + std::to_string(job.id), body,
              snapshot);
}

std::string render_job_json(const std::string& ns, const jobs::JobRecord& job,
                            const JobEvents* events) {
  json tasks = json::array();
  for (const auto& task : job.tasks) {
    tasks.push_back(json{
        {"task", job.array ? json(task.task_id) : json(nullptr)},
        {"state", qstat::state_letters(job, task)},
        {"started", task.start_time ? json(iso_time(*task.start_time)) : json(nullptr)},
        {"node", text_or_null(task.node)},
        {"restarts", task.restarts},
        {"exit_code", task.exit_code ? json(*task.exit_code) : json(nullptr)},
        {"reason",
         text_or_null(!task.error_reason.empty() ? task.error_reason : task.scheduling_info)}});
  }
  json resources = json::object();
  for (const auto& [name, value] : job.hard_resources) resources[name] = value;
  return dump(json{
      {"namespace", ns},
      {"id", job.id},
      {"name", job.name},
      {"owner", job.owner},
      {"queue", job.continuous ? "continuous" : "task"},
      {"submitted", iso_time(job.submission_time)},
      {"execution_time", job.execution_time ? json(iso_time(*job.execution_time)) : json(nullptr)},
      {"hard_resources", std::move(resources)},
      {"predecessors", job.predecessor_jobs},
      {"reason", text_or_null(job.error_reason)},
      {"tasks", std::move(tasks)},
      {"events", events_json(events)},
      {"events_left_out", events ? events->left_out : 0},
      {"events_unavailable", events ? text_or_null(events->unavailable) : json("not looked up")},
      {"qstat_j", qstat::render_job_detail({job}, qstat::TimeZone::utc())}});
}

}  // namespace k8sjobs::status
