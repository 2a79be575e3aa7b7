// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/status_routes.h"

#include <charconv>
#include <optional>
#include <vector>

#include "k8sjobs/status/status_pages.h"

namespace k8sjobs::status {

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";
constexpr const char* kMetrics = "text/plain; version=0.0.4; charset=utf-8";

std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

std::optional<long long> job_id_of(const std::string& text) {
  long long id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

HttpReply not_found(bool as_json) {
  if (as_json) return {404, kJson, "{\"error\":\"not found\"}\n"};
  return {
      404, kHtml,
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>not "
      "found</title></head><body><p>Not found. <a href=\"/\">All tools</a></p></body></html>\n"};
}

}  // namespace

HttpReply route_status_request(const StatusRequest& request,
                               const std::shared_ptr<const StatusSnapshot>& snapshot, bool ready,
                               const MetricsRegistry& metrics, const JobEventsLookup& events) {
  if (request.method != "GET" && request.method != "HEAD")
    return {405, kText, "method not allowed: this server is read-only\n"};
  const std::string& path = request.path;
  if (path == "/healthz") return {200, kText, "ok\n"};
  if (path == "/readyz")
    return ready && snapshot ? HttpReply{200, kText, "ok\n"}
                             : HttpReply{503, kText, "no fresh snapshot of the cluster yet\n"};
  if (path == "/metrics") return {200, kMetrics, metrics.exposition()};

  auto segments = segments_of(path);
  bool api = segments.size() >= 2 && segments[0] == "api" && segments[1] == "v1";
  if (!snapshot) {
    return {503, api ? kJson : kText,
            api ? "{\"error\":\"no snapshot of the cluster yet\"}\n"
                : "no snapshot of the cluster yet\n"};
  }
  if (api) segments.erase(segments.begin(), segments.begin() + 2);
  if (segments.empty()) {
    if (api) return not_found(true);
    return {200, kHtml, render_overview_html(*snapshot)};
  }
  if (api && segments.size() == 1 && segments[0] == "overview")
    return {200, kJson, render_overview_json(*snapshot)};
  if (segments[0] != "namespaces" || segments.size() < 2) return not_found(api);
  const NamespaceStatus* space = snapshot->find_namespace(segments[1]);
  if (space == nullptr) return not_found(api);
  if (!api && segments.size() == 2) {
    auto sort = request.query.find("sort");
    return {200, kHtml,
            render_tool_html(*snapshot, *space,
                             parse_table_sort(sort == request.query.end() ? "" : sort->second))};
  }
  if (segments[2] != "jobs") return not_found(api);
  if (api && segments.size() == 3) return {200, kJson, render_tool_json(*space)};
  if (segments.size() != 4) return not_found(api);
  auto id = job_id_of(segments[3]);
  const jobs::JobRecord* job = id ? snapshot->find_job(space->name, *id) : nullptr;
  if (job == nullptr) return not_found(api);
  std::optional<JobEvents> found;
  if (events) found = events(space->name, *job);
  const JobEvents* shown = found ? &*found : nullptr;
  return api ? HttpReply{200, kJson, render_job_json(space->name, *job, shown)}
             : HttpReply{200, kHtml, render_job_html(*snapshot, space->name, *job, shown)};
}

}  // namespace k8sjobs::status
