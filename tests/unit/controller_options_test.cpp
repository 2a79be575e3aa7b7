// SPDX-License-Identifier: Apache-2.0
// k8sjobs-controller's command line, and the schedule its watches fill (DueQueue).
#include <gtest/gtest.h>

#include "k8sjobs/controller/controller_program.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/controller/status_server.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;
using std::chrono::seconds;

TEST(ControllerOptions, NamespacesLeaseAndIdentity) {
  auto parsed = parse_controller_options(
      {"--namespace", "tool-a", "--namespace=tool-b", "--once", "--identity", "pod-1",
       "--lease-namespace", "k8sjobs-system", "--lease-name=ctl", "--kubeconfig", "/etc/k"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->namespaces, (std::vector<std::string>{"tool-a", "tool-b"}));
  EXPECT_TRUE(parsed->once);
  EXPECT_FALSE(parsed->all_namespaces);
  EXPECT_EQ(parsed->identity, "pod-1");
  EXPECT_EQ(parsed->lease_namespace, "k8sjobs-system");
  EXPECT_EQ(parsed->lease_name, "ctl");
  EXPECT_EQ(parsed->kubeconfig, "/etc/k");
  auto all = parse_controller_options({"--all-namespaces"});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->all_namespaces);
  EXPECT_EQ(all->lease_name, "k8sjobs-controller");
}

TEST(ControllerOptions, UsageErrors) {
  auto error = [](std::vector<std::string> args) {
    auto parsed = parse_controller_options(args);
    return parsed ? std::string("<accepted>") : parsed.error();
  };
  EXPECT_EQ(error({}), "give --namespace NS (repeatable) or --all-namespaces");
  EXPECT_EQ(error({"--all-namespaces", "--namespace", "x"}),
            "--namespace and --all-namespaces exclude each other");
  EXPECT_EQ(error({"--namespace"}), "option --namespace needs a value");
  EXPECT_EQ(error({"--namespace", ""}), "--namespace needs a namespace");
  EXPECT_EQ(error({"--once=yes", "--all-namespaces"}), "option --once takes no value");
  EXPECT_EQ(error({"--all-namespaces", "--lease-name="}), "--lease-name needs a non-empty value");
  EXPECT_EQ(error({"--bogus"}), "unknown option --bogus");
  EXPECT_TRUE(parse_controller_options({"--help"}));
  EXPECT_EQ(error({"--all-namespaces", "--listen", "8080"}),
            "--listen wants HOST:PORT, not \"8080\"");
  EXPECT_EQ(error({"--all-namespaces", "--listen", "0.0.0.0:http"}), "--listen: bad port \"http\"");
  EXPECT_EQ(error({"--all-namespaces", "--status-interval", "0"}),
            "--status-interval wants seconds from 1 to 3600, not \"0\"");
}

TEST(ControllerOptions, StatusServerListensByDefault) {
  auto parsed = parse_controller_options({"--all-namespaces"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->listen, "0.0.0.0:8080");
  EXPECT_EQ(parsed->status_interval, 5);
  auto off = parse_controller_options({"-A", "--listen=off", "--status-interval", "2"});
  ASSERT_TRUE(off) << off.error();
  EXPECT_EQ(off->listen, "off");
  EXPECT_EQ(off->status_interval, 2);
  auto ipv6 = parse_listen_address("[::]:9090");
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->host, "::");
  EXPECT_EQ(ipv6->port, 9090);
}

TEST(DueQueue, TakesWhatIsDueAndForgetsWhatWasDeletedOrStarted) {
  const TimePoint now = *text::parse_rfc3339("2030-01-01T00:00:00Z");
  DueQueue queue;
  EXPECT_FALSE(queue.earliest());
  queue.note({false, "ns", "a"}, now + seconds(10));
  queue.note({true, "ns", "b"}, now + seconds(5));
  queue.note({false, "ns", "c"}, now);
  EXPECT_EQ(queue.earliest(), now);
  auto due = queue.take_due(now);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].name, "c");
  queue.forget({true, "ns", "b"});
  EXPECT_EQ(queue.earliest(), now + seconds(10));
  // A watch event that shows the object started (or deleted) takes it out of the schedule.
  json started{
      {"metadata",
       {{"name", "a"},
        {"namespace", "ns"},
        {"resourceVersion", "1"},
        {"labels",
         {{"app.kubernetes.io/managed-by", "k8sjobs"},
          {"k8sjobs.io/job-id", "1"},
          {"k8sjobs.io/owner", "u"}}},
        {"annotations",
         {{"k8sjobs.io/owner", "u"}, {"k8sjobs.io/start-after", "2030-01-01T00:00:10Z"}}}}},
      {"spec", {{"suspend", false}}}};
  note_event(queue, kube::WatchEvent{"MODIFIED", started}, false, now);
  EXPECT_EQ(queue.size(), 0u);
  started["spec"]["suspend"] = true;
  note_event(queue, kube::WatchEvent{"SYNC", started}, false, now);
  EXPECT_EQ(queue.earliest(), now + seconds(10));
  note_event(queue, kube::WatchEvent{"DELETED", started}, false, now);
  EXPECT_EQ(queue.size(), 0u);
}

}  // namespace
}  // namespace k8sjobs::controller
