// SPDX-License-Identifier: Apache-2.0
// qsub as Grid Engine users run it: a job script read at submission (from a file or standard
// input) runs as it was then, on the local backend and in the container a Job gets from the
// test API server; Grid Engine's output file names, messages and -sync exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/kubelet_container.h"
#include "support/temp_dir.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

class QsubLocal : public ::testing::Test {
 protected:
  CommandSpec spec(const std::string& command, std::vector<std::string> args) const {
    CommandSpec out;
    out.program = built_command(command);
    out.args = std::move(args);
    out.environment = {{"HOME", home.path().string()},
                       {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                       {"K8SJOBS_STATE_DIR", (home.path() / "state").string()},
                       {"K8SJOBS_USER", "tools.alice"},
                       {"K8SJOBS_CONFIG", (home.path() / "no-config.yaml").string()},
                       {"TZ", "UTC"}};
    out.working_directory = home.path();
    out.timeout = std::chrono::seconds(60);
    return out;
  }
  CommandOutput qsub(std::vector<std::string> args) const {
    return run_command(spec("qsub/qsub", std::move(args)));
  }

  TempDir home;
  void SetUp() override { home.write("no-config.yaml", "backend: local\n"); }
};

TEST_F(QsubLocal, RunsTheScriptAsItWasWhenSubmitted) {
  home.write("job.sh", "echo old \"$1\"\n");
  auto submitted = qsub({"-h", "job.sh", "arg"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.out, "Your job 1 (\"job.sh\") has been submitted\n");
  // qstat -j: the script as submitted and its arguments, as Grid Engine shows them.
  auto details = run_command(spec("qstat/qstat", {"-j", "1"}));
  EXPECT_NE(
      details.out.find("script_file:                " + (home.path() / "job.sh").string() + "\n"),
      std::string::npos)
      << details.out;
  EXPECT_NE(details.out.find("job_args:                   arg\n"), std::string::npos)
      << details.out;
  home.write("job.sh", "echo new \"$1\"\n");
  auto released = run_command(spec("qdel/qrls", {"1"}));
  ASSERT_EQ(released.exit_code, 0) << released.err;
  EXPECT_TRUE(wait_until([&] { return read_if_exists(home.path() / "job.sh.o1") == "old arg\n"; },
                         kEventDeadline, "job.sh.o1 to read \"old arg\""))
      << read_if_exists(home.path() / "job.sh.o1") << read_if_exists(home.path() / "job.sh.e1");
  EXPECT_TRUE(std::filesystem::exists(home.path() / "job.sh.e1"));
}

TEST_F(QsubLocal, ReadsTheScriptFromStandardInput) {
  auto with_stdin = spec("qsub/qsub", {"-sync", "y"});
  with_stdin.stdin_text = "#$ -j y\necho hi from \"$JOB_NAME\"\necho oops >&2\n";
  auto submitted = run_command(with_stdin);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.out,
            "Your job 1 (\"STDIN\") has been submitted\nJob 1 exited with exit code 0.\n");
  EXPECT_EQ(read_file(home.path() / "STDIN.o1"), "hi from STDIN\noops\n");
  // Held, so that qstat -j still shows it: Grid Engine's script_file for standard input.
  auto held = spec("qsub/qsub", {"-h"});
  held.stdin_text = "echo held\n";
  ASSERT_EQ(run_command(held).exit_code, 0);
  auto details = run_command(spec("qstat/qstat", {"-j", "2"}));
  EXPECT_NE(details.out.find("script_file:                STDIN\n"), std::string::npos)
      << details.out;
}

TEST_F(QsubLocal, SyncPassesTheScriptsExitCodeThrough) {
  home.write("fails.sh", "#!/bin/sh\nexit 3\n");
  auto result = qsub({"-sync", "y", "fails.sh"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"fails.sh\") has been submitted\n");
  EXPECT_EQ(result.err, "Job 1 exited with exit code 3.\n");
}

TEST_F(QsubLocal, BinaryRunsTheCommandItself) {
  auto result = qsub({"-b", "y", "-sync", "y", "/bin/echo", "hello", "$HOME"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(home.path() / "echo.o1"), "hello $HOME\n");
}

TEST_F(QsubLocal, ArrayTasksInTheWorkingDirectoryGetGridEnginesNames) {
  home.write("sub/task.sh", "echo task $SGE_TASK_ID\n");
  auto in_sub = spec("qsub/qsub", {"-terse", "-cwd", "-t", "1-2", "-sync", "y", "task.sh"});
  in_sub.working_directory = home.path() / "sub";
  auto result = run_command(in_sub);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("1.1-2:1\n", 0), 0u) << result.out;
  EXPECT_EQ(read_file(home.path() / "sub/task.sh.o1.1"), "task 1\n");
  EXPECT_EQ(read_file(home.path() / "sub/task.sh.o1.2"), "task 2\n");
}

TEST_F(QsubLocal, AMissingScriptIsGridEnginesMessage) {
  auto result = qsub({"nosuch.sh"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "Unable to read script file because of error: error opening nosuch.sh: No such file "
            "or directory\n");
  auto missing = qsub({"-N"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "qsub: ERROR! -N option must have argument\n");
}

json container_of(const json& job) {
  return job["spec"]["template"]["spec"]["containers"][0];
}

// What is left in a directory, one name a line.
std::string listing(const std::filesystem::path& dir) {
  std::string names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names += entry.path().filename().string() + "\n";
  }
  return names;
}

// A script that is not UTF-8 cannot be a manifest's env value: the launcher exports it from
// its printf(1) form, and the job gets the bytes as they were.
TEST(QsubCluster, AScriptThatIsNotUtf8RunsByteForByte) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "bytes.sh");
    script << "printf '%s\\n' '\xff\xfe $$ %s \\'\n";
  }
  auto result = cluster.run("qsub/qsub", {"bytes.sh"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto job = cluster.job_object("tool-alice", 1);
  ASSERT_TRUE(job);
  auto ran = run_container((*job)["spec"]["template"]["spec"]["containers"][0]);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(read_file(home / "bytes.sh.o1"), "\xff\xfe $$ %s \\\n");
  EXPECT_EQ(read_file(home / "bytes.sh.e1"), "");
}

// Over the test API server: the Job's container, started as the kubelet would start it, runs
// the script that was submitted, with the interpreter of its #! line.
TEST(QsubCluster, TheJobsContainerRunsTheSubmittedScript) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "job.py");
    script << "#!/bin/sh -e\n#$ -N fromscript\necho \"args: $*\" '$(HOME)' $$ >/dev/null\n"
              "echo \"args: $*\"\n";
  }
  auto result = cluster.run("qsub/qsub", {"-N", "cli", "job.py", "a b", "c"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"cli\") has been submitted\n");
  auto job = cluster.job_object("tool-alice", 1);
  ASSERT_TRUE(job);
  // Removed after submission: the Job holds its own copy.
  std::filesystem::remove(home / "job.py");
  auto ran = run_container((*job)["spec"]["template"]["spec"]["containers"][0]);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(read_file(home / "cli.o1"), "args: a b c\n");
  EXPECT_EQ(read_file(home / "cli.e1"), "");
}

// A script edited after submission: the job runs the content qsub read, and the copy the
// launcher spooled is gone once the job has ended.
TEST(QsubCluster, AScriptEditedAfterSubmissionRunsAsItWasAndLeavesNoCopy) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  TempDir tmp;
  {
    std::ofstream script(home / "job.sh");
    script << "echo old \"$1\"\n";
  }
  auto result = cluster.run("qsub/qsub", {"job.sh", "arg"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"job.sh\") has been submitted\n");
  {
    std::ofstream script(home / "job.sh", std::ios::trunc);
    script << "echo new \"$1\"\n";
  }
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  auto ran = run_container(container_of(*job), {{"TMPDIR", tmp.path().string()}});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(read_file(home / "job.sh.o1"), "old arg\n");
  EXPECT_EQ(read_file(home / "job.sh.e1"), "");
  EXPECT_EQ(listing(tmp.path()), "");
}

// Grid Engine's qsub has no -once: a second job of a name that is already queued is taken,
// with no guard object and no look at the other jobs.
TEST(QsubCluster, TakesAnotherJobOfANameAlreadyQueued) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "job.sh");
    script << "echo\n";
  }
  for (const long long id : {1, 2}) {
    auto result = cluster.run("qsub/qsub", {"-N", "same", "job.sh"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "Your job " + std::to_string(id) + " (\"same\") has been submitted\n");
    EXPECT_TRUE(cluster.job_object(kAliceNamespace, id));
  }
  for (const auto& map : cluster.server().list("/api/v1/namespaces/tool-alice/configmaps")) {
    EXPECT_EQ(map["metadata"]["name"], "k8sjobs-job-ids") << map.dump();
  }
}

// `echo cmd | qsub`: the script is standard input, the job is STDIN, its files STDIN.o<id>.
TEST(QsubCluster, AScriptFromStandardInputRunsAsStdin) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  CommandSpec spec;
  spec.program = built_command("qsub/qsub");
  spec.environment = cluster.environment(cluster.alice());
  spec.working_directory = home;
  spec.stdin_text = "echo \"hi from $JOB_NAME $JOB_ID\"\n";
  auto result = run_command(spec);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"STDIN\") has been submitted\n");
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  auto ran = run_container(container_of(*job));
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(read_file(home / "STDIN.o1"), "hi from STDIN 1\n");
  EXPECT_EQ(read_file(home / "STDIN.e1"), "");
}

// -sync y: qsub waits for the Job and exits with the code the script's container ended with,
// saying so in Grid Engine's words (on stderr, as 8.1.9 prints a non-zero result).
TEST(QsubCluster, SyncPassesTheJobsExitCodeThrough) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "fails.sh");
    script << "#!/bin/sh\necho failing\nexit 3\n";
  }
  const std::string jobs_path = "/apis/batch/v1/namespaces/tool-alice/jobs";
  const int watches_before = cluster.server().watches_started(jobs_path);
  auto run = std::async(std::launch::async, [&] {
    return cluster.run("qsub/qsub", {"-sync", "y", "fails.sh"});
  });
  std::string pod = cluster.wait_for_pod(kAliceNamespace, 1);
  ASSERT_FALSE(pod.empty()) << "job 1 got no pod";
  cluster.server().set_pod_running(kAliceNamespace, pod);
  ASSERT_TRUE(
      wait_until([&] { return cluster.server().watches_started(jobs_path) > watches_before; },
                 kEventDeadline, "qsub -sync y to watch job 1"));
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  auto ran = run_container(container_of(*job));
  EXPECT_EQ(ran.exit_code, 3) << ran.err;
  cluster.server().finish_pod(kAliceNamespace, pod, ran.exit_code);
  auto result = run.get();
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_EQ(result.out, "Your job 1 (\"fails.sh\") has been submitted\n");
  EXPECT_EQ(result.err, "Job 1 exited with exit code 3.\n");
  EXPECT_EQ(read_file(home / "fails.sh.o1"), "failing\n");
}

// -t 1-10 -tc 2: one Indexed Job of 10 completions, 2 at a time; each task (the index the Job
// controller gives it) writes Grid Engine's NAME.oJOBID.TASKID.
TEST(QsubCluster, AnArrayWithATaskLimitIsAnIndexedJobWithThatParallelism) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "task.sh");
    script << "echo \"task $SGE_TASK_ID of $SGE_TASK_FIRST-$SGE_TASK_LAST\"\n";
  }
  auto result = cluster.run("qsub/qsub", {"-t", "1-10", "-tc", "2", "task.sh"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Your job-array 1.1-10:1 (\"task.sh\") has been submitted\n");
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  EXPECT_EQ((*job)["spec"]["completionMode"], "Indexed");
  EXPECT_EQ((*job)["spec"]["completions"], 10);
  EXPECT_EQ((*job)["spec"]["parallelism"], 2);
  for (const int index : {0, 9}) {
    auto ran = run_container(container_of(*job), {{"JOB_COMPLETION_INDEX", std::to_string(index)}});
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
  }
  EXPECT_EQ(read_file(home / "task.sh.o1.1"), "task 1 of 1-10\n");
  EXPECT_EQ(read_file(home / "task.sh.o1.10"), "task 10 of 1-10\n");
  EXPECT_EQ(read_file(home / "task.sh.e1.10"), "");
}

// Lines that are wrong for Grid Engine get its answer and create nothing: jsub's own options,
// and with -b y a command that is not there.
TEST(QsubCluster, JsubsOwnOptionsAndAMissingCommandAreRefusedBeforeAnyRequest) {
  ClusterFixture cluster;
  const auto home = cluster.home_of(cluster.alice());
  {
    std::ofstream script(home / "job.sh");
    script << "#$ -once\necho\n";
  }
  auto mem = cluster.run("qsub/qsub", {"-mem", "1g", "job.sh"});
  EXPECT_EQ(mem.exit_code, 2);
  EXPECT_EQ(mem.out, "");
  EXPECT_EQ(mem.err, "qsub: invalid option argument \"-mem\"\n");
  auto directive = cluster.run("qsub/qsub", {"job.sh"});
  EXPECT_EQ(directive.exit_code, 2);
  EXPECT_EQ(directive.err,
            "qsub: " + (home / "job.sh").string() + ":1 (#$): invalid option argument \"-once\"\n");
  auto missing = cluster.run("qsub/qsub", {"-b", "y", "no-such-program-here", "x"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "qsub: command \"no-such-program-here\" not found\n");
  EXPECT_TRUE(cluster.server().requests().empty());
  EXPECT_FALSE(std::filesystem::exists(home / "job.sh.e1"));
}

}  // namespace
}  // namespace k8sjobs::testing
