// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a fuzzer does when an invariant of the reader under test does not hold: says which one
// and aborts, which libFuzzer reports as a crash and saves the input (crash-<sha1>).

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
