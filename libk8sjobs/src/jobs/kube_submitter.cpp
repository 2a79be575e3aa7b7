#include "k8sjobs/jobs/kube_submitter.h"

#include <cstdio>

#include "k8sjobs/jobs/job_id_allocator.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/log.h"
#include "k8sjobs/text/fnv1a.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

// The guard name's FNV-1a has always started from this offset basis (the published one with
// its last digit lost). Kept: every host and release must compute the same guard name, or two
// versions of jsub -once side by side would each take their own guard.
constexpr std::uint64_t kOnceGuardOffsetBasis = 1469598103934665603ULL;

// Objects of the namespace are read as untrusted: anyone with write access may have changed them.
std::string original_name(const json& object) {
  const auto& metadata = untrusted::object_member(object, "metadata");
  return untrusted::string_or(untrusted::object_member(metadata, "annotations"),
                              translate::kNameAnnotation);
}

bool being_deleted(const json& object) {
  return untrusted::member(untrusted::object_member(object, "metadata"), "deletionTimestamp") !=
         nullptr;
}

}  // namespace

std::string once_guard_name(const std::string& job_name) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(text::fnv1a_64(job_name, kOnceGuardOffsetBasis)));
  return "k8sjobs-once-" + translate::dns_label(job_name, 30) + "-" + std::string(hash, 12);
}

bool job_finished(const json& job) {
  const auto& conditions =
      untrusted::array_member(untrusted::object_member(job, "status"), "conditions");
  for (const auto& condition : conditions) {
    std::string type = untrusted::string_or(condition, "type");
    if ((type == "Complete" || type == "Failed") &&
        untrusted::string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

kube::Result<bool> KubeSubmitter::has_active_job(const std::string& ns,
                                                 const std::string& job_name) {
  kube::ListOptions options;
  options.label_selector = std::string(translate::kManagedByLabel) + "=" +
                           translate::kManagedByValue + "," + translate::kJobNameLabel + "=" +
                           translate::label_value(job_name);
  for (const auto* kind : {&kube::resources::kJobs, &kube::resources::kDeployments}) {
    auto found = client_.list_all(*kind, ns, options);
    if (!found) return unexpected(found.error());
    for (const auto& object : found->items) {
      // The annotation holds the name as displayed (bytes that are not UTF-8 as U+FFFD).
      if (original_name(object) != text::utf8_for_display(job_name) || being_deleted(object)) {
        continue;
      }
      if (kind == &kube::resources::kJobs && job_finished(object)) continue;
      return true;
    }
  }
  return false;
}

kube::Result<bool> KubeSubmitter::take_once_guard(const std::string& ns,
                                                  const std::string& job_name, json& guard) {
  std::string name = once_guard_name(job_name);
  const std::string display_name = text::utf8_for_display(job_name);
  json wanted{{"metadata",
               {{"name", name},
                {"labels", {{translate::kManagedByLabel, translate::kManagedByValue}}},
                {"annotations", {{translate::kNameAnnotation, display_name}}}}},
              {"data", {{"job-name", display_name}}}};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto created = client_.create(kube::resources::kConfigMaps, ns, wanted);
    if (created) {
      guard = std::move(*created);
      return true;
    }
    if (!created.error().is(kube::StatusReason::AlreadyExists)) return unexpected(created.error());

    auto existing = client_.get(kube::resources::kConfigMaps, ns, name);
    if (!existing) {
      if (existing.error().is(kube::StatusReason::NotFound)) continue;  // just released: try again
      return unexpected(existing.error());
    }
    auto active = has_active_job(ns, job_name);
    if (!active) return unexpected(active.error());
    if (*active) return false;
    // No live job: the guard is left from a finished job, or from a submission in progress.
    const auto& metadata = (*existing)["metadata"];
    bool owned = metadata.contains("ownerReferences") && !metadata["ownerReferences"].empty();
    auto created_at = text::parse_rfc3339(untrusted::string_or(metadata, "creationTimestamp"));
    bool fresh = created_at && clock_.now() - *created_at < kOnceGuardGrace;
    if (!owned && fresh) return false;  // another submission is creating its job right now
    kube::DeleteOptions stale;
    stale.precondition_uid = metadata.value("uid", "");
    auto removed = client_.remove(kube::resources::kConfigMaps, ns, name, stale);
    if (!removed && !removed.error().is(kube::StatusReason::NotFound) &&
        !removed.error().is(kube::StatusReason::Conflict)) {
      return unexpected(removed.error());
    }
  }
  return false;
}

Expected<SubmittedJob, SubmitFailure> KubeSubmitter::submit(
    const ge::SubmitRequest& request, const translate::SubmitContext& context,
    const std::string& already_active_message) {
  std::string ns = site_.namespace_for(request.user);
  auto fail = [](const kube::Error& error) { return unexpected(submit_failure_from(error)); };

  json guard;
  if (request.once) {
    auto taken = take_once_guard(ns, request.job_name, guard);
    if (!taken) return fail(taken.error());
    if (!*taken) return unexpected(SubmitFailure{already_active_message, 1});
    // The guard is ours; a job of that name started without -once would still count.
    auto active = has_active_job(ns, request.job_name);
    if (!active || *active) {
      client_.remove(kube::resources::kConfigMaps, ns, guard["metadata"].value("name", ""));
      if (!active) return fail(active.error());
      return unexpected(SubmitFailure{already_active_message, 1});
    }
  }
  auto release_guard = [&] {
    if (!guard.is_null()) {
      kube::DeleteOptions mine;
      mine.precondition_uid = guard["metadata"].value("uid", "");
      client_.remove(kube::resources::kConfigMaps, ns, guard["metadata"].value("name", ""), mine);
    }
  };

  JobIdAllocator allocator(client_, clock_, job_id_blocks_);
  auto id = allocator.next(ns);
  if (!id) {
    release_guard();
    return fail(id.error());
  }
  translate::JobIdentity identity{*id, ns, translate::object_name(request.job_name, *id)};
  auto workload = translate::build_workload(request, site_, identity, context);
  if (!workload) {
    release_guard();
    return unexpected(SubmitFailure{workload.error().message, workload.error().exit_code});
  }
  auto created = client_.create(*workload->kind, ns, workload->object);
  if (!created) {
    release_guard();
    return fail(created.error());
  }
  if (!guard.is_null()) {
    // Tie the guard to the job: Kubernetes' garbage collector removes it with the job.
    json owner{{"apiVersion", workload->kind->api_version()},
               {"kind", std::string(workload->kind->kind)},
               {"name", identity.object_name},
               {"uid", (*created)["metadata"].value("uid", "")}};
    json patch{{"metadata", {{"ownerReferences", json::array({owner})}}}};
    auto tied = client_.patch(kube::resources::kConfigMaps, ns, guard["metadata"].value("name", ""),
                              kube::PatchType::Merge, patch);
    if (!tied)
      log_warning("could not tie the -once guard to job {}: {}", *id, tied.error().describe());
  }
  return SubmittedJob{*id, ns, identity.object_name, workload->kind, std::move(*created)};
}

}  // namespace k8sjobs::jobs
