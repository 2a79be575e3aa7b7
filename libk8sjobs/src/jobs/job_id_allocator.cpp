// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/job_id_allocator.h"

#include <algorithm>
#include <charconv>
#include <random>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

std::int64_t unix_ms(sys::Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// The size of the next block, from the last one (ARCHITECTURE.md, "Job IDs").
long long next_block_size(const std::optional<JobIdBlock>& last, bool expired,
                          const JobIdBlockPolicy& policy) {
  if (!last) return 1;
  long long size = std::clamp(last->size, 1LL, policy.max_size);
  if (!expired) return std::min(size * 2, policy.max_size);    // used up in time: a burst
  if (last->next < last->end) return std::max(size / 2, 1LL);  // IDs left over: idle
  return size;
}

// Releases the host's lock however the allocation ends.
class BlockLock {
 public:
  explicit BlockLock(JobIdBlockStore* store) : store_(store) {}
  ~BlockLock() {
    if (store_ != nullptr) store_->unlock();
  }
  BlockLock(const BlockLock&) = delete;
  BlockLock& operator=(const BlockLock&) = delete;

 private:
  JobIdBlockStore* store_;
};

}  // namespace

kube::Result<long long> JobIdAllocator::next(const std::string& namespace_name) {
  if (blocks_ != nullptr) blocks_->note_arrival();
  if (blocks_ == nullptr || !blocks_->lock(policy_.lock_patience)) {
    return reserve(namespace_name, 1, std::nullopt);
  }
  BlockLock held(blocks_);
  const std::int64_t now = unix_ms(clock_.now());
  std::optional<JobIdBlock> block = blocks_->load();
  // A block from the future (the clock went back) counts as expired.
  const bool expired = !block || now >= block->expires_unix_ms ||
                       block->expires_unix_ms - now > policy_.lifetime.count();
  if (block && !expired && block->next < block->end) {
    const long long id = block->next++;
    blocks_->store(*block);
    return id;
  }
  // Enough for the submissions that arrived since the last reservation, if more than the
  // doubling gives: in a burst, those that came while the last reservation queued behind the
  // cluster's other writes are all waiting for this lock now, and one write serves them all.
  const long long waiting = std::min(blocks_->take_arrivals(), policy_.max_waiting_size);
  const long long size = std::max({next_block_size(block, expired, policy_), waiting, 1LL});
  auto first = reserve(namespace_name, size, block ? std::optional(block->end) : std::nullopt);
  if (!first) return first;
  blocks_->store(JobIdBlock{*first + 1, *first + size, now + policy_.lifetime.count(), size});
  return *first;
}

kube::Result<long long> JobIdAllocator::reserve(const std::string& namespace_name, long long size,
                                                std::optional<long long> seen) {
  ++reservations_;
  if (seen) {
    auto tested = reserve_tested(namespace_name, size, *seen);
    if (!tested) return unexpected(tested.error());
    if (*tested) return **tested;
  }
  return reserve_by_swap(namespace_name, size);
}

kube::Result<std::optional<long long>> JobIdAllocator::reserve_tested(
    const std::string& namespace_name, long long size, long long seen) {
  json patch = json::array(
      {{{"op", "test"}, {"path", "/data/next"}, {"value", std::to_string(seen)}},
       {{"op", "replace"}, {"path", "/data/next"}, {"value", std::to_string(seen + size)}}});
  auto taken = client_.patch(kube::resources::kConfigMaps, namespace_name, kJobIdConfigMap,
                             kube::PatchType::JsonPatch, patch);
  if (taken) return std::optional<long long>(seen);
  // Invalid: the test failed (another host reserved since). NotFound: no counter yet.
  // Conflict: a server that reports a lost race this way. All three: read the counter and swap.
  const auto& error = taken.error();
  if (!error.is(kube::StatusReason::Invalid) && !error.is(kube::StatusReason::NotFound) &&
      !error.is(kube::StatusReason::Conflict)) {
    return unexpected(error);
  }
  ++stale_hints_;
  return std::optional<long long>();
}

kube::Result<long long> JobIdAllocator::reserve_by_swap(const std::string& namespace_name,
                                                        long long size) {
  std::mt19937 random(std::random_device{}());
  constexpr int kMaxRounds = 400;  // 200 simultaneous submitters need far fewer
  for (int round = 0; round < kMaxRounds; ++round) {
    if (round > 0) {
      // Spread the losers of a round so they do not collide again at once.
      int ceiling = std::min(5 + round * 5, 100);
      clock_.sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ceiling)(random)));
    }
    auto current = client_.get(kube::resources::kConfigMaps, namespace_name, kJobIdConfigMap);
    if (!current) {
      if (!current.error().is(kube::StatusReason::NotFound)) return unexpected(current.error());
      json counter{{"metadata",
                    {{"name", kJobIdConfigMap},
                     {"labels", {{translate::kManagedByLabel, translate::kManagedByValue}}}}},
                   {"data", {{"next", std::to_string(1 + size)}}}};
      auto created = client_.create(kube::resources::kConfigMaps, namespace_name, counter);
      if (created) return 1;
      if (!created.error().is(kube::StatusReason::AlreadyExists))
        return unexpected(created.error());
      ++conflicts_;
      continue;
    }
    // The counter is untrusted like every object: anyone with edit rights may have written it.
    const std::string text =
        untrusted::string_or(untrusted::object_member(*current, "data"), "next", "1");
    long long id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id < 1 || id > (1LL << 53)) {
      kube::ApiStatus status;
      status.message = "the job ID counter ConfigMap " + std::string(kJobIdConfigMap) +
                       " in namespace " + namespace_name + " holds \"" + text.substr(0, 40) +
                       "\", not a job number";
      return unexpected(kube::Error(status));
    }
    json patch{
        {"metadata",
         {{"resourceVersion", untrusted::string_or(untrusted::object_member(*current, "metadata"),
                                                   "resourceVersion")}}},
        {"data", {{"next", std::to_string(id + size)}}}};
    auto swapped = client_.patch(kube::resources::kConfigMaps, namespace_name, kJobIdConfigMap,
                                 kube::PatchType::Merge, patch);
    if (swapped) return id;
    if (!swapped.error().is(kube::StatusReason::Conflict)) return unexpected(swapped.error());
    ++conflicts_;
  }
  kube::ApiStatus status;
  status.reason = kube::StatusReason::Conflict;
  status.message = "could not take a job ID: too many simultaneous submissions, try again";
  return unexpected(kube::Error(status));
}

}  // namespace k8sjobs::jobs
