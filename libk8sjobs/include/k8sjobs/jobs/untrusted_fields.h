// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading values k8sjobs did not necessarily write: labels, annotations and status fields of
// objects in the cluster, and the local backend's state files (a user can edit them). Any
// field may be missing, of another JSON type, out of range or huge; every reader here answers
// with a value or a reason, never an exception, so one bad object never stops a command.

#include <cstddef>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"

namespace k8sjobs::jobs::untrusted {

// Kubernetes refuses an object whose annotations together exceed 256 KiB; anything larger did
// not come from a real API server and is not read.
inline constexpr std::size_t kMaxAnnotationBytes = 256 * 1024;
// Kubernetes' limit on an Indexed Job's completions; also the most tasks a record may have.
inline constexpr long long kMaxArrayTasks = 100000;

// `object[key]` when `object` is an object that has the key, else nullptr.
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);
// `object[key]` when it is an object (an array), else an empty one.
const nlohmann::json& object_member(const nlohmann::json& object, std::string_view key);
const nlohmann::json& array_member(const nlohmann::json& object, std::string_view key);
// The string at `key`; nullopt when missing or not a string.
std::optional<std::string> string_member(const nlohmann::json& object, std::string_view key);
std::string string_or(const nlohmann::json& object, std::string_view key,
                      std::string fallback = {});
std::optional<bool> bool_member(const nlohmann::json& object, std::string_view key);
bool bool_or(const nlohmann::json& object, std::string_view key, bool fallback);
// An integer (not a float, bool or string) within [min, max]; nullopt otherwise.
std::optional<long long> integer_member(const nlohmann::json& object, std::string_view key,
                                        long long min, long long max);
int int_or(const nlohmann::json& object, std::string_view key, int fallback,
           int min = std::numeric_limits<int>::min(), int max = std::numeric_limits<int>::max());

// Decimal digits only (no sign, space or '+'), at most `max`, at least `min`. Error: the
// phrase that follows the quoted text in a message ("is not a number", "is too large").
Expected<long long, std::string> parse_decimal(std::string_view text, long long min, long long max);
// A job number: 1 or more, digits only. Error: e.g. "is not a job number".
Expected<long long, std::string> parse_job_number(std::string_view text);

// `text` in double quotes for a message: control characters, quotes, backslashes and bytes
// that are not UTF-8 escaped (a hostile value cannot drive the terminal), cut after 80 bytes.
std::string quoted(std::string_view text);

// "job/name", "deployment/name", "pod/name": how kubectl names an object of `kind` (lower
// case), for warnings. The name is escaped like quoted() but without the quotes.
std::string object_reference(const nlohmann::json& object, std::string_view kind);

// "1,3-5" (a Job's status.completedIndexes or failedIndexes) → {1,3,4,5}, only indexes below
// `count`: the list comes from the server, and a range like 0-2000000000 must not fill memory. A
// malformed part is skipped.
std::set<int> parse_index_list(std::string_view text, int count);

}  // namespace k8sjobs::jobs::untrusted
