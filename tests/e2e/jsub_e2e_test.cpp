// jsub, jstart and qcronsub as users run them, against the test API server over HTTPS: exact
// output and exit codes, -once and job IDs under concurrency, -sync, quota, forbidden and
// unreachable clusters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "support/cluster_fixture.h"
#include "support/kubelet_container.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

class JsubEndToEnd : public ::testing::Test {
 protected:
  CommandOutput jsub(std::vector<std::string> args) const {
    return cluster.run("jsub/jsub", std::move(args));
  }

  std::vector<json> jobs() {
    return cluster.server().list("/apis/batch/v1/namespaces/tool-alice/jobs");
  }

  ClusterFixture cluster;
};

TEST_F(JsubEndToEnd, SubmitsAJobAndSaysSoInGridEnginesWords) {
  auto result = jsub({"-N", "updater", "-mem", "1g", "/bin/echo", "it's", "$HOME"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"updater\") has been submitted\n");
  EXPECT_EQ(result.err, "");
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  const auto container = as_kubelet_starts_it((*job)["spec"]["template"]["spec"]["containers"][0]);
  EXPECT_EQ(container["resources"]["limits"]["memory"], "1Gi");
  auto command = container["command"].get<std::vector<std::string>>();
  EXPECT_EQ(std::vector<std::string>(command.begin() + 4, command.end()),
            (std::vector<std::string>{"/bin/echo", "it's", "$HOME"}));

  auto second = jsub({"-quiet", "-N", "quiet", "/bin/true"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.out, "");
  auto terse = jsub({"-terse", "/bin/true"});
  EXPECT_EQ(terse.out, "3\n");
  auto array = jsub({"-t", "1-10:2", "-N", "arr", "/bin/true"});
  EXPECT_EQ(array.out, "Your job-array 4.1-9:2 (\"arr\") has been submitted\n");
  auto indexed = cluster.job_object(kAliceNamespace, 4);
  ASSERT_TRUE(indexed);
  EXPECT_EQ((*indexed)["spec"]["completionMode"], "Indexed");
  EXPECT_EQ((*indexed)["spec"]["completions"], 5);
}

TEST_F(JsubEndToEnd, BadInputGetsGridEnginesMessageAndNothingIsCreated) {
  auto bad_memory = jsub({"-mem", "1x", "/bin/true"});
  EXPECT_EQ(bad_memory.exit_code, 2);
  EXPECT_NE(bad_memory.err.find("expected an integer followed by 'k', 'm' or 'g'. '1x' given."),
            std::string::npos)
      << bad_memory.err;
  auto missing = jsub({"no-such-program-here"});
  EXPECT_EQ(missing.exit_code, 2);
  // argparse's two lines, as the last jsub printed them.
  EXPECT_EQ(missing.err,
            "usage: jsub [options...] program [args...]\n"
            "jsub: error: argument program: Program 'no-such-program-here' not found.\n");
  auto resource = jsub({"-N", "x", "-l", "python", "/bin/true"});
  EXPECT_EQ(resource.exit_code, 2);
  EXPECT_EQ(resource.err,
            "usage: jsub [options...] program [args...]\n"
            "jsub: error: argument -l: invalid argparse_resource value: 'python'\n");
  auto no_value = jsub({"-N"});
  EXPECT_EQ(no_value.exit_code, 2);
  EXPECT_EQ(no_value.err,
            "usage: jsub [options...] program [args...]\n"
            "jsub: error: argument -N: expected one argument\n");
  EXPECT_TRUE(jobs().empty());
  EXPECT_TRUE(cluster.server().list("/api/v1/namespaces/tool-alice/configmaps").empty());
}

TEST_F(JsubEndToEnd, DryRunPrintsTheObjectAndCreatesNothing) {
  auto result = jsub({"--dry-run", "-N", "dry", "/bin/true"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("kind: Job\n"), std::string::npos);
  EXPECT_NE(result.out.find("k8sjobs.io/job-name: dry\n"), std::string::npos);
  EXPECT_TRUE(cluster.server().requests().empty());
}

TEST_F(JsubEndToEnd, OnceRefusesASecondActiveJobButNotAFinishedOne) {
  auto first = jsub({"-once", "-N", "x", "/bin/true"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = jsub({"-once", "-stderr", "-N", "x", "/bin/true"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(second.out, "");
  EXPECT_TRUE(second.err.rfind("[", 0) == 0 &&
              second.err.find("] there is a job named 'x' already active\n") != std::string::npos)
      << second.err;
  // Without -stderr the message goes to the job's error file, so cron sends no mail.
  auto quiet_refusal = jsub({"-once", "-N", "x", "/bin/true"});
  EXPECT_EQ(quiet_refusal.exit_code, 1);
  EXPECT_EQ(quiet_refusal.err, "");
  EXPECT_NE(read_file(cluster.home_of(cluster.alice()) / "x.err")
                .find("there is a job named 'x' already active"),
            std::string::npos);

  std::string pod = cluster.wait_for_pod(kAliceNamespace, 1);
  ASSERT_FALSE(pod.empty()) << "job 1 got no pod";
  cluster.server().set_pod_running(kAliceNamespace, pod);
  cluster.server().finish_pod(kAliceNamespace, pod, 0);
  auto after = jsub({"-once", "-N", "x", "/bin/true"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "Your job 2 (\"x\") has been submitted\n");
}

TEST_F(JsubEndToEnd, FiftySimultaneousOnceSubmissionsCreateExactlyOneJob) {
  std::vector<std::future<CommandOutput>> runs;
  for (int i = 0; i < 50; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      return jsub({"-once", "-stderr", "-N", "x", "/bin/true"});
    }));
  }
  int submitted = 0;
  int refused = 0;
  for (auto& run : runs) {
    auto result = run.get();
    if (result.exit_code == 0) {
      ++submitted;
    } else {
      ++refused;
      EXPECT_EQ(result.exit_code, 1);
      EXPECT_NE(result.err.find("there is a job named 'x' already active"), std::string::npos)
          << result.err;
    }
  }
  EXPECT_EQ(submitted, 1);
  EXPECT_EQ(refused, 49);
  EXPECT_EQ(jobs().size(), 1u);
}

TEST_F(JsubEndToEnd, SimultaneousSubmissionsGetDistinctIncreasingIds) {
  std::vector<std::future<CommandOutput>> runs;
  for (int i = 0; i < 30; ++i) {
    runs.push_back(std::async(std::launch::async, [&] { return jsub({"-terse", "/bin/true"}); }));
  }
  std::set<long long> ids;
  for (auto& run : runs) {
    auto result = run.get();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    ids.insert(std::stoll(result.out));
  }
  EXPECT_EQ(ids.size(), 30u);
  EXPECT_EQ(*ids.begin(), 1);
  // Usually 1..30 from this host's blocks; a submission that waits longer than the lock's
  // patience (a slow machine, the sanitizer build) takes an ID of its own and leaves the rest
  // of a block as a gap, never a duplicate.
  EXPECT_LE(*ids.rbegin(), 30 + 64);
  EXPECT_EQ(jobs().size(), 30u);
}

TEST_F(JsubEndToEnd, ABlockOfIdsInTheHomeSavesTheCounterWriteAndNeverDuplicates) {
  auto counter_requests = [&] {
    size_t count = 0;
    for (const auto& request : cluster.server().requests())
      count += request.path.find("/configmaps/k8sjobs-job-ids") != std::string::npos;
    return count;
  };
  auto first = jsub({"-terse", "/bin/true"});
  ASSERT_EQ(first.out, "1\n") << first.err;
  // jsub keeps this host's block of IDs in the user's cache directory (and beside it the
  // count of submissions waiting for it, ".arrivals").
  std::filesystem::path block_file;
  for (const auto& entry :
       std::filesystem::directory_iterator(cluster.home_of(cluster.alice()) / ".cache/k8sjobs")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("job-ids-tool-alice-", 0) == 0 && entry.path().extension() != ".arrivals")
      block_file = entry.path();
  }
  ASSERT_FALSE(block_file.empty());
  auto block = [&] {
    std::ifstream in(block_file);
    std::string text;
    std::getline(in, text);
    return text;
  };
  EXPECT_EQ(block().rfind("2 2 ", 0), 0u) << block();  // used up; ends where the counter is

  // The next submission reserves a block of two with one tested write; the one after takes
  // its ID from the block with no request to the counter at all.
  cluster.server().clear_requests();
  EXPECT_EQ(jsub({"-terse", "/bin/true"}).out, "2\n");
  EXPECT_EQ(counter_requests(), 1u);
  cluster.server().clear_requests();
  EXPECT_EQ(jsub({"-terse", "/bin/true"}).out, "3\n");
  EXPECT_EQ(counter_requests(), 0u);

  // Garbage, a deleted file, or a block from the future: each run still gets a new ID.
  std::set<long long> ids{1, 2, 3};
  for (const char* text : {"garbage\n", "", "1 99 99999999999999 98\n"}) {
    if (*text == '\0') {
      std::filesystem::remove(block_file);
    } else {
      std::ofstream(block_file, std::ios::trunc) << text;
    }
    auto result = jsub({"-terse", "/bin/true"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(ids.insert(std::stoll(result.out)).second) << text << ": " << result.out;
  }
  std::set<std::string> names;
  for (const auto& job : jobs()) names.insert(job["metadata"]["name"].get<std::string>());
  EXPECT_EQ(names.size(), 6u);
}

TEST_F(JsubEndToEnd, LaterCommandsResumeTheTlsSessionTheFirstOneSaved) {
  auto cache = cluster.home_of(cluster.alice()) / ".cache/k8sjobs";
  auto session_files = [&] {
    std::vector<std::filesystem::path> files;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(cache, ignored)) {
      if (entry.path().filename().string().rfind("tls-session-", 0) == 0)
        files.push_back(entry.path());
    }
    return files;
  };
  auto resumed_requests = [&] {
    size_t resumed = 0;
    for (const auto& request : cluster.server().requests()) resumed += request.tls_session_resumed;
    return std::make_pair(resumed, cluster.server().requests().size());
  };

  ASSERT_EQ(jsub({"-terse", "/bin/true"}).out, "1\n");
  EXPECT_EQ(resumed_requests().first, 0u);
  auto files = session_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(std::filesystem::status(files[0]).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  cluster.server().clear_requests();
  ASSERT_EQ(jsub({"-terse", "/bin/true"}).out, "2\n");
  auto qstat = cluster.run("qstat/qstat", {});
  ASSERT_EQ(qstat.exit_code, 0) << qstat.err;
  auto [resumed, all] = resumed_requests();
  EXPECT_GE(all, 3u);  // the ID, the Job, qstat's list
  EXPECT_EQ(resumed, all);

  // An admin who does not want sessions on disk turns it off for the site.
  std::ofstream(cluster.dir().path() / "config/alice.yaml", std::ios::app)
      << "client:\n  tls_session_cache: false\n";
  std::filesystem::remove_all(cache);
  cluster.server().clear_requests();
  // ID 3 was left in the deleted block of IDs (a gap, never reused).
  ASSERT_EQ(jsub({"-terse", "/bin/true"}).out, "4\n");
  ASSERT_EQ(jsub({"-terse", "/bin/true"}).out, "5\n");
  EXPECT_EQ(resumed_requests().first, 0u);
  EXPECT_TRUE(session_files().empty());
}

TEST_F(JsubEndToEnd, SyncWaitsAndPassesTheExitCodeThrough) {
  struct Case {
    std::string name;
    int exit_code;
    int signal;
    int expected_exit;
    std::string expected_out;
    std::string expected_err;
  };
  std::vector<Case> cases = {
      {"ok", 0, 0, 0, "Job 1 exited with exit code 0.\n", ""},
      {"bad", 3, 0, 3, "", "Job 2 exited with exit code 3.\n"},
      {"killed", 0, 9, 1, "", "Job 3 exited because of signal SIGKILL\n"},
  };
  const std::string jobs_path = "/apis/batch/v1/namespaces/tool-alice/jobs";
  long long id = 0;
  for (const auto& c : cases) {
    ++id;
    const int watches_before = cluster.server().watches_started(jobs_path);
    auto run = std::async(std::launch::async, [&] {
      return jsub({"-sync", "y", "-N", c.name, "/bin/true"});
    });
    std::string pod = cluster.wait_for_pod(kAliceNamespace, id);
    ASSERT_FALSE(pod.empty()) << "job " << id << " got no pod";
    cluster.server().set_pod_running(kAliceNamespace, pod);
    // The pod ends only once jsub watches its Job, so the end reaches jsub as a watch event.
    ASSERT_TRUE(
        wait_until([&] { return cluster.server().watches_started(jobs_path) > watches_before; },
                   kEventDeadline, "jsub -sync y to watch job " + std::to_string(id)));
    if (c.signal != 0) {
      cluster.server().kill_pod_by_signal(kAliceNamespace, pod, c.signal);
    } else {
      cluster.server().finish_pod(kAliceNamespace, pod, c.exit_code);
    }
    auto result = run.get();
    EXPECT_EQ(result.exit_code, c.expected_exit) << c.name << ": " << result.err;
    EXPECT_EQ(result.out, "Your job " + std::to_string(id) + " (\"" + c.name +
                              "\") has been submitted\n" + c.expected_out);
    EXPECT_EQ(result.err, c.expected_err);
  }
}

TEST_F(JsubEndToEnd, JstartCreatesADeploymentAndQcronsubImpliesOnce) {
  auto started = cluster.run("jstart/jstart", {"-N", "ircbot", "/bin/sleep", "infinity"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(started.out, "Your job 1 (\"ircbot\") has been submitted\n");
  auto deployment = cluster.deployment_object(kAliceNamespace, 1);
  ASSERT_TRUE(deployment);
  EXPECT_EQ((*deployment)["spec"]["replicas"], 1);
  auto again = cluster.run("jstart/jstart", {"-stderr", "-N", "ircbot", "/bin/sleep", "infinity"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("there is a job named 'ircbot' already active"), std::string::npos);

  ASSERT_EQ(cluster.run("jsub/qcronsub", {"-N", "cronjob", "/bin/true"}).exit_code, 0);
  auto twice = cluster.run("jsub/qcronsub", {"-stderr", "-N", "cronjob", "/bin/true"});
  EXPECT_EQ(twice.exit_code, 1);
}

TEST_F(JsubEndToEnd, AFullQuotaIsTryAgainLaterAndLeavesNothingBehind) {
  cluster.server().set_quota(kAliceNamespace, "count/jobs.batch", 0);
  auto result = jsub({"-once", "-stderr", "-N", "full", "/bin/true"});
  EXPECT_EQ(result.exit_code, 25);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(
      result.err.find("Unable to run job: jobs.batch \"full-1\" is forbidden: exceeded quota"),
      std::string::npos)
      << result.err;
  EXPECT_TRUE(result.err.size() > 10 &&
              result.err.substr(result.err.size() - 10) == "\nExiting.\n");
  // The -once guard went away with the failed submission: a later -once is not blocked.
  cluster.server().set_quota(kAliceNamespace, "count/jobs.batch", 10);
  auto later = jsub({"-once", "-stderr", "-N", "full", "/bin/true"});
  EXPECT_EQ(later.exit_code, 0) << later.err;
}

TEST_F(JsubEndToEnd, AnotherToolsNamespaceIsRefusedClearly) {
  // Bob's credentials, but the command thinks it runs as tools.alice: the cluster decides.
  auto result = cluster.run("jsub/jsub", {"-stderr", "-N", "sneaky", "/bin/true"}, cluster.bob(),
                            "tools.alice");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("Unable to run job: denied: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("User \"tools.bob\" cannot"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("in the namespace \"tool-alice\""), std::string::npos) << result.err;
  EXPECT_TRUE(jobs().empty());
}

}  // namespace
}  // namespace k8sjobs::testing
