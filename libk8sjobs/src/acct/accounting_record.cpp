// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/acct/accounting_record.h"

#include <cmath>
#include <limits>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::acct {

using nlohmann::json;
namespace untrusted = jobs::untrusted;

namespace {

// Seconds since the epoch up to what a system_clock time point holds (nanoseconds: April 2262);
// a later time would overflow when it is converted.
constexpr long long kMaxEpochSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count();
// A record is a flat object: more nesting than that is not what k8sjobs writes, and a deeply
// nested text would cost the parser's and destructor's stack.
constexpr int kMaxNesting = 4;
// One record is a few hundred bytes; a value far larger is not one.
constexpr std::size_t kMaxRecordBytes = 64 * 1024;

long long epoch_seconds(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

void put_time(json& out, const char* key, const std::optional<TimePoint>& time) {
  if (time) out[key] = epoch_seconds(*time);
}

std::optional<TimePoint> read_time(const json& in, std::string_view key) {
  auto seconds = untrusted::integer_member(in, key, 0, kMaxEpochSeconds);
  if (!seconds) return std::nullopt;
  return TimePoint(std::chrono::seconds(*seconds));
}

std::string read_text(const json& in, std::string_view key) {
  auto text = untrusted::string_member(in, key);
  if (!text || text->size() > kMaxFieldBytes) return {};
  return *text;
}

int read_int(const json& in, std::string_view key, int fallback, int min, int max) {
  auto value = untrusted::integer_member(in, key, min, max);
  return value ? static_cast<int>(*value) : fallback;
}

bool nesting_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

json to_json(const AccountingRecord& record) {
  json out = json::object();
  out["key"] = record.key;
  out["qname"] = record.qname;
  out["hostname"] = record.hostname;
  out["group"] = record.group;
  out["owner"] = record.owner;
  out["jobname"] = record.jobname;
  out["jobnumber"] = record.jobnumber;
  if (record.taskid != 0) out["taskid"] = record.taskid;
  if (!record.account.empty()) out["account"] = record.account;
  out["priority"] = record.priority;
  put_time(out, "qsub_time", record.qsub_time);
  put_time(out, "start_time", record.start_time);
  put_time(out, "end_time", record.end_time);
  out["slots"] = record.slots;
  out["failed"] = record.failed;
  out["exit_status"] = record.exit_status;
  out["ru_wallclock"] = record.ru_wallclock;
  if (record.cpu_seconds) out["cpu"] = *record.cpu_seconds;
  if (record.maxvmem_bytes) out["maxvmem"] = *record.maxvmem_bytes;
  if (!record.granted.empty()) out["granted"] = record.granted;
  return out;
}

std::string encode_record(const AccountingRecord& record) {
  // Bytes that are not UTF-8 (a job name from a crontab) become U+FFFD: JSON text is UTF-8.
  return to_json(record).dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<AccountingRecord, std::string> record_from_json(const json& in) {
  if (!in.is_object()) return unexpected(std::string("is not a JSON object"));
  AccountingRecord record;
  auto key = untrusted::string_member(in, "key");
  if (!key || key->empty() || key->size() > kMaxFieldBytes)
    return unexpected(std::string("has no \"key\""));
  auto number =
      untrusted::integer_member(in, "jobnumber", 1, std::numeric_limits<long long>::max());
  if (!number) return unexpected(untrusted::quoted(*key) + " has no job number");
  record.key = std::move(*key);
  record.jobnumber = *number;
  record.owner = read_text(in, "owner");
  if (record.owner.empty()) return unexpected(untrusted::quoted(record.key) + " has no owner");
  record.qname = read_text(in, "qname");
  record.hostname = read_text(in, "hostname");
  record.group = read_text(in, "group");
  record.jobname = read_text(in, "jobname");
  record.taskid = read_int(in, "taskid", 0, 0, static_cast<int>(untrusted::kMaxArrayTasks));
  record.account = read_text(in, "account");
  record.priority = read_int(in, "priority", 0, -1023, 1024);
  record.qsub_time = read_time(in, "qsub_time");
  record.start_time = read_time(in, "start_time");
  record.end_time = read_time(in, "end_time");
  record.slots = read_int(in, "slots", 1, 0, 100000);
  record.failed = read_int(in, "failed", 0, 0, 100000);
  record.exit_status = read_int(in, "exit_status", 0, 0, 255 + 128);
  record.ru_wallclock =
      untrusted::integer_member(in, "ru_wallclock", 0, kMaxEpochSeconds).value_or(0);
  if (const json* cpu = untrusted::member(in, "cpu");
      cpu != nullptr && cpu->is_number() && !cpu->is_boolean()) {
    const double seconds = cpu->get<double>();
    if (std::isfinite(seconds) && seconds >= 0 && seconds <= 1e12) record.cpu_seconds = seconds;
  }
  if (auto bytes =
          untrusted::integer_member(in, "maxvmem", 0, std::numeric_limits<long long>::max()))
    record.maxvmem_bytes = *bytes;
  record.granted = read_text(in, "granted");
  return record;
}

Expected<AccountingRecord, std::string> decode_record(std::string_view text) {
  if (text.size() > kMaxRecordBytes) return unexpected(std::string("is too large"));
  if (!nesting_within(text, kMaxNesting)) return unexpected(std::string("is nested too deeply"));
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return unexpected(std::string("is not JSON"));
  return record_from_json(parsed);
}

}  // namespace k8sjobs::acct
