#pragma once
// A clock tests drive by hand: sleep_for() advances it instead of waiting, and remembers how
// long each sleep was so tests can check backoff decisions.

#include <chrono>
#include <vector>

#include "k8sjobs/sys/clock.h"

namespace k8sjobs::testing {

class FakeClock final : public sys::Clock {
 public:
  explicit FakeClock(time_point start = time_point(std::chrono::seconds(1'800'000'000)))
      : now_(start) {}

  time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void sleep_for(std::chrono::milliseconds duration) override {
    sleeps.push_back(duration);
    now_ += duration;
  }
  void advance(std::chrono::milliseconds duration) { now_ += duration; }

  std::vector<std::chrono::milliseconds> sleeps;

 private:
  time_point now_;
};

}  // namespace k8sjobs::testing
