// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/acct/accounting_shards.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::acct {

std::string period_of(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02d", utc.tm_year + 1900, utc.tm_mon + 1);
  return text;
}

std::string shard_name(std::string_view period, int index) {
  return std::string(kShardPrefix) + std::string(period) + "-" + std::to_string(index);
}

std::optional<int> shard_index(std::string_view name, std::string_view period) {
  const std::string prefix = std::string(kShardPrefix) + std::string(period) + "-";
  if (!name.starts_with(prefix)) return std::nullopt;
  auto index = jobs::untrusted::parse_decimal(name.substr(prefix.size()), 0, 1000000);
  if (!index) return std::nullopt;
  return static_cast<int>(*index);
}

std::string data_key(std::string_view record_key) {
  std::string key;
  for (char c : record_key.substr(0, 253)) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    key += allowed ? c : c == '/' ? '.' : '_';
  }
  if (key.empty() || key == "." || key == "..") key = "_" + key;
  return key;
}

std::size_t data_bytes(const nlohmann::json& data) {
  std::size_t bytes = 0;
  if (!data.is_object()) return bytes;
  for (const auto& [key, value] : data.items()) {
    bytes += key.size();
    if (value.is_string()) bytes += value.get_ref<const std::string&>().size();
  }
  return bytes;
}

ShardChoice choose_shard(const std::vector<ShardUsage>& shards, std::size_t adding,
                         std::size_t limit) {
  if (shards.empty()) return {0, true};
  const auto last =
      std::max_element(shards.begin(), shards.end(),
                       [](const ShardUsage& a, const ShardUsage& b) { return a.index < b.index; });
  // An empty shard takes any record: a record larger than the limit cannot roll over forever.
  if (last->bytes == 0 || last->bytes + adding <= limit) return {last->index, false};
  return {last->index + 1, true};
}

}  // namespace k8sjobs::acct
