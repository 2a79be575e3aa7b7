// SPDX-License-Identifier: Apache-2.0
#include "support/wait.h"

#include <algorithm>
#include <thread>

namespace k8sjobs::testing {

::testing::AssertionResult wait_until(const std::function<bool()>& condition,
                                      std::chrono::milliseconds deadline, std::string_view what) {
  // The sleep before the deadline ends at it, so the condition is checked once more there.
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::chrono::milliseconds pause{1};
  for (;;) {
    if (condition()) return ::testing::AssertionSuccess();
    auto now = std::chrono::steady_clock::now();
    if (now >= until) break;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(pause, until - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return ::testing::AssertionFailure()
         << "waited " << deadline.count() << " ms for " << what << ": it never happened";
}

}  // namespace k8sjobs::testing
