// SPDX-License-Identifier: Apache-2.0
#pragma once
// 64-bit FNV-1a: a documented hash, so names and schedules derived from it are the same on
// every platform and in every release (cron spread, migrate's spec hash, the job-ID hint file,
// the -once guard name). The one definition in k8sjobs.

#include <cstdint>
#include <string_view>

namespace k8sjobs::text {

inline constexpr std::uint64_t kFnv1a64OffsetBasis = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnv1a64Prime = 1099511628211ULL;

// FNV-1a over the bytes of `data`. `offset_basis` is the published one but for the -once
// guard name, which has always been computed with another (kube_submitter.cpp says why).
constexpr std::uint64_t fnv1a_64(std::string_view data,
                                 std::uint64_t offset_basis = kFnv1a64OffsetBasis) {
  std::uint64_t hash = offset_basis;
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnv1a64Prime;
  }
  return hash;
}

}  // namespace k8sjobs::text
