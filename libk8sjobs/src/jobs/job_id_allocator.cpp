#include "k8sjobs/jobs/job_id_allocator.h"

#include <algorithm>
#include <charconv>
#include <random>

#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

kube::Result<long long> JobIdAllocator::next(const std::string& namespace_name) {
  auto hinted = take_hinted(namespace_name);
  if (!hinted) return unexpected(hinted.error());
  if (*hinted) return **hinted;
  auto id = take_by_swap(namespace_name);
  if (id && hint_ != nullptr) hint_->store(*id + 1);
  return id;
}

kube::Result<std::optional<long long>> JobIdAllocator::take_hinted(
    const std::string& namespace_name) {
  if (hint_ == nullptr) return std::optional<long long>();
  auto expected = hint_->load();
  if (!expected) return std::optional<long long>();
  json patch = json::array(
      {{{"op", "test"}, {"path", "/data/next"}, {"value", std::to_string(*expected)}},
       {{"op", "replace"}, {"path", "/data/next"}, {"value", std::to_string(*expected + 1)}}});
  auto taken = client_.patch(kube::resources::kConfigMaps, namespace_name, kJobIdConfigMap,
                             kube::PatchType::JsonPatch, patch);
  if (taken) {
    hint_->store(*expected + 1);
    return std::optional<long long>(*expected);
  }
  // Invalid: the test failed (someone took an ID since). NotFound: no counter yet. Conflict:
  // a server that reports a lost race this way. All three: read the counter and swap.
  const auto& error = taken.error();
  if (!error.is(kube::StatusReason::Invalid) && !error.is(kube::StatusReason::NotFound) &&
      !error.is(kube::StatusReason::Conflict)) {
    return unexpected(error);
  }
  ++stale_hints_;
  return std::optional<long long>();
}

kube::Result<long long> JobIdAllocator::take_by_swap(const std::string& namespace_name) {
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
                   {"data", {{"next", "2"}}}};
      auto created = client_.create(kube::resources::kConfigMaps, namespace_name, counter);
      if (created) return 1;
      if (!created.error().is(kube::StatusReason::AlreadyExists))
        return unexpected(created.error());
      ++conflicts_;
      continue;
    }
    std::string text = (*current)["data"].value("next", "1");
    long long id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id < 1) {
      kube::ApiStatus status;
      status.message = "the job ID counter ConfigMap " + std::string(kJobIdConfigMap) +
                       " in namespace " + namespace_name + " holds \"" + text +
                       "\", not a job number";
      return unexpected(kube::Error(status));
    }
    json patch{
        {"metadata", {{"resourceVersion", (*current)["metadata"].value("resourceVersion", "")}}},
        {"data", {{"next", std::to_string(id + 1)}}}};
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
