#include "k8sjobs/sys/clock.h"

#include <thread>

namespace k8sjobs::sys {

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

}  // namespace k8sjobs::sys
