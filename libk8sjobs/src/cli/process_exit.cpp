#include "k8sjobs/cli/process_exit.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace k8sjobs::cli {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kLeakChecked = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kLeakChecked = true;
#else
constexpr bool kLeakChecked = false;
#endif
#else
constexpr bool kLeakChecked = false;
#endif

}  // namespace

void exit_without_teardown(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  if (kLeakChecked) std::exit(code);
  std::_Exit(code);
}

}  // namespace k8sjobs::cli
