#include "k8sjobs/jobs/job_id_allocator.h"

#include <algorithm>
#include <charconv>
#include <random>

#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

kube::Result<long long> JobIdAllocator::next(const std::string& namespace_name) {
  std::mt19937 random(std::random_device{}());
  constexpr int kMaxRounds = 400;  // 200 simultaneous submitters need far fewer
  for (int round = 0; round < kMaxRounds; ++round) {
    if (round > 0) {
      // Spread the losers of a round so they do not collide again at once.
      int ceiling = std::min(5 + round * 5, 100);
      clock_.sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ceiling)(random)));
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
      if (!created.error().is(kube::StatusReason::AlreadyExists)) return unexpected(created.error());
      ++conflicts_;
      continue;
    }
    std::string text = (*current)["data"].value("next", "1");
    long long id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id < 1) {
      kube::ApiStatus status;
      status.message = "the job ID counter ConfigMap " + std::string(kJobIdConfigMap) + " in namespace " +
                       namespace_name + " holds \"" + text + "\", not a job number";
      return unexpected(kube::Error(status));
    }
    json patch{{"metadata", {{"resourceVersion", (*current)["metadata"].value("resourceVersion", "")}}},
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
