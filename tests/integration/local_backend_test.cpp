// The local backend with real processes: each test has its own state directory and runs
// /bin/sh scripts written into its temporary directory.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/local/local_backend.h"
#include "k8sjobs/local/process_info.h"
#include "k8sjobs/local/state_store.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace k8sjobs {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using jobs::JobState;
using jobs::TaskExit;

// For failure messages.
const char* state_name(JobState state) {
  switch (state) {
    case JobState::Pending:
      return "Pending";
    case JobState::Held:
      return "Held";
    case JobState::Starting:
      return "Starting";
    case JobState::Running:
      return "Running";
    case JobState::Restarted:
      return "Restarted";
    case JobState::Deleting:
      return "Deleting";
    case JobState::Error:
      return "Error";
    case JobState::Succeeded:
      return "Succeeded";
    case JobState::Failed:
      return "Failed";
  }
  return "?";
}

constexpr const char* kAlreadyActive =
    "[Thu Mar  7 09:05:01 2024] there is a job named 'once' already active";

// The submitting host as parse_submit sees it: the temp dir is home and cwd.
class TestHost final : public ge::HostView {
 public:
  explicit TestHost(fs::path home) : home_(std::move(home)) {}
  bool exists(const std::string& path) const override { return fs::exists(path); }
  bool is_directory(const std::string& path) const override { return fs::is_directory(path); }
  bool is_executable_file(const std::string& path) const override {
    return fs::is_regular_file(path) && ::access(path.c_str(), X_OK) == 0;
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    if (!fs::is_regular_file(path)) return std::nullopt;
    std::string text = testing::read_file(path);
    if (text.size() > max_bytes) text.resize(max_bytes);
    return text;
  }
  std::string cwd() const override { return home_.string(); }
  std::string home() const override { return home_.string(); }
  std::string user() const override { return "tools.tester"; }
  std::optional<std::string> env(const std::string& name) const override {
    if (name == "PATH") return std::string("/usr/bin:/bin");
    if (name == "HOME") return home_.string();
    if (name == "FROMHOST") return std::string("host value");
    return std::nullopt;
  }
  std::string ctime_now() const override { return "Thu Mar  7 09:05:01 2024"; }

 private:
  fs::path home_;
};

class LocalBackendTest : public ::testing::Test {
 protected:
  LocalBackendTest() {
    site_.local.state_dir = dir_.path() / "state";
    options_.kill_grace = 1s;
    options_.poll_interval = 50ms;
    backend_ = local::make_local_backend(site_, clock_, options_);
    context_.hostname = "submit-host";
    context_.submit_time = std::chrono::system_clock::now();
    context_.environment = {
        {"HOME", dir_.path().string()}, {"PATH", "/usr/bin:/bin"}, {"FROMHOST", "host value"}};
  }

  ~LocalBackendTest() override {
    // Never leave a job running past its test (and its temporary directory).
    auto listed = backend_->list({});
    if (!listed) return;
    for (const auto& job : listed->records) {
      backend_->remove(job, {}, /*force=*/true);
      backend_->wait(jobs::SubmitReceipt{job.id, "", {}, {}});
    }
  }

  fs::path script(const std::string& name, const std::string& body) {
    return dir_.write(name, "#!/bin/sh\n" + body, fs::perms::owner_all);
  }

  ge::SubmitRequest request(ge::Mode mode, std::vector<std::string> argv) {
    TestHost host(dir_.path());
    ge::SubmitSettings settings;
    settings.releases = {"bookworm"};
    auto parsed = ge::parse_submit(mode, argv, host, settings);
    if (!parsed) ADD_FAILURE() << parsed.error().message;
    return parsed.value();
  }

  long long submit(const ge::SubmitRequest& req) {
    auto receipt = backend_->submit(req, context_, kAlreadyActive);
    if (!receipt) {
      ADD_FAILURE() << receipt.error().message;
      return 0;
    }
    return receipt->id;
  }

  std::optional<jobs::JobRecord> find(long long id, bool include_finished = true) {
    jobs::JobQuery query;
    query.include_finished = include_finished;
    auto listed = backend_->list(query);
    if (!listed) return std::nullopt;
    for (const auto& job : listed->records) {
      if (job.id == id) return job;
    }
    return std::nullopt;
  }

  // Until the backend reports the job's first task in `state` (failure: it never did).
  ::testing::AssertionResult wait_for_state(
      long long id, JobState state, std::chrono::milliseconds deadline = testing::kEventDeadline) {
    return testing::wait_until(
        [&] {
          auto job = find(id);
          return job && !job->tasks.empty() && job->tasks.front().state == state;
        },
        deadline, "job " + std::to_string(id) + " to be " + state_name(state));
  }

  // Until the job's stdout file holds `text`: what a job prints once its setup (a trap, say)
  // is done. "Running" only says its process was started.
  ::testing::AssertionResult wait_for_output(long long id, const std::string& text) {
    auto job = stored(id);
    if (!job) return ::testing::AssertionFailure() << "job " << id << " has no record";
    fs::path out = job->details.stdout_path;
    return testing::wait_until(
        [&] { return fs::exists(out) && testing::read_file(out).find(text) != std::string::npos; },
        testing::kEventDeadline,
        "job " + std::to_string(id) + " to write \"" + text + "\" to " + out.string());
  }

  std::vector<TaskExit> wait(long long id) {
    auto exits = backend_->wait(jobs::SubmitReceipt{id, "", {}, {}});
    if (!exits) {
      ADD_FAILURE() << exits.error().message;
      return {};
    }
    return *exits;
  }

  std::optional<local::LocalJob> stored(long long id) {
    return local::StateStore(site_.local.state_dir).read(id);
  }

  testing::TempDir dir_;
  site::SiteConfig site_;
  sys::SystemClock clock_;
  local::LocalBackendOptions options_;
  std::unique_ptr<jobs::JobBackend> backend_;
  translate::SubmitContext context_;
};

TEST_F(LocalBackendTest, SubmitRunsThenFinishesAppendingOutput) {
  auto program = script("work.sh", "echo started\nsleep 1\necho done\necho oops >&2\n");
  dir_.write("work.out", "earlier run\n");
  long long id = submit(request(ge::Mode::Jsub, {"-N", "work", program.string()}));
  ASSERT_GT(id, 0);

  ASSERT_TRUE(wait_for_state(id, JobState::Running));
  auto running = find(id, false);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->name, "work");
  EXPECT_EQ(running->owner, "tools.tester");
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(running->tasks.front().node, host);
  EXPECT_TRUE(running->tasks.front().start_time.has_value());
  EXPECT_FALSE(running->continuous);

  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Exited);
  EXPECT_EQ(exits[0].exit_code, 0);
  EXPECT_EQ(testing::read_file(dir_.path() / "work.out"), "earlier run\nstarted\ndone\n");
  EXPECT_EQ(testing::read_file(dir_.path() / "work.err"), "oops\n");

  EXPECT_FALSE(find(id, false)) << "a finished job is not listed without -s z";
  auto finished = find(id, true);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->tasks.front().state, JobState::Succeeded);
  EXPECT_EQ(finished->tasks.front().exit_code, 0);
}

TEST_F(LocalBackendTest, JobSeesGridEngineEnvironment) {
  fs::create_directories(dir_.path() / "wd");
  auto program = script("env.sh",
                        "env | sort\n"
                        "echo \"cwd=$(pwd)\"\n"
                        "echo \"stdin=$(readlink /proc/$$/fd/0)\"\n"
                        "echo \"args=$1|$2\"\n");
  auto req =
      request(ge::Mode::Jsub, {"-N", "envjob", "-wd", (dir_.path() / "wd").string(), "-v",
                               "FOO=bar baz", "-v", "FROMHOST", program.string(), "a 1", "$b"});
  long long id = submit(req);
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exit_code, 0);
  std::string out = "\n" + testing::read_file(dir_.path() / "envjob.out");
  std::string home = dir_.path().string();
  for (const std::string& line : {"JOB_ID=" + std::to_string(id),
                                  std::string("JOB_NAME=envjob"),
                                  std::string("REQUEST=envjob"),
                                  std::string("SGE_TASK_ID=undefined"),
                                  std::string("SGE_TASK_FIRST=undefined"),
                                  std::string("ENVIRONMENT=BATCH"),
                                  std::string("QUEUE=task"),
                                  std::string("NSLOTS=1"),
                                  "HOME=" + home,
                                  std::string("USER=tools.tester"),
                                  std::string("LOGNAME=tools.tester"),
                                  std::string("SGE_O_HOST=submit-host"),
                                  "SGE_O_WORKDIR=" + home,
                                  "SGE_O_HOME=" + home,
                                  std::string("FOO=bar baz"),
                                  std::string("FROMHOST=host value"),
                                  "JOB_SCRIPT=" + program.string(),
                                  "SGE_STDOUT_PATH=" + home + "/envjob.out",
                                  "cwd=" + (dir_.path() / "wd").string(),
                                  std::string("stdin=/dev/null"),
                                  std::string("args=a 1|$b")}) {
    EXPECT_NE(out.find("\n" + line + "\n"), std::string::npos) << line << "\n" << out;
  }
  auto record = find(id, true);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->cwd, (dir_.path() / "wd").string());
  EXPECT_EQ(record->script_file, program.string());
  EXPECT_EQ(record->job_args, (std::vector<std::string>{"a 1", "$b"}));
  EXPECT_EQ(record->environment, (std::vector<std::pair<std::string, std::string>>{
                                     {"FOO", "bar baz"}, {"FROMHOST", "host value"}}));
}

TEST_F(LocalBackendTest, SyncPassesTheExitCodeThrough) {
  auto program = script("three.sh", "exit 3\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Exited);
  EXPECT_EQ(exits[0].exit_code, 3);
  auto record = find(id, true);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tasks.front().state, JobState::Failed);
}

TEST_F(LocalBackendTest, SyncReportsTheSignal) {
  auto program = script("suicide.sh", "kill -9 $$\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Signaled);
  EXPECT_EQ(exits[0].signal_name, "KILL");
}

TEST_F(LocalBackendTest, ContinuousJobRestartsAfterFailureUntilExitZero) {
  auto marker = dir_.path() / "ran-once";
  auto program = script("flaky.sh", "if [ ! -e " + marker.string() + " ]; then touch " +
                                        marker.string() + "; exit 4; fi\nsleep 2\nexit 0\n");
  long long id = submit(request(ge::Mode::Jstart, {"-N", "flaky", program.string()}));
  auto record = find(id);
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->continuous);
  // The 5 s pause, then the second run (2 s) shows as restarted.
  EXPECT_TRUE(wait_for_state(id, JobState::Restarted));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Exited);
  EXPECT_EQ(exits[0].exit_code, 0);
  std::string err = testing::read_file(dir_.path() / "flaky.err");
  EXPECT_NE(err.find("] " + program.string() + " exited with code 4. Respawning...\n"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.front(), '[');
}

TEST_F(LocalBackendTest, RemoveRunningJobTermsThenKillsAfterGrace) {
  // Ignores TERM (and so does every child: ignored signals survive exec), so only the
  // supervisor's KILL after the grace period ends it.
  auto program = script("stubborn.sh", "trap '' TERM\necho up\nwhile :; do sleep 0.1; done\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  ASSERT_TRUE(wait_for_state(id, JobState::Running));
  // Running is as soon as the shell started; a TERM before its trap would simply end it.
  ASSERT_TRUE(wait_for_output(id, "up\n"));
  auto record = find(id);
  ASSERT_TRUE(record);
  auto start = std::chrono::steady_clock::now();
  auto removed = backend_->remove(*record, {}, false);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, jobs::DeleteResult::Registered);
  auto again = backend_->remove(*record, {}, false);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, jobs::DeleteResult::AlreadyDeleting);
  auto deleting = find(id);
  ASSERT_TRUE(deleting);
  EXPECT_EQ(deleting->tasks.front().state, JobState::Deleting);

  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Signaled);
  EXPECT_EQ(exits[0].signal_name, "KILL");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms) << "KILL only after the grace period";
}

TEST_F(LocalBackendTest, RemovePendingHeldJobDeletesIt) {
  auto program = script("never.sh", "echo ran > " + (dir_.path() / "ran").string() + "\n");
  long long id = submit(request(ge::Mode::Jsub, {"-h", program.string()}));
  auto record = find(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tasks.front().state, JobState::Held);
  auto removed = backend_->remove(*record, {}, false);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, jobs::DeleteResult::Deleted);
  EXPECT_FALSE(find(id, false));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::NeverRan);
  auto gone = backend_->remove(*record, {}, false);
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, jobs::DeleteResult::NotFound);
  EXPECT_FALSE(fs::exists(dir_.path() / "ran"));
}

TEST_F(LocalBackendTest, HeldAtSubmitStartsOnRelease) {
  auto program = script("later.sh", "echo released\n");
  long long id = submit(request(ge::Mode::Jsub, {"-h", "-N", "later", program.string()}));
  // Held at submit, nothing can run it: no supervisor was started, so no task has a process
  // (the record says so now; waiting a while would prove nothing more).
  auto held = stored(id);
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->held);
  EXPECT_FALSE(held->started);
  EXPECT_FALSE(held->supervisor);
  ASSERT_EQ(held->tasks.size(), 1u);
  EXPECT_EQ(held->tasks.front().phase, local::TaskPhase::Pending);
  EXPECT_FALSE(held->tasks.front().process);
  EXPECT_FALSE(fs::exists(dir_.path() / "later.out"));
  auto record = find(id);
  ASSERT_TRUE(record);
  ASSERT_TRUE(backend_->release(*record));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exit_code, 0);
  EXPECT_EQ(testing::read_file(dir_.path() / "later.out"), "released\n");
}

TEST_F(LocalBackendTest, HoldStopsAndReleaseContinuesARunningJob) {
  // One process for its whole life, so its state is the job's. A shell loop would not do:
  // dash vforks each command, and a SIGSTOP landing between vfork and exec stops the child
  // while the shell waits for it in state D, never T, although the job is stopped.
  auto program = script("still.sh", "exec sleep 60\n");  // the fixture's teardown ends it
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  ASSERT_TRUE(wait_for_state(id, JobState::Running));
  auto record = find(id);
  ASSERT_TRUE(record);
  ASSERT_TRUE(backend_->hold(*record));
  EXPECT_TRUE(wait_for_state(id, JobState::Held));
  auto job = stored(id);
  ASSERT_TRUE(job && job->tasks.front().process);
  auto stopped = [&] {
    auto stat = local::read_process_stat(job->tasks.front().process->pid);
    return stat && stat->state == 'T';
  };
  EXPECT_TRUE(testing::wait_until(stopped, testing::kEventDeadline,
                                  "the held job's process to be stopped (state T)"));
  ASSERT_TRUE(backend_->release(*record));
  EXPECT_TRUE(wait_for_state(id, JobState::Running));
  EXPECT_TRUE(testing::wait_until([&] { return !stopped(); }, testing::kEventDeadline,
                                  "the released job's process to run again"));
}

TEST_F(LocalBackendTest, ArrayRunsEveryTaskRespectingConcurrency) {
  auto log = dir_.path() / "tasks.log";
  auto program =
      script("task.sh",
             "echo \"start $SGE_TASK_ID $SGE_TASK_FIRST $SGE_TASK_LAST $SGE_TASK_STEPSIZE\" >> " +
                 log.string() + "\nsleep 0.3\necho \"end $SGE_TASK_ID\" >> " + log.string() +
                 "\nexit $SGE_TASK_ID\n");
  long long id =
      submit(request(ge::Mode::Jsub, {"-t", "2-6:2", "-tc", "1", "-N", "arr", program.string()}));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 3u);
  std::map<int, int> codes;
  for (const auto& exit : exits) codes[exit.task_id] = exit.exit_code;
  EXPECT_EQ(codes, (std::map<int, int>{{2, 2}, {4, 4}, {6, 6}}));
  // -tc 1: each task ends before the next starts.
  EXPECT_EQ(testing::read_file(log),
            "start 2 2 6 2\nend 2\nstart 4 2 6 2\nend 4\nstart 6 2 6 2\nend 6\n");
  EXPECT_TRUE(fs::exists(dir_.path() / "arr.out"));
  auto record = find(id);
  ASSERT_TRUE(record && record->array);
  EXPECT_EQ(*record->array, (jobs::ArrayRange{2, 6, 2}));
}

TEST_F(LocalBackendTest, MemoryLimitIsApplied) {
  auto program = script("mem.sh", "ulimit -v\n");
  long long id = submit(request(ge::Mode::Jsub, {"-mem", "700m", "-N", "mem", program.string()}));
  wait(id);
  EXPECT_EQ(testing::read_file(dir_.path() / "mem.out"), "716800\n");
}

TEST_F(LocalBackendTest, HardRunTimeLimitKillsTheJob) {
  auto program = script("long.sh", "sleep 30\n");
  auto start = std::chrono::steady_clock::now();
  long long id = submit(request(ge::Mode::Jsub, {"-l", "h_rt=1", program.string()}));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::Signaled);
  EXPECT_EQ(exits[0].signal_name, "KILL");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(LocalBackendTest, ConcurrentSubmissionsGetUniqueIncreasingIds) {
  auto program = script("quick.sh", "exit 0\n");
  auto req = request(ge::Mode::Jsub, {program.string()});
  constexpr int kProcesses = 20;
  int results[2];
  ASSERT_EQ(::pipe(results), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto receipt = backend_->submit(req, context_, kAlreadyActive);
      long long id = receipt ? receipt->id : -1;
      ssize_t wrote = ::write(results[1], &id, sizeof id);
      ::_exit(wrote == sizeof id ? 0 : 1);
    }
    children.push_back(child);
  }
  ::close(results[1]);
  std::vector<long long> ids;
  long long id = 0;
  while (::read(results[0], &id, sizeof id) == sizeof id) ids.push_back(id);
  ::close(results[0]);
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kProcesses));
  std::sort(ids.begin(), ids.end());
  for (int i = 0; i < kProcesses; ++i) EXPECT_EQ(ids[static_cast<size_t>(i)], i + 1);
  for (long long job : ids) wait(job);
  // A later submission continues the sequence.
  EXPECT_EQ(submit(req), kProcesses + 1);
}

TEST_F(LocalBackendTest, ConcurrentOnceStartsExactlyOneJob) {
  auto program = script("once.sh", "sleep 3\n");
  auto req = request(ge::Mode::Qcronsub, {"-N", "once", program.string()});
  ASSERT_TRUE(req.once);
  constexpr int kProcesses = 10;
  int go[2];
  int results[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(results), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(go[1]);
      char byte;
      while (::read(go[0], &byte, 1) > 0) {
      }  // all start together when the test closes the pipe
      auto receipt = backend_->submit(req, context_, kAlreadyActive);
      long long answer =
          receipt ? receipt->id
          : receipt.error().message == kAlreadyActive && receipt.error().exit_code == 1 ? 0
                                                                                        : -1;
      ssize_t wrote = ::write(results[1], &answer, sizeof answer);
      ::_exit(wrote == sizeof answer ? 0 : 1);
    }
    children.push_back(child);
  }
  ::close(go[0]);
  ::close(go[1]);
  ::close(results[1]);
  std::vector<long long> answers;
  long long answer = 0;
  while (::read(results[0], &answer, sizeof answer) == sizeof answer) answers.push_back(answer);
  ::close(results[0]);
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  ASSERT_EQ(answers.size(), static_cast<size_t>(kProcesses));
  EXPECT_EQ(std::count_if(answers.begin(), answers.end(), [](long long a) { return a > 0; }), 1);
  EXPECT_EQ(std::count(answers.begin(), answers.end(), 0), kProcesses - 1);
  auto listed = backend_->list({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->records.size(), 1u);
}

TEST_F(LocalBackendTest, JobWhoseSupervisorWasKilledDoesNotRunForever) {
  auto program = script("orphan.sh", "sleep 1\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  ASSERT_TRUE(wait_for_state(id, JobState::Running));
  auto job = stored(id);
  ASSERT_TRUE(job && job->supervisor);
  ASSERT_TRUE(local::process_alive(*job->supervisor));
  ASSERT_EQ(::kill(job->supervisor->pid, SIGKILL), 0);

  auto exits = wait(id);  // returns once the orphaned program has ended
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::NoInformation);
  EXPECT_FALSE(find(id, false));
  auto record = find(id, true);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tasks.front().state, JobState::Failed);
  EXPECT_FALSE(record->tasks.front().error_reason.empty());
  auto settled = stored(id);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->tasks.front().phase, local::TaskPhase::Lost) << "recorded, not recomputed";
}

TEST_F(LocalBackendTest, RemoveWithoutSupervisorStillKillsAfterGrace) {
  auto program = script("stubborn.sh", "trap '' TERM\necho up\nwhile :; do sleep 0.1; done\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  ASSERT_TRUE(wait_for_state(id, JobState::Running));
  ASSERT_TRUE(wait_for_output(id, "up\n"));  // TERM is ignored from now on
  auto job = stored(id);
  ASSERT_TRUE(job && job->supervisor && job->tasks.front().process);
  ASSERT_EQ(::kill(job->supervisor->pid, SIGKILL), 0);
  auto record = find(id);
  ASSERT_TRUE(record);
  auto removed = backend_->remove(*record, {}, false);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, jobs::DeleteResult::Registered);
  // wait() looks at the job, and with no supervisor left it sends the KILL itself.
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::NoInformation);
  EXPECT_FALSE(local::process_alive(*job->tasks.front().process));
}

TEST_F(LocalBackendTest, MissingWorkingDirectoryIsAnErrorStateNotACrash) {
  auto program = script("fine.sh", "exit 0\n");
  long long id = submit(
      request(ge::Mode::Jsub, {"-wd", (dir_.path() / "nowhere").string(), program.string()}));
  auto exits = wait(id);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].kind, TaskExit::Kind::NeverRan);
  auto record = find(id, false);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tasks.front().state, JobState::Error);
  EXPECT_NE(record->tasks.front().error_reason.find("can't chdir to"), std::string::npos);
}

TEST_F(LocalBackendTest, FinishedJobsArePrunedAfterRetention) {
  options_.finished_retention = 0s;
  backend_ = local::make_local_backend(site_, clock_, options_);
  auto program = script("short.sh", "exit 0\n");
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  wait(id);
  jobs::JobQuery query;
  query.include_finished = true;
  auto listed = backend_->list(query);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->records.empty());
  EXPECT_FALSE(fs::exists(site_.local.state_dir / "jobs" / (std::to_string(id) + ".json")));
}

TEST_F(LocalBackendTest, StateDirectoryIsPrivate) {
  auto program = script("p.sh", "exit 0\n");
  wait(submit(request(ge::Mode::Jsub, {program.string()})));
  auto perms = fs::status(site_.local.state_dir).permissions();
  EXPECT_EQ(perms & fs::perms::all, fs::perms::owner_all);
}

TEST_F(LocalBackendTest, UsersFilterSelectsOwners) {
  auto program = script("u.sh", "sleep 10\n");  // the fixture's teardown ends it
  long long id = submit(request(ge::Mode::Jsub, {program.string()}));
  jobs::JobQuery mine;
  mine.users = {"tools.tester"};
  jobs::JobQuery others;
  others.users = {"tools.other"};
  jobs::JobQuery everybody;
  everybody.users = {"*"};
  EXPECT_EQ(backend_->list(mine)->records.size(), 1u);
  EXPECT_TRUE(backend_->list(others)->records.empty());
  auto all = backend_->list(everybody);
  ASSERT_EQ(all->records.size(), 1u);
  EXPECT_EQ(all->records.front().id, id);
}

TEST(LocalStateStoreTest, ThreadsGetUniqueContiguousIds) {
  testing::TempDir dir;
  local::StateStore store(dir.path() / "state");
  ASSERT_TRUE(store.ensure());
  constexpr int kThreads = 24;
  constexpr int kEach = 10;
  std::vector<std::vector<long long>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &got, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = store.next_id();
        got[static_cast<size_t>(t)].push_back(id ? *id : -1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<long long> all;
  for (const auto& ids : got) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "increasing within each submitter";
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<long long>(i) + 1);
}

}  // namespace
}  // namespace k8sjobs
