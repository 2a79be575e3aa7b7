// SPDX-License-Identifier: Apache-2.0
// What the controller feeds the status page and /metrics beside the snapshot: submissions,
// completions and failures as its watch sees them (JobLifecycle), and the field selector of a
// job's Events.

#include <gtest/gtest.h>

#include "k8sjobs/controller/job_events_reader.h"
#include "k8sjobs/controller/job_lifecycle.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

kube::WatchEvent event(const std::string& type, const std::string& uid,
                       const std::string& condition = "") {
  json object = {{"metadata", {{"uid", uid}, {"namespace", "tool-a"}}}};
  if (!condition.empty()) {
    object["status"]["conditions"] =
        json::array({{{"type", "SuccessCriteriaMet"}, {"status", "True"}},
                     {{"type", condition}, {"status", "True"}}});
  }
  return {type, object};
}

struct Counts {
  int submitted = 0, completed = 0, failed = 0;
  bool operator==(const Counts&) const = default;
};

Counts feed(JobLifecycle& lifecycle, const std::vector<kube::WatchEvent>& events,
            bool deployment = false) {
  Counts counts;
  for (const auto& e : events) {
    auto change = lifecycle.observe(e, deployment);
    counts.submitted += change.submitted;
    counts.completed += change.completed;
    counts.failed += change.failed;
    if (change.submitted || change.completed || change.failed) {
      EXPECT_EQ(change.ns, "tool-a");
    }
  }
  return counts;
}

TEST(JobLifecycle, TheFirstListCountsNothingLaterChangesCountOnce) {
  JobLifecycle lifecycle;
  // The first LIST: one running, one already finished.
  EXPECT_EQ(feed(lifecycle, {event("SYNC", "a"), event("SYNC", "b", "Complete")}), Counts{});
  EXPECT_EQ(feed(lifecycle, {event("ADDED", "c"), event("MODIFIED", "c"),
                             event("MODIFIED", "c", "Complete"), event("MODIFIED", "c", "Complete"),
                             event("MODIFIED", "a", "Failed"), event("MODIFIED", "b", "Complete")}),
            (Counts{1, 1, 1}));
  // A relist after a gap: a job created and finished meanwhile counts; known ones do not.
  EXPECT_EQ(feed(lifecycle, {event("SYNC", "a", "Failed"), event("SYNC", "d", "Complete"),
                             event("SYNC", "c", "Complete")}),
            (Counts{1, 1, 0}));
  // Deleted and created again under the same uid cannot happen; a new object is new.
  EXPECT_EQ(feed(lifecycle, {event("DELETED", "c", "Complete"), event("ADDED", "e", "Failed")}),
            (Counts{1, 0, 1}));
  EXPECT_EQ(feed(lifecycle, {event("BOOKMARK", ""), event("MODIFIED", "")}), Counts{});
}

TEST(JobLifecycle, ADeploymentIsSubmittedButNeverFinishes) {
  JobLifecycle lifecycle;
  EXPECT_EQ(feed(lifecycle, {event("ADDED", "x"), event("MODIFIED", "x", "Complete")}, true),
            (Counts{1, 0, 0}));
}

TEST(JobEventsReader, FieldSelectorEscapesTheName) {
  EXPECT_EQ(events_field_selector("Pod", "x-7f9c2"),
            "involvedObject.kind=Pod,involvedObject.name=x-7f9c2");
  EXPECT_EQ(events_field_selector("Job", "a,b=c\\d"),
            "involvedObject.kind=Job,involvedObject.name=a\\,b\\=c\\\\d");
}

}  // namespace
}  // namespace k8sjobs::controller
