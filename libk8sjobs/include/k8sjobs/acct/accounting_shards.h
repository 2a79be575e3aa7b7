// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where accounting records are kept in a cluster (pure): ConfigMaps
// `k8sjobs-acct-YYYYMM-N` in the job's namespace, labelled k8sjobs.io/accounting=records, one
// data key per record (so writing a record twice is one record). A shard takes records until
// its data would pass kShardDataLimit; the next goes into shard N+1. ARCHITECTURE.md says why.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace k8sjobs::acct {

inline constexpr const char* kAccountingLabel = "k8sjobs.io/accounting";
inline constexpr const char* kAccountingLabelValue = "records";
inline constexpr const char* kPeriodLabel = "k8sjobs.io/accounting-period";
inline constexpr const char* kShardPrefix = "k8sjobs-acct-";
// Kubernetes refuses a ConfigMap whose data passes 1 MiB; the rest is room for metadata.
inline constexpr std::size_t kShardDataLimit = 900 * 1024;

// "202612": the month (UTC) a record is written in.
std::string period_of(std::chrono::system_clock::time_point time);
// "k8sjobs-acct-202612-3".
std::string shard_name(std::string_view period, int index);
// The N of a shard of `period`; nullopt for any other name.
std::optional<int> shard_index(std::string_view name, std::string_view period);

// The data key of a record: its key with every character a ConfigMap key may not hold
// ([-._a-zA-Z0-9]) as '_' and '/' as '.', at most 253 bytes.
std::string data_key(std::string_view record_key);
// Bytes a ConfigMap's data takes, as Kubernetes counts them (keys and values).
std::size_t data_bytes(const nlohmann::json& data);

struct ShardUsage {
  int index = 0;
  std::size_t bytes = 0;
};
struct ShardChoice {
  int index = 0;
  bool create = false;  // the shard does not exist yet
};
// The shard that takes `adding` more bytes: the last shard of the period while it stays
// within `limit`, else a new one after it (the first of a period is 0).
ShardChoice choose_shard(const std::vector<ShardUsage>& shards, std::size_t adding,
                         std::size_t limit = kShardDataLimit);

}  // namespace k8sjobs::acct
