// SPDX-License-Identifier: Apache-2.0
// The crontab reader (cron/crontab.h) over any text: a user's crontab. Every line becomes one
// Entry holding the line as written; a job's command maps back onto its line byte for byte;
// the grid commands found in it stay inside it.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/cron/crontab.h"

namespace {

using k8sjobs::cron::CronLine;
using k8sjobs::cron::EntryKind;

void check_job(const CronLine& job, std::string_view line) {
  FUZZ_CHECK(job.command_column <= line.size());
  FUZZ_CHECK(line.substr(job.command_column) == job.command_as_typed);
  for (std::size_t i = 0; i < job.command.size(); ++i) {
    const std::size_t at = job.line_offset(i);
    FUZZ_CHECK(at < line.size());
    FUZZ_CHECK(line[at] == job.command[i]);
  }
  FUZZ_CHECK(job.schedule.is_reboot() || !job.schedule.to_kubernetes_schedule().empty());
  const auto scan = k8sjobs::cron::find_grid_commands(job.command);
  for (const auto& command : scan.commands) {
    FUZZ_CHECK(command.begin <= command.end && command.end <= job.command.size());
    FUZZ_CHECK(job.line_offset(command.begin) <= line.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto crontab = k8sjobs::cron::parse_crontab(text);

  std::vector<std::string_view> lines;
  k8sjobs::cron::for_each_line(text, [&](int, std::string_view line) { lines.push_back(line); });
  FUZZ_CHECK(crontab.entries.size() == lines.size());

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& entry = crontab.entries[i];
    FUZZ_CHECK(entry.line == static_cast<int>(i) + 1);
    FUZZ_CHECK(entry.text == lines[i]);
    const EntryKind kind = entry.kind();
    FUZZ_CHECK(k8sjobs::cron::is_job_or_error_line(lines[i]) ==
               (kind == EntryKind::Job || kind == EntryKind::Error));
    if (const auto* job = entry.job()) check_job(*job, lines[i]);
    if (const auto* error = entry.error()) FUZZ_CHECK(!error->reason.empty());
    if (kind == EntryKind::Job) (void)crontab.environment_at(entry.line);
  }
  return 0;
}
