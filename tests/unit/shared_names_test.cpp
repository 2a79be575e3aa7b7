// SPDX-License-Identifier: Apache-2.0
// Names and hashes that exist once and must not drift: every Kubernetes name derived from a
// job name comes from translate::dns_label, every hash is text::fnv1a_64, and the -once
// guard's name is the one earlier releases computed (two versions side by side must take
// the same guard).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "k8sjobs/jobs/kube_submitter.h"
#include "k8sjobs/migrate/convert.h"
#include "k8sjobs/text/fnv1a.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs {
namespace {

TEST(SharedNames, DnsLabelIsTheOneRuleForObjectAndCronJobNames) {
  EXPECT_EQ(translate::dns_label("CleanupWorklistBot", 52), "cleanupworklistbot");
  EXPECT_EQ(translate::dns_label("my  job/1_", 52), "my-job-1");
  EXPECT_EQ(translate::dns_label("\xff\xfe", 52), "job");
  EXPECT_EQ(translate::dns_label("abc-def", 4), "abc");
  const std::vector<std::string> names = {"updater", "A very long job name, with many words in it!",
                                          "___", "n\xff", std::string(80, 'a')};
  for (const std::string& name : names) {
    EXPECT_EQ(translate::object_name(name, 17), translate::dns_label(name, 49) + "-17");
    EXPECT_EQ(migrate::cronjob_name(name), translate::dns_label(name, 52));
  }
}

TEST(SharedNames, OnceGuardNamesAreTheOnesEarlierReleasesComputed) {
  EXPECT_EQ(jobs::once_guard_name("updater"), "k8sjobs-once-updater-0bebb5f9f38e");
  EXPECT_EQ(jobs::once_guard_name("My Bot!!"), "k8sjobs-once-my-bot-90d2feb16b7b");
  EXPECT_EQ(jobs::once_guard_name("n\xff"), "k8sjobs-once-n-9bd0e000c67a");
  EXPECT_EQ(jobs::once_guard_name("A very long job name, with many words in it"),
            "k8sjobs-once-a-very-long-job-name-with-many-fae5381628dc");
}

TEST(SharedNames, Fnv1aIsThePublishedOne) {
  static_assert(text::fnv1a_64("") == 0xcbf29ce484222325ULL);
  EXPECT_EQ(text::fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(text::fnv1a_64("\xff"), text::fnv1a_64(std::string(1, '\xff')));
}

}  // namespace
}  // namespace k8sjobs
