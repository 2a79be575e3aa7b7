// SPDX-License-Identifier: Apache-2.0
#pragma once
// RFC 3339 times, the one parser and the one formatter of the library: Kubernetes timestamps
// (creationTimestamp, startTime, ...) and k8sjobs' own k8sjobs.io/submit-time annotation.
// Parsing takes untrusted text: anything that is not a valid date-time (RFC 3339 section 5.6,
// years 0001-9999) is nullopt, never an exception.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace k8sjobs::text {

// "2026-11-23T14:54:30Z", "2026-11-23T14:54:30.123456Z", "2026-11-23T15:54:30+01:00"; the
// fraction is kept to the microsecond. 't'/'z' in lower case are accepted (section 5.6 note).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// "2026-11-23T14:54:30Z": UTC, whole seconds, as Kubernetes writes metav1.Time.
std::string format_rfc3339(std::chrono::system_clock::time_point time);

// "2026-11-23T14:54:30.123456Z": metav1.MicroTime (a Lease's acquireTime and renewTime).
std::string format_rfc3339_micro(std::chrono::system_clock::time_point time);

}  // namespace k8sjobs::text
