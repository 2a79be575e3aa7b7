#pragma once
// A Clock that only moves when told: sleep_for and advance move both clocks forward at once,
// so code that waits or checks expiry runs instantly and deterministically in tests. sleep_for
// also remembers each wait, so tests can check backoff decisions.

#include <chrono>
#include <vector>

#include "k8sjobs/sys/clock.h"

namespace k8sjobs::testing {

class FakeClock final : public sys::Clock {
 public:
  // 2030-01-01T00:00:00Z: fixed, so tests can write timestamps relative to it.
  static constexpr std::chrono::seconds kStart{1893456000};

  explicit FakeClock(time_point start = time_point(kStart)) : now_(start) {}

  time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  void sleep_for(std::chrono::milliseconds duration) override {
    sleeps.push_back(duration);
    advance(duration);
  }

  void advance(std::chrono::milliseconds duration) {
    now_ += duration;
    steady_ += duration;
  }

  // Every sleep_for, in order, so tests can check backoff decisions.
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  time_point now_;
  std::chrono::steady_clock::time_point steady_{};
};

}  // namespace k8sjobs::testing
