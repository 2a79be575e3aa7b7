// SPDX-License-Identifier: Apache-2.0
#pragma once
// The status pages as HTML (hand-written, no external resources, readable at a phone's width
// and without JavaScript) and as JSON (the stable /api/v1 schema of docs/admin.md). Pure:
// snapshot in, text out. Everything from the cluster is escaped; control characters dropped.

#include <string>

#include "k8sjobs/status/job_events.h"
#include "k8sjobs/status/status_snapshot.h"

namespace k8sjobs::status {

// A tool's table, sorted by one column: "id" (default), "name", "state", "submitted",
// "started", "queue", "memory", "restarts"; a leading '-' reverses.
struct TableSort {
  std::string column = "id";
  bool descending = false;
};
TableSort parse_table_sort(const std::string& text);

std::string render_overview_html(const StatusSnapshot& snapshot);
std::string render_overview_json(const StatusSnapshot& snapshot);
std::string render_tool_html(const StatusSnapshot& snapshot, const NamespaceStatus& space,
                             const TableSort& sort);
std::string render_tool_json(const NamespaceStatus& space);
// `events`: the job's recent Kubernetes Events; null when none were looked up.
std::string render_job_html(const StatusSnapshot& snapshot, const std::string& ns,
                            const jobs::JobRecord& job, const JobEvents* events = nullptr);
std::string render_job_json(const std::string& ns, const jobs::JobRecord& job,
                            const JobEvents* events = nullptr);

// Text for an HTML element or attribute: & < > " ' escaped, control characters dropped.
std::string html_escape(std::string_view text);

}  // namespace k8sjobs::status
