// The local backend's record and its mapping to JobRecord, without processes: liveness is
// handed in.

#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "k8sjobs/local/local_job.h"
#include "k8sjobs/local/process_info.h"
#include "k8sjobs/local/supervisor.h"

namespace k8sjobs::local {
namespace {

using namespace std::chrono_literals;
using jobs::JobState;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

LocalJob sample_job() {
  LocalJob job;
  job.id = 17;
  job.name = "crawler";
  job.owner = "tools.alice";
  job.group = "tools.alice";
  job.uid = 50001;
  job.gid = 50001;
  job.posix_priority = 0;
  job.slots = 2;
  job.memory_bytes = 536870912;
  job.submission_time = kNow - 10s;
  job.node = "worker-1";
  job.started = true;
  job.supervisor = ProcessId{100, 5000};
  job.details.cwd = "/data/project/alice";
  job.details.stdout_path = "/data/project/alice/crawler.out";
  job.details.hard_resources = {{"h_vmem", "512M"}, {"release", "bookworm"}};
  job.details.environment = {{"FOO", "bar"}};
  job.details.job_args = {"-v", "x y"};
  job.details.script_file = "/data/project/alice/crawler.sh";
  job.details.submit_environment = {{"sge_o_host", "login"}};
  LocalTask task;
  task.task_id = 0;
  task.phase = TaskPhase::Running;
  task.process = ProcessId{200, 6000};
  task.start_time = kNow - 5s;
  job.tasks.push_back(task);
  return job;
}

LivenessCheck alive_set(std::set<int> pids) {
  return [pids](const ProcessId& process) { return pids.contains(process.pid); };
}

TEST(LocalJobTest, JsonRoundTripKeepsEveryField) {
  LocalJob job = sample_job();
  job.array = jobs::ArrayRange{1, 9, 2};
  job.max_running = 3;
  job.held = true;
  job.continuous = true;
  job.once = true;
  job.start_after = kNow + 60s;
  job.predecessors = {3, 5};
  job.predecessors_done = true;
  LocalTask ended;
  ended.task_id = 3;
  ended.phase = TaskPhase::Signaled;
  ended.signal = 9;
  ended.end_time = kNow;
  ended.delete_requested = kNow - 2s;
  ended.kill_after = kNow + 3s;
  ended.error_reason = "why";
  job.tasks.push_back(ended);
  auto decoded = local_job_from_json(to_json(job));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->job, job);
  EXPECT_TRUE(decoded->problems.empty());
  auto reparsed = local_job_from_json(nlohmann::json::parse(to_json(job).dump()));
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->job, job);
}

TEST(LocalJobTest, MalformedRecordIsRefusedWithTheReason) {
  auto json = to_json(sample_job());
  json["tasks"][0]["phase"] = "sleeping";
  auto decoded = local_job_from_json(json);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), "task 0: \"phase\" \"sleeping\" is not a task phase");
  json.erase("tasks");
  decoded = local_job_from_json(json);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), "\"tasks\" is not a list of 1 to 100000 tasks");
}

TEST(LocalJobTest, RunningJobMapsToRunningRecord) {
  auto record = to_job_record(sample_job(), alive_set({100, 200}), kNow, nullptr);
  EXPECT_EQ(record.id, 17);
  EXPECT_EQ(record.name, "crawler");
  EXPECT_EQ(record.owner, "tools.alice");
  EXPECT_EQ(record.slots, 2);
  EXPECT_DOUBLE_EQ(record.priority, 0.5);
  EXPECT_EQ(record.cwd, "/data/project/alice");
  EXPECT_EQ(record.stdout_path, "/data/project/alice/crawler.out");
  EXPECT_EQ(record.hard_resources, (std::vector<std::pair<std::string, std::string>>{
                                       {"h_vmem", "512M"}, {"release", "bookworm"}}));
  EXPECT_EQ(record.job_args, (std::vector<std::string>{"-v", "x y"}));
  EXPECT_EQ(record.submit_environment,
            (std::vector<std::pair<std::string, std::string>>{{"sge_o_host", "login"}}));
  EXPECT_EQ(record.backend_objects,
            (std::vector<std::pair<std::string, std::string>>{{"LocalJob", "17"}}));
  ASSERT_EQ(record.tasks.size(), 1u);
  EXPECT_EQ(record.tasks[0].state, JobState::Running);
  EXPECT_EQ(record.tasks[0].node, "worker-1");
  EXPECT_EQ(record.tasks[0].start_time, kNow - 5s);
}

TEST(LocalJobTest, StatesFollowHoldDeletionAndRestarts) {
  LocalJob job = sample_job();
  auto alive = alive_set({100, 200});
  job.held = true;
  EXPECT_EQ(to_job_record(job, alive, kNow, nullptr).tasks[0].state, JobState::Held);
  job.held = false;
  job.tasks[0].delete_requested = kNow;
  EXPECT_EQ(to_job_record(job, alive, kNow, nullptr).tasks[0].state, JobState::Deleting);
  job.tasks[0].delete_requested.reset();
  job.continuous = true;
  auto record = to_job_record(job, alive, kNow, [](const LocalTask&) { return true; });
  EXPECT_EQ(record.tasks[0].state, JobState::Restarted);
  EXPECT_EQ(record.tasks[0].restarts, 1);
  EXPECT_EQ(to_job_record(job, alive, kNow, [](const LocalTask&) { return false; }).tasks[0].state,
            JobState::Running);
}

TEST(LocalJobTest, PendingTasks) {
  LocalJob job = sample_job();
  job.tasks[0].phase = TaskPhase::Pending;
  job.tasks[0].process.reset();
  EXPECT_EQ(to_job_record(job, alive_set({100}), kNow, nullptr).tasks[0].state, JobState::Pending);
  job.held = true;
  EXPECT_EQ(to_job_record(job, alive_set({100}), kNow, nullptr).tasks[0].state, JobState::Held);
  // Held since submit: no supervisor yet, still held, however old.
  job.started = false;
  job.supervisor.reset();
  EXPECT_EQ(to_job_record(job, alive_set({}), kNow + 24h, nullptr).tasks[0].state, JobState::Held);
}

// -hold_jid: held (hqw) with its predecessors listed until the supervisor has seen them finish;
// -a: pending (qw) with its execution time.
TEST(LocalJobTest, PredecessorsHoldAndAStartTimeWaits) {
  LocalJob job = sample_job();
  job.tasks[0].phase = TaskPhase::Pending;
  job.tasks[0].process.reset();
  job.predecessors = {3, 5};
  auto record = to_job_record(job, alive_set({100}), kNow, nullptr);
  EXPECT_EQ(record.tasks[0].state, JobState::Held);
  EXPECT_EQ(record.predecessor_jobs, (std::vector<long long>{3, 5}));
  job.predecessors_done = true;
  record = to_job_record(job, alive_set({100}), kNow, nullptr);
  EXPECT_EQ(record.tasks[0].state, JobState::Pending);
  EXPECT_TRUE(record.predecessor_jobs.empty());
  job.start_after = kNow + 60s;
  record = to_job_record(job, alive_set({100}), kNow, nullptr);
  EXPECT_EQ(record.tasks[0].state, JobState::Pending);
  EXPECT_EQ(record.execution_time, kNow + 60s);
}

// The record's file is the user's: predecessors that are not job numbers are a problem reported,
// never a crash or a wait for something else.
TEST(LocalJobTest, UnreadablePredecessorsAreReportedNotWaitedFor) {
  for (const auto& bad : {nlohmann::json("3,5"), nlohmann::json{3, "x"}, nlohmann::json{-1},
                          nlohmann::json{1.5}, nlohmann::json(std::vector<long long>(1001, 7))}) {
    auto json = to_json(sample_job());
    json["predecessors"] = bad;
    auto decoded = local_job_from_json(json);
    ASSERT_TRUE(decoded) << bad.dump();
    EXPECT_TRUE(decoded->job.predecessors.empty()) << bad.dump();
    ASSERT_EQ(decoded->problems.size(), 1u) << bad.dump();
    EXPECT_EQ(decoded->problems[0],
              "\"predecessors\" is not a list of job numbers (not waited for)");
  }
}

TEST(LocalJobTest, DeadProcessesAreNotRunningForever) {
  LocalJob job = sample_job();
  // The program ended and its live supervisor is about to record it: still running.
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({100}), kNow), TaskPhase::Running);
  // The supervisor died but the program runs on: running.
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({200}), kNow), TaskPhase::Running);
  // Both gone: finished without exit status.
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({}), kNow), TaskPhase::Lost);
  auto record = to_job_record(job, alive_set({}), kNow, nullptr);
  EXPECT_EQ(record.tasks[0].state, JobState::Failed);
  EXPECT_FALSE(record.tasks[0].error_reason.empty());
  auto exits = task_exits(job, alive_set({}), kNow);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, jobs::TaskExit::Kind::NoInformation);

  // A pending task whose supervisor is gone can never start: Eqw.
  job.tasks[0].phase = TaskPhase::Pending;
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({}), kNow), TaskPhase::Error);
  EXPECT_EQ(to_job_record(job, alive_set({}), kNow, nullptr).tasks[0].state, JobState::Error);
  // Not started and not held: pending only while its submitter may still start it.
  job.started = false;
  job.supervisor.reset();
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({}), job.submission_time + 1s),
            TaskPhase::Pending);
  EXPECT_EQ(effective_phase(job, job.tasks[0], alive_set({}),
                            job.submission_time + kSupervisorStartGrace),
            TaskPhase::Error);
}

TEST(LocalJobTest, FinishedTasksAndTheirExits) {
  LocalJob job = sample_job();
  job.array = jobs::ArrayRange{1, 4, 1};
  job.tasks.clear();
  auto add = [&](int id, TaskPhase phase, std::optional<int> code, std::optional<int> sig) {
    LocalTask task;
    task.task_id = id;
    task.phase = phase;
    task.exit_code = code;
    task.signal = sig;
    job.tasks.push_back(task);
  };
  add(1, TaskPhase::Exited, 0, std::nullopt);
  add(2, TaskPhase::Exited, 3, std::nullopt);
  add(3, TaskPhase::Signaled, std::nullopt, SIGKILL);
  add(4, TaskPhase::Deleted, std::nullopt, std::nullopt);
  auto record = to_job_record(job, alive_set({}), kNow, nullptr);
  ASSERT_EQ(record.tasks.size(), 4u);
  EXPECT_EQ(record.tasks[0].state, JobState::Succeeded);
  EXPECT_EQ(record.tasks[1].state, JobState::Failed);
  EXPECT_EQ(record.tasks[1].exit_code, 3);
  EXPECT_EQ(record.tasks[2].state, JobState::Failed);
  EXPECT_EQ(record.tasks[2].signal, SIGKILL);
  EXPECT_EQ(record.tasks[3].state, JobState::Failed);

  auto exits = task_exits(job, alive_set({}), kNow);
  ASSERT_EQ(exits.size(), 4u);
  EXPECT_EQ(exits[0].kind, jobs::TaskExit::Kind::Exited);
  EXPECT_EQ(exits[0].exit_code, 0);
  EXPECT_EQ(exits[1].exit_code, 3);
  EXPECT_EQ(exits[2].kind, jobs::TaskExit::Kind::Signaled);
  EXPECT_EQ(exits[2].signal_name, "KILL");
  EXPECT_EQ(exits[3].kind, jobs::TaskExit::Kind::NeverRan);
  EXPECT_EQ(exits[3].task_id, 4);
}

TEST(LocalJobTest, SignalNamesAndPriority) {
  EXPECT_EQ(signal_name(SIGKILL), "KILL");
  EXPECT_EQ(signal_name(SIGTERM), "TERM");
  EXPECT_EQ(signal_name(SIGSEGV), "SEGV");
  EXPECT_EQ(signal_name(0), "SIG0");
  EXPECT_DOUBLE_EQ(normalized_priority(0), 0.5);
  EXPECT_DOUBLE_EQ(normalized_priority(1024), 1.0);
  EXPECT_LT(normalized_priority(-1023), 0.001);
}

TEST(LocalJobTest, ParsesProcStatWithAwkwardCommandNames) {
  // Field 22 (start time) is 8675309; the name holds ") " and spaces.
  std::string stat =
      "4242 (my) prog (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 8675309 "
      "2306048 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  auto parsed = parse_process_stat(stat);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->state, 'S');
  EXPECT_EQ(parsed->parent, 1);
  EXPECT_EQ(parsed->start_ticks, 8675309u);
  EXPECT_FALSE(parse_process_stat("4242 (short) S 1 2 3"));
  EXPECT_FALSE(parse_process_stat("no parenthesis"));
}

TEST(LocalJobTest, OwnProcessIsAliveAndAReusedPidIsNot) {
  auto self = read_process_stat(::getpid());
  ASSERT_TRUE(self);
  EXPECT_TRUE(process_alive(ProcessId{::getpid(), self->start_ticks}));
  EXPECT_FALSE(process_alive(ProcessId{::getpid(), self->start_ticks + 1}));
}

TEST(LocalJobTest, LaunchDescriptionRoundTrip) {
  JobLaunch launch;
  launch.working_dir = "/data/project/alice";
  launch.memory_bytes = 1 << 30;
  launch.time_limit_seconds = 300;
  launch.tasks.push_back(TaskLaunch{
      2, {"/bin/sh", "-c", "exec \"$@\"", "k8sjobs-job", "a b"}, {{"JOB_ID", "5"}, {"X", "=y"}}});
  auto back = job_launch_from_json(nlohmann::json::parse(to_json(launch).dump()));
  EXPECT_EQ(back.working_dir, launch.working_dir);
  EXPECT_EQ(back.memory_bytes, launch.memory_bytes);
  EXPECT_EQ(back.time_limit_seconds, 300u);
  launch.time_limit_seconds.reset();
  EXPECT_FALSE(job_launch_from_json(to_json(launch)).time_limit_seconds);
  ASSERT_EQ(back.tasks.size(), 1u);
  EXPECT_EQ(back.tasks[0].task_id, 2);
  EXPECT_EQ(back.tasks[0].argv, launch.tasks[0].argv);
  EXPECT_EQ(back.tasks[0].environment, launch.tasks[0].environment);
}

// Grid Engine passed any bytes: the launch file (JSON) keeps them, and stays JSON that a
// strict writer accepts; UTF-8 words are still plain strings.
TEST(LocalJobTest, LaunchDescriptionKeepsAnyBytes) {
  std::string all;
  for (int byte = 1; byte <= 255; ++byte) all.push_back(static_cast<char>(byte));
  JobLaunch launch;
  launch.working_dir = "/srv/\xfe";
  launch.tasks.push_back(
      TaskLaunch{1, {"/bin/echo", "\xff\xfe", "ok", "\x80", all}, {{"V", "\xff"}}});
  const nlohmann::json stored = to_json(launch);
  EXPECT_EQ(stored["tasks"][0]["argv"][2], "ok");
  EXPECT_EQ(stored["tasks"][0]["argv"][1], nlohmann::json::parse(R"({"bytes": [255, 254]})"));
  auto back = job_launch_from_json(nlohmann::json::parse(stored.dump()));
  EXPECT_EQ(back.working_dir, launch.working_dir);
  EXPECT_EQ(back.tasks.at(0).argv, launch.tasks[0].argv);
  EXPECT_EQ(back.tasks.at(0).environment, launch.tasks[0].environment);
}

}  // namespace
}  // namespace k8sjobs::local
