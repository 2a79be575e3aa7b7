// SPDX-License-Identifier: Apache-2.0
#pragma once
// Tests wait for events, never for time. A fixed sleep hopes that what the test needs (a watch
// registered, a pod created, a job running) happened meanwhile; when it did not, the test goes
// on and may pass without checking anything. wait_until instead polls what the producer reports
// (the test API server's counters and objects, the local backend's job records, a command's
// output) until the condition holds, and fails, naming what never happened, once a generous
// deadline passes. A passing test waits only as long as the event takes.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string_view>

namespace k8sjobs::testing {

// Long enough that only a broken build or a stuck machine reaches it: a passing test never
// waits this long, so there is nothing to gain from a tight figure.
inline constexpr std::chrono::seconds kEventDeadline{20};

// Checks `condition` (first at once, then every few milliseconds, backing off to 50 ms) until
// it holds or `deadline` passes. Failure: "waited N ms for <what>: it never happened". Use as
//   ASSERT_TRUE(wait_until([&] { return ...; }, kEventDeadline, "the watch to start"));
::testing::AssertionResult wait_until(const std::function<bool()>& condition,
                                      std::chrono::milliseconds deadline, std::string_view what);

}  // namespace k8sjobs::testing
