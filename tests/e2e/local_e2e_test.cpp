// The built commands on the embedded default (no site configuration: local processes), as a
// newcomer runs them: submit, list, -sync exit codes, continuous restart, qdel, concurrent
// -once, a killed supervisor, -hold_jid and -a.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <future>

#include <nlohmann/json.hpp>

#include "support/command_runner.h"
#include "support/local_command.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

// The job writes its files on its own schedule: missing yet reads as empty.
class LocalEndToEnd : public ::testing::Test {
 protected:
  CommandOutput run(const std::string& command, std::vector<std::string> args) const {
    return run_local_command(home, command, std::move(args));
  }

  std::filesystem::path script(const std::string& name, const std::string& body) const {
    return home.write(name, "#!/bin/sh\n" + body, std::filesystem::perms::owner_all);
  }

  // Runs qstat until its listing satisfies `predicate` and returns that listing; if it never
  // does within kEventDeadline, adds a failure naming `what` and returns the last listing.
  std::string qstat_until(const std::function<bool(const std::string&)>& predicate,
                          std::string_view what) const {
    std::string out;
    auto shown = wait_until(
        [&] {
          out = run("qstat/qstat", {}).out;
          return predicate(out);
        },
        kEventDeadline, what);
    if (!shown) ADD_FAILURE() << shown.message() << "; last listing:\n" << out;
    return out;
  }

  // Until the job's file `name` in the home directory reads `expected`.
  ::testing::AssertionResult file_reads(const std::string& name, const std::string& expected) {
    return wait_until([&] { return read_if_exists(home.path() / name) == expected; },
                      kEventDeadline, name + " to read \"" + expected + "\"");
  }

  TempDir home;
  void SetUp() override { home.write("no-config.yaml", "backend: local\n"); }
};

TEST_F(LocalEndToEnd, NoImageWarningWhereNoImageIsUsed) {
  // A script needing two runtimes warns on Kubernetes (image_rules_e2e_test.cpp); a local job
  // runs on this host, which has what it has.
  auto program = script("both.sh", ": php a.php\n: python3 b.py\n");
  auto submitted = run("jsub/jsub", {"-N", "both", program.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.err, "");
}

TEST_F(LocalEndToEnd, SubmitListAndReadTheOutput) {
  auto program = script("hello.sh", "echo \"hello from $JOB_ID as $JOB_NAME\"\nsleep 30\n");
  auto submitted = run("jsub/jsub", {"-N", "hello", program.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.out, "Your job 1 (\"hello\") has been submitted\n");
  std::string listing =
      qstat_until([](const std::string& out) { return out.find(" r ") != std::string::npos; },
                  "qstat to show job 1 running");
  EXPECT_EQ(
      listing.rfind("job-ID  prior   name       user         state submit/start at     queue ", 0),
      0u)
      << listing;
  EXPECT_NE(listing.find("      1 0.50000 hello      tools.alice  r     "), std::string::npos)
      << listing;
  EXPECT_TRUE(file_reads("hello.out", "hello from 1 as hello\n"));
  auto deleted = run("qdel/qdel", {"1"});
  EXPECT_EQ(deleted.exit_code, 0);
  EXPECT_EQ(deleted.out, "tools.alice has registered the job 1 for deletion\n");
  EXPECT_EQ(qstat_until([](const std::string& out) { return out.empty(); },
                        "qstat to stop listing the deleted job"),
            "");
}

TEST_F(LocalEndToEnd, SyncPassesExitCodesAndSignalsThrough) {
  auto fails = run("jsub/jsub", {"-sync", "y", "-N", "fails", "/bin/sh", "-c", "exit 3"});
  EXPECT_EQ(fails.exit_code, 3);
  EXPECT_EQ(fails.out, "Your job 1 (\"fails\") has been submitted\n");
  EXPECT_EQ(fails.err, "Job 1 exited with exit code 3.\n");
  auto killed = run("jsub/jsub", {"-sync", "y", "-N", "killed", "/bin/sh", "-c", "kill -9 $$"});
  EXPECT_EQ(killed.exit_code, 1);
  EXPECT_EQ(killed.err, "Job 2 exited because of signal SIGKILL\n");
  auto fine = run("jsub/jsub", {"-sync", "y", "-N", "fine", "/bin/true"});
  EXPECT_EQ(fine.exit_code, 0);
  EXPECT_EQ(fine.out, "Your job 3 (\"fine\") has been submitted\nJob 3 exited with exit code 0.\n");
}

TEST_F(LocalEndToEnd, ContinuousJobIsRestartedAfterAFailureAndEndsOnSuccess) {
  auto marker = home.path() / "ran-once";
  auto program = script("flaky.sh", "if [ -e '" + marker.string() +
                                        "' ]; then echo second; exit 0; fi\ntouch '" +
                                        marker.string() + "'\necho first\nexit 7\n");
  auto started = run("jstart/jstart", {"-N", "flaky", program.string()});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_TRUE(file_reads("flaky.out", "first\nsecond\n"));
  std::string err = read_if_exists(home.path() / "flaky.err");
  EXPECT_NE(err.find(program.string() + " exited with code 7. Respawning..."), std::string::npos)
      << err;
  EXPECT_EQ(qstat_until([](const std::string& out) { return out.empty(); },
                        "qstat to stop listing the job that succeeded"),
            "");
}

TEST_F(LocalEndToEnd, ConcurrentOnceStartsExactlyOneJob) {
  std::vector<std::future<CommandOutput>> runs;
  for (int i = 0; i < 10; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      return run("jsub/jsub", {"-once", "-stderr", "-N", "x", "/bin/sleep", "30"});
    }));
  }
  int submitted = 0;
  for (auto& result : runs) {
    auto output = result.get();
    if (output.exit_code == 0) {
      ++submitted;
    } else {
      EXPECT_EQ(output.exit_code, 1);
      EXPECT_NE(output.err.find("there is a job named 'x' already active"), std::string::npos)
          << output.err;
    }
  }
  EXPECT_EQ(submitted, 1);
  EXPECT_EQ(run("qdel/qdel", {"x"}).exit_code, 0);
}

// A job held with -hold_jid waits (hqw, its predecessor in qstat -j) until the job it names has
// finished, then runs; a name that names no job refuses the submission, as Grid Engine's
// qmaster did.
TEST_F(LocalEndToEnd, HoldJidWaitsForThePredecessorToFinish) {
  const auto go = home.path() / "go";
  const auto order = home.path() / "order";
  auto first = script("first.sh", "while [ ! -e '" + go.string() + "' ]; do sleep 0.05; done\n" +
                                      "echo first >> '" + order.string() + "'\n");
  auto second = script("second.sh", "echo second >> '" + order.string() + "'\n");
  ASSERT_EQ(run("jsub/jsub", {"-N", "first", first.string()}).exit_code, 0);
  auto held = run("jsub/jsub", {"-N", "second", "-hold_jid", "first", second.string()});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(held.out, "Your job 2 (\"second\") has been submitted\n");
  std::string listing =
      qstat_until([](const std::string& out) { return out.find(" r ") != std::string::npos; },
                  "qstat to show job 1 running");
  EXPECT_NE(listing.find("      2 0.50000 second     tools.alice  hqw   "), std::string::npos)
      << listing;
  auto detail = run("qstat/qstat", {"-j", "second"});
  EXPECT_NE(detail.out.find("jid_predecessor_list (req):  first\n"), std::string::npos)
      << detail.out;
  EXPECT_NE(detail.out.find("jid_predecessor_list:       1\n"), std::string::npos) << detail.out;
  EXPECT_EQ(read_if_exists(order), "");

  auto refused =
      run("jsub/jsub", {"-stderr", "-N", "third", "-hold_jid", "nosuch", second.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "Unable to run job: denied: job \"nosuch\" not found\nExiting.\n");

  std::ofstream(go.string()) << "";
  EXPECT_TRUE(file_reads("order", "first\nsecond\n"));
}

// -hold_jid_ad: task i of the successor runs once task i of the predecessor has finished, and not
// before; the waiting tasks are hqw; Grid Engine's refusal for a job that is not an array.
TEST_F(LocalEndToEnd, HoldJidAdRunsTaskAfterTask) {
  const auto order = home.path() / "order";
  auto first = script("first.sh", "while [ ! -e \"" + home.path().string() +
                                      "/go-$SGE_TASK_ID\" ]; do sleep 0.05; done\n" +
                                      "echo a$SGE_TASK_ID >> '" + order.string() + "'\n");
  auto second = script("second.sh", "echo b$SGE_TASK_ID >> '" + order.string() + "'\n");
  ASSERT_EQ(run("qsub/qsub", {"-b", "y", "-t", "1-2", "-N", "first", first.string()}).exit_code, 0);
  auto held = run("qsub/qsub", {"-b", "y", "-t", "1-2", "-N", "second", "-hold_jid_ad", "first",
                                second.string()});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  std::string listing =
      qstat_until([](const std::string& out) { return out.find(" r ") != std::string::npos; },
                  "qstat to show job 1 running");
  EXPECT_NE(listing.find("      2 0.50000 second     tools.alice  hqw   "), std::string::npos)
      << listing;
  auto detail = run("qstat/qstat", {"-j", "second"});
  EXPECT_NE(detail.out.find("ja_ad_predecessor_list (req):  first\n"
                            "ja_ad_predecessor_list:       1\n"),
            std::string::npos)
      << detail.out;

  auto refused =
      run("qsub/qsub", {"-b", "y", "-N", "third", "-hold_jid_ad", "first", second.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "Unable to run job: Can only specify \"-hold_jid_ad\" option with an array job (using "
            "\"-t\" option)\nExiting.\n");

  std::ofstream((home.path() / "go-2").string()) << "";
  EXPECT_TRUE(file_reads("order", "a2\nb2\n"));
  std::ofstream((home.path() / "go-1").string()) << "";
  EXPECT_TRUE(file_reads("order", "a2\nb2\na1\nb1\n"));
}

// -a: the job is qw with its execution_time and starts no earlier than that.
TEST_F(LocalEndToEnd, DeferredStartRunsTheJobAtItsTime) {
  // 3 s ahead, whole seconds (the -a format has no fraction).
  const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                     std::chrono::seconds(3);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(start);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%d%H%M.%S", &utc);
  auto program = script("later.sh", "date +%s\n");
  auto submitted = run("jsub/jsub", {"-N", "later", "-a", when, program.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto listing = run("qstat/qstat", {});
  EXPECT_NE(listing.out.find("      1 0.50000 later      tools.alice  qw    "), std::string::npos)
      << listing.out;
  auto detail = run("qstat/qstat", {"-j", "1"});
  EXPECT_NE(detail.out.find("execution_time:"), std::string::npos) << detail.out;
  ASSERT_TRUE(wait_until([&] { return !read_if_exists(home.path() / "later.out").empty(); },
                         kEventDeadline, "the deferred job to run"));
  const long long ran = std::stoll(read_if_exists(home.path() / "later.out"));
  EXPECT_GE(ran, static_cast<long long>(seconds));
}

TEST_F(LocalEndToEnd, AJobWhoseSupervisorWasKilledIsNotShownRunningForever) {
  auto submitted = run("jsub/jsub", {"-N", "orphan", "/bin/sleep", "300"});
  ASSERT_EQ(submitted.exit_code, 0);
  qstat_until([](const std::string& out) { return out.find(" r ") != std::string::npos; },
              "qstat to show job 1 running");
  std::ifstream state(home.path() / "state" / "jobs" / "1.json");
  auto record = nlohmann::json::parse(state, nullptr, false);
  ASSERT_TRUE(record.is_object() && record.contains("supervisor")) << record.dump();
  // Without notice: the supervisor and the program are killed, nobody records an exit.
  ::kill(record["supervisor"]["pid"].get<int>(), SIGKILL);
  ASSERT_FALSE(record["tasks"].empty());
  if (record["tasks"][0].contains("process"))
    ::kill(-record["tasks"][0]["process"]["pid"].get<int>(), SIGKILL);
  EXPECT_EQ(qstat_until([](const std::string& out) { return out.empty(); },
                        "qstat to stop listing the job whose supervisor was killed"),
            "");
}

TEST_F(LocalEndToEnd, EditedStateFilesAreWarningsAndTheRealJobListsExactly) {
  auto program = script("held.sh", "exit 0\n");
  auto submitted = run("jsub/jsub", {"-h", "-N", "held", program.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto before = run("qstat/qstat", {});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_NE(before.out.find(" held "), std::string::npos) << before.out;

  const auto jobs = home.path() / "state" / "jobs";
  home.write("state/jobs/7.json", "{");
  home.write("state/jobs/8.json", R"({"id": 8, "name": "x", "owner": "tools.alice",)"
                                  R"( "submission_time": -1, "tasks": []})");
  home.write("state/jobs/99999999999999999999.json", "{}");  // not a job file name
  auto warnings = [&](const std::string& command) {
    return command + ": warning: ignoring local job file " + (jobs / "7.json").string() +
           ": is not JSON\n" + command + ": warning: ignoring local job file " +
           (jobs / "8.json").string() +
           ": \"submission_time\" is not a time (milliseconds since 1970)\n";
  };
  auto after = run("qstat/qstat", {});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  EXPECT_EQ(after.err, warnings("qstat"));

  auto deleted = run("qdel/qdel", {"7", "1"});
  EXPECT_EQ(deleted.exit_code, 1);
  EXPECT_EQ(deleted.out, "denied: job \"7\" does not exist\ntools.alice has deleted job 1\n");
  EXPECT_EQ(deleted.err, warnings("qdel"));
  EXPECT_TRUE(std::filesystem::exists(jobs / "7.json"));
}

}  // namespace
}  // namespace k8sjobs::testing
