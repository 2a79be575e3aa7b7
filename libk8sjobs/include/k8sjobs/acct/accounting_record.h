// SPDX-License-Identifier: Apache-2.0
#pragma once
// One finished job or array task as Grid Engine's accounting file kept it (accounting(5)), and
// its JSON codec. The codec writes what the controller and the local supervisor store, and
// reads it back as untrusted: the records live in ConfigMaps and files a user can edit, so a
// field of the wrong type or out of range is left out (or the record skipped, when it is the
// record's identity), never an exception.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"

namespace k8sjobs::acct {

using TimePoint = std::chrono::system_clock::time_point;

struct AccountingRecord {
  // Where the record came from: "<namespace>/<Job uid>/<task>" on Kubernetes,
  // "local/<job id>/<task>" on the local backend. Writing the same key twice is one record.
  std::string key;
  std::string qname;     // the queue qstat shows: "task" or "continuous"
  std::string hostname;  // the node (or host) the task ran on
  std::string group;
  std::string owner;
  std::string jobname;
  long long jobnumber = 0;
  int taskid = 0;  // 0: not an array job ("undefined")
  std::string account;
  int priority = 0;
  std::optional<TimePoint> qsub_time;
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;
  int slots = 1;
  int failed = 0;                          // Grid Engine's failure code; 0: the job ran
  int exit_status = 0;                     // the exit code, or 128 + signal
  long long ru_wallclock = 0;              // seconds from start to end
  std::optional<double> cpu_seconds;       // when the cluster tells it
  std::optional<long long> maxvmem_bytes;  // when the cluster tells it
  std::string granted;                     // granted resources: "-l h_vmem=1G,h_rt=300"

  bool operator==(const AccountingRecord&) const = default;
};

// Longest text field read back; anything longer did not come from k8sjobs.
inline constexpr std::size_t kMaxFieldBytes = 4096;

nlohmann::json to_json(const AccountingRecord& record);
// One line of JSON, no newline: what a store keeps per record.
std::string encode_record(const AccountingRecord& record);

// The record, or why it is not one (no key, job number or owner of the right type). Other
// fields that are not what k8sjobs writes are left at their defaults.
Expected<AccountingRecord, std::string> record_from_json(const nlohmann::json& json);
// The same from text (one JSON object); never throws, also for bytes that are not JSON.
Expected<AccountingRecord, std::string> decode_record(std::string_view text);

}  // namespace k8sjobs::acct
