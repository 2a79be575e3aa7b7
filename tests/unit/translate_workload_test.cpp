// The pure translation: exact manifests for representative submissions, and every generated
// object checked against the Kubernetes v1.32 OpenAPI schemas.
#include "k8sjobs/translate/workload.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/translate/job_environment.h"
#include "k8sjobs/translate/labels.h"
#include "support/build_paths.h"
#include "support/kubelet_container.h"
#include "support/openapi_validator.h"
#include "support/temp_dir.h"

namespace k8sjobs::translate {
namespace {

using nlohmann::json;

ge::SubmitRequest updater_request() {
  ge::SubmitRequest request;
  request.user = "tools.alice";
  request.home = "/data/project/alice";
  request.submit_cwd = "/data/project/alice/bot";
  request.job_name = "updater";
  request.job_name_given = true;
  request.program = "python3";
  request.resolved_program = "/usr/bin/python3";
  request.program_args = {"/data/project/alice/bot/update.py"};
  request.memory_kib = 1048576;
  request.memory_given = true;
  request.release = "bookworm";
  request.once = true;
  request.working_dir = "/data/project/alice";
  request.mail_list = {"tools.alice@toolforge.org"};
  return request;
}

SubmitContext context() {
  SubmitContext submit;
  submit.hostname = "tools-bastion-1";
  submit.submit_time = std::chrono::system_clock::from_time_t(1795000000);
  submit.environment = {
      {"HOME", "/data/project/alice"}, {"LOGNAME", "tools.alice"}, {"PATH", "/usr/bin:/bin"},
      {"SHELL", "/bin/bash"},          {"LANG", "C.UTF-8"},        {"BAD NAME", "x"}};
  return submit;
}

JobIdentity identity() {
  return JobIdentity{4711, "tool-alice", "updater-4711"};
}

std::string env_value(const json& container, const std::string& name) {
  for (const auto& entry : container["env"]) {
    if (entry["name"] == name) return entry["value"].get<std::string>();
  }
  return "<unset>";
}

// The container as the kubelet starts it (its words after `$` expansion).
TEST(BuildWorkload, OneOffJobMatchesTheGoldenManifest) {
  auto workload = build_workload(updater_request(), site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload) << workload.error().message;
  EXPECT_EQ(workload->kind, &kube::resources::kJobs);
  json golden = json::parse(
      testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/translate/updater-job.json"));
  EXPECT_EQ(workload->object, golden) << workload->object.dump(2);
}

TEST(BuildWorkload, GeneratedObjectsValidateAgainstTheOpenApiSchemas) {
  auto validator = testing::OpenApiValidator::load_default();
  std::vector<ge::SubmitRequest> variants;
  variants.push_back(updater_request());
  auto continuous = updater_request();
  continuous.continuous = true;
  continuous.mode = ge::Mode::Jstart;
  variants.push_back(continuous);
  auto array = updater_request();
  array.array = ge::TaskRange{1, 9, 2};
  array.task_concurrency = 2;
  array.time_limit_seconds = 3600;
  array.cpus = 1;
  variants.push_back(array);
  auto held = updater_request();
  held.hold = true;
  held.rerunnable = true;
  held.export_all = true;
  held.env_vars = {{"MODE", "fast", false}, {"LANG", "", true}};
  variants.push_back(held);
  for (const auto& request : variants) {
    auto workload = build_workload(request, site::SiteConfig(), identity(), context());
    ASSERT_TRUE(workload) << workload.error().message;
    EXPECT_EQ(validator.validate(workload->object), std::vector<std::string>{})
        << workload->object.dump(2);
  }
}

TEST(BuildWorkload, ContinuousJobIsADeploymentWithJsubsRestartLoop) {
  auto request = updater_request();
  request.continuous = true;
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  EXPECT_EQ(workload->kind, &kube::resources::kDeployments);
  const auto& spec = workload->object["spec"];
  EXPECT_EQ(spec["replicas"], 1);
  EXPECT_EQ(spec["strategy"]["type"], "Recreate");
  EXPECT_EQ(spec["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(spec["template"]["spec"]["terminationGracePeriodSeconds"], 15);
  EXPECT_EQ(spec["selector"]["matchLabels"][kJobIdLabel], "4711");
  std::string script = testing::started_container(*workload)["command"][2];
  EXPECT_NE(script.find("until \"$@\" ; do\n"), std::string::npos);
  EXPECT_NE(script.find("exited with code $?. Respawning...\" >&2\n    sleep 5\n"),
            std::string::npos);
  EXPECT_EQ(env_value(testing::started_container(*workload), "QUEUE"), "continuous");
}

TEST(BuildWorkload, ArgvIsPassedThroughByteForByte) {
  auto request = updater_request();
  request.program_args = {"--channel", "#foo", "it's \"quoted\"", "$HOME `id`", "line1\nline2",
                          "héllo ☃",   ""};
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  const json command = testing::started_container(*workload)["command"];
  ASSERT_EQ(command.size(), 5u + request.program_args.size());
  EXPECT_EQ(command[0], "/bin/sh");
  EXPECT_EQ(command[1], "-c");
  EXPECT_EQ(command[3], "k8sjobs-job");
  EXPECT_EQ(command[4], "/usr/bin/python3");
  for (size_t i = 0; i < request.program_args.size(); ++i)
    EXPECT_EQ(command[5 + i], request.program_args[i]);
}

TEST(BuildWorkload, EveryDollarIsEscapedForTheKubelet) {
  auto request = updater_request();
  request.program_args = {"$(HOME)", "kill $$"};
  request.env_vars = {{"MODE", "$(JOB_ID)$", false}};
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  const json& manifest = workload->object["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(manifest["command"][5], "$$(HOME)");
  EXPECT_EQ(manifest["command"][6], "kill $$$$");
  EXPECT_EQ(env_value(manifest, "MODE"), "$$(JOB_ID)$$");
  EXPECT_NE(manifest["command"][2].get<std::string>().find("\"$$@\""), std::string::npos);
  // The kubelet gives the words back as submitted.
  const json started = testing::started_container(*workload);
  EXPECT_EQ(started["command"][5], "$(HOME)");
  EXPECT_EQ(started["command"][6], "kill $$");
  EXPECT_EQ(env_value(started, "MODE"), "$(JOB_ID)$");
}

TEST(BuildWorkload, LauncherRunsTheProgramUnchangedThroughARealShell) {
  auto request = updater_request();
  testing::TempDir dir;
  request.program_args = {"it's \"quoted\"", "$HOME `id`", "a\nb"};
  std::string out = (dir.path() / "job.out").string();
  std::string err = (dir.path() / "job.err").string();
  std::string script = launcher_script(request, out, err, 007);
  // Run the launcher with printf as the program: each argument on its own line, verbatim.
  std::string command = "/bin/sh -c " + std::string("'") + "eval \"$K8SJOBS_SCRIPT\"" +
                        "' k8sjobs-job printf '[%s]\\n'";
  for (const auto& word : request.program_args) {
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += " " + quoted + "'";
  }
  setenv("K8SJOBS_SCRIPT", script.c_str(), 1);
  ASSERT_EQ(std::system(command.c_str()), 0);
  unsetenv("K8SJOBS_SCRIPT");
  EXPECT_EQ(testing::read_file(out), "[it's \"quoted\"]\n[$HOME `id`]\n[a\nb]\n");
}

TEST(BuildWorkload, OutputGoesToGridEngineFilesAndArrayTasksExpandTaskId) {
  auto request = updater_request();
  request.array = ge::TaskRange{2, 10, 4};
  request.stdout_path = "/data/project/alice/logs/$JOB_NAME.$TASK_ID.out";
  request.join = true;
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  std::string script = testing::started_container(*workload)["command"][2];
  EXPECT_NE(
      script.find("SGE_TASK_ID=$((SGE_TASK_FIRST + JOB_COMPLETION_INDEX * SGE_TASK_STEPSIZE))"),
      std::string::npos);
  EXPECT_NE(script.find("exec >>\"/data/project/alice/logs/updater.${SGE_TASK_ID}.out\" 2>&1\n"),
            std::string::npos)
      << script;
  const auto& spec = workload->object["spec"];
  EXPECT_EQ(spec["completionMode"], "Indexed");
  EXPECT_EQ(spec["completions"], 3);
  EXPECT_EQ(spec["parallelism"], 3);
  EXPECT_EQ(env_value(testing::started_container(*workload), "SGE_TASK_FIRST"), "2");
  EXPECT_EQ(env_value(testing::started_container(*workload), "SGE_TASK_LAST"), "10");
  EXPECT_EQ(env_value(testing::started_container(*workload), "SGE_TASK_STEPSIZE"), "4");
}

TEST(BuildWorkload, GridEngineEnvironment) {
  auto request = updater_request();
  request.env_vars = {{"MODE", "fast", false}, {"LANG", "", true}, {"MISSING", "", true}};
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  const auto& c = testing::started_container(*workload);
  EXPECT_EQ(env_value(c, "JOB_ID"), "4711");
  EXPECT_EQ(env_value(c, "JOB_NAME"), "updater");
  EXPECT_EQ(env_value(c, "SGE_TASK_ID"), "undefined");
  EXPECT_EQ(env_value(c, "SGE_TASK_STEPSIZE"), "undefined");
  EXPECT_EQ(env_value(c, "SGE_O_HOST"), "tools-bastion-1");
  EXPECT_EQ(env_value(c, "SGE_O_WORKDIR"), "/data/project/alice/bot");
  EXPECT_EQ(env_value(c, "SGE_O_PATH"), "/usr/bin:/bin");
  EXPECT_EQ(env_value(c, "ENVIRONMENT"), "BATCH");
  EXPECT_EQ(env_value(c, "QUEUE"), "task");
  EXPECT_EQ(env_value(c, "NSLOTS"), "1");
  EXPECT_EQ(env_value(c, "USER"), "tools.alice");
  EXPECT_EQ(env_value(c, "MODE"), "fast");
  EXPECT_EQ(env_value(c, "LANG"), "C.UTF-8");
  EXPECT_EQ(env_value(c, "MISSING"), "<unset>");
  EXPECT_EQ(env_value(c, "BAD NAME"), "<unset>");
}

TEST(BuildWorkload, TimeLimitHoldRetriesAndCpus) {
  auto request = updater_request();
  request.time_limit_seconds = 300;
  request.hold = true;
  request.rerunnable = true;
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload);
  EXPECT_EQ(workload->object["spec"]["activeDeadlineSeconds"], 300);
  EXPECT_EQ(workload->object["spec"]["suspend"], true);
  EXPECT_EQ(workload->object["spec"]["backoffLimit"], 3);
}

// -a: suspended with the time while it is ahead (k8sjobs-controller starts it); a time already
// past starts at once; with -h as well the hold is marked, so the controller leaves it to qrls.
TEST(BuildWorkload, StartTimeSuspendsUntilThen) {
  const auto submitted = context().submit_time;
  auto request = updater_request();
  request.start_time = submitted + std::chrono::hours(2);
  auto later = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(later);
  EXPECT_EQ(later->object["spec"]["suspend"], true);
  const auto& annotations = later->object["metadata"]["annotations"];
  EXPECT_EQ(annotations["k8sjobs.io/start-after"], "2026-11-18T13:06:40Z");
  EXPECT_FALSE(annotations.contains("k8sjobs.io/hold"));

  request.start_time = submitted - std::chrono::hours(2);
  auto past = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(past);
  EXPECT_FALSE(past->object["spec"].contains("suspend"));
  EXPECT_EQ(past->object["metadata"]["annotations"]["k8sjobs.io/start-after"],
            "2026-11-18T09:06:40Z");

  request.hold = true;
  auto held = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(held);
  EXPECT_EQ(held->object["spec"]["suspend"], true);
  EXPECT_EQ(held->object["metadata"]["annotations"]["k8sjobs.io/hold"], "user");

  request.hold = false;
  request.start_time = submitted + std::chrono::hours(2);
  request.continuous = true;
  request.mode = ge::Mode::Jstart;
  auto deployment = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->object["spec"]["replicas"], 0);
}

// -hold_jid: suspended with the resolved job numbers (k8sjobs-controller starts it when they
// have finished), the words as given kept for qstat -j; with -h the hold is marked too.
TEST(BuildWorkload, PredecessorsSuspendUntilTheyHaveFinished) {
  auto request = updater_request();
  request.hold_jid = {"align", "12"};
  request.predecessors = {10, 12};
  auto waiting = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->object["spec"]["suspend"], true);
  const auto& annotations = waiting->object["metadata"]["annotations"];
  EXPECT_EQ(annotations["k8sjobs.io/hold-jid"], "10,12");
  EXPECT_FALSE(annotations.contains("k8sjobs.io/hold"));
  auto details =
      jobs::job_details_from_annotation(annotations["k8sjobs.io/details"].get<std::string>());
  EXPECT_EQ(details.details.hold_jid, (std::vector<std::string>{"align", "12"}));

  request.hold = true;
  auto held = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(held);
  EXPECT_EQ(held->object["metadata"]["annotations"]["k8sjobs.io/hold"], "user");

  request.hold = false;
  request.continuous = true;
  request.mode = ge::Mode::Jstart;
  auto deployment = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->object["spec"]["replicas"], 0);
}

TEST(BuildWorkload, RefusesMoreThanTheSiteAllows) {
  auto request = updater_request();
  request.memory_kib = 8ULL * 1024 * 1024;
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_FALSE(workload);
  EXPECT_EQ(workload.error().message,
            "Unable to run job: the job requests 8Gi of memory, more than this site's maximum of "
            "4Gi.\nExiting.");
  request = updater_request();
  request.cpus = 4;
  workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_FALSE(workload);
  EXPECT_EQ(
      workload.error().message,
      "Unable to run job: the job requests 4 CPUs, more than this site's maximum of 1.\nExiting.");
}

// k8sjobs-migrate check asks only admit(): it must refuse exactly what build_workload refuses,
// with the same message, and admit what it builds.
TEST(BuildWorkload, AdmitRefusesWhatBuildWorkloadRefuses) {
  std::vector<ge::SubmitRequest> requests;
  requests.push_back(updater_request());
  requests.push_back(updater_request());
  requests.back().memory_kib = 8ULL * 1024 * 1024;
  requests.push_back(updater_request());
  requests.back().cpus = 4;
  requests.push_back(updater_request());
  requests.back().release = "trusty";
  requests.back().release_given = true;  // as the parser sets it: a release not given is known
  requests.push_back(updater_request());
  requests.back().env_vars = {{"GOOD", "1", false}, {"BAD NAME", "x", false}};
  requests.push_back(updater_request());
  requests.back().memory_kib = 8ULL * 1024 * 1024;  // the first refusal wins in both
  requests.back().env_vars = {{"BAD NAME", "x", false}};
  int refused = 0;
  for (const auto& request : requests) {
    auto admitted = admit(request, site::SiteConfig());
    auto workload = build_workload(request, site::SiteConfig(), identity(), context());
    ASSERT_EQ(static_cast<bool>(admitted), static_cast<bool>(workload)) << request.release;
    if (workload) continue;
    ++refused;
    EXPECT_EQ(admitted.error().message, workload.error().message);
    EXPECT_EQ(admitted.error().exit_code, workload.error().exit_code);
  }
  EXPECT_EQ(refused, 5);
}

TEST(Labels, NamesBecomeValidKubernetesNames) {
  EXPECT_EQ(object_name("updater", 4711), "updater-4711");
  EXPECT_EQ(object_name("cbng_bot", 1), "cbng-bot-1");
  EXPECT_EQ(object_name("Ünïcode Bot!", 12), "n-code-bot-12");
  EXPECT_EQ(object_name("___", 3), "job-3");
  EXPECT_EQ(object_name(std::string(100, 'a'), 123456).size(), 52u);
  EXPECT_EQ(label_value("cron-0"), "cron-0");
  EXPECT_EQ(label_value("my job/1"), "my-job-1");
  EXPECT_EQ(label_value("_x_"), "x");
  EXPECT_EQ(label_value(std::string(80, 'b')).size(), 63u);
}

}  // namespace
}  // namespace k8sjobs::translate

namespace k8sjobs::translate {
namespace {

// qsub: the script travels in K8SJOBS_JOB_SCRIPT (every `$` escaped for the kubelet), the
// container's words are the interpreter's and the job's arguments, the launcher spools the
// script between them; Grid Engine's output names.
TEST(BuildWorkload, QsubScriptTravelsInTheEnvironmentAndRunsWithItsInterpreter) {
  auto request = updater_request();
  request.mode = ge::Mode::Qsub;
  request.program = "job.sh";
  request.resolved_program = "/data/project/alice/job.sh";
  request.program_args = {"a b", "$(HOME)"};
  request.script = "#!/usr/bin/env python3\nprint('$(HOME) $$')\n";
  request.interpreter = {"/usr/bin/env", "python3"};
  request.job_name = "job.sh";
  auto workload = build_workload(request, site::SiteConfig(), identity(), context());
  ASSERT_TRUE(workload) << workload.error().message;
  const json& raw = workload->object["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(env_value(raw, "K8SJOBS_JOB_SCRIPT"),
            "#!/usr/bin/env python3\nprint('$$(HOME) $$$$')\n");
  const json container = testing::started_container(*workload);
  EXPECT_EQ(env_value(container, "K8SJOBS_JOB_SCRIPT"), *request.script);
  const auto command = container["command"].get<std::vector<std::string>>();
  ASSERT_EQ(command.size(), 8u);
  EXPECT_EQ(std::vector<std::string>(command.begin() + 4, command.end()),
            (std::vector<std::string>{"/usr/bin/env", "python3", "a b", "$(HOME)"}));
  const std::string& launcher = command[2];
  EXPECT_NE(launcher.find("mktemp"), std::string::npos) << launcher;
  EXPECT_NE(launcher.find("set -- \"$k8sjobs_i\" \"$k8sjobs_a\" \"$JOB_SCRIPT\" \"$@\""),
            std::string::npos)
      << launcher;
  EXPECT_EQ(env_value(container, "SGE_STDOUT_PATH"), "/data/project/alice/job.sh.o4711");
  EXPECT_EQ(env_value(container, "SGE_STDERR_PATH"), "/data/project/alice/job.sh.e4711");
}

// The launcher, run by a real /bin/sh: the spooled copy is what runs, as $0 and $JOB_SCRIPT
// (a private file, mode 0700, held open by the job), with the arguments unchanged; the variable
// that carried it is gone.
TEST(LauncherScript, QsubSpoolsTheScriptToAPrivateFileAndRunsIt) {
  testing::TempDir dir;
  ge::SubmitRequest request;
  request.mode = ge::Mode::Qsub;
  request.script =
      "echo \"$# [$1] [$2] ${K8SJOBS_JOB_SCRIPT:-gone}\"\n"
      "test \"$0\" = \"$JOB_SCRIPT\" && test -f \"$0\" && test -x \"$0\" && echo same\n"
      "head -n 1 \"$JOB_SCRIPT\" | cut -c1-6\n";
  request.interpreter = {"/bin/sh"};
  const std::string out = (dir.path() / "out").string();
  const std::string script = launcher_script(request, out, out, 022);
  const std::string command = "K8SJOBS_JOB_SCRIPT='" + *request.script + "' TMPDIR='" +
                              dir.path().string() + "' /bin/sh -c '" + script +
                              "' k8sjobs-job /bin/sh 'x y' z";
  // The launcher and the script hold no single quote: the words above are quoted as written.
  ASSERT_EQ(script.find('\''), std::string::npos);
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(testing::read_file(out), "2 [x y] [z] gone\nsame\necho \"\n");
}

// The spooled copy leaves nothing behind once the job's command has ended, and the launcher
// still execs it: the job is the launcher's process (same PID, so signals sent to the container's
// process reach the job itself), and its exit status is the launcher's.
TEST(LauncherScript, QsubsSpooledCopyIsGoneWhenTheJobEndsAndTheJobIsExeced) {
  testing::TempDir dir;
  const auto tmp = dir.path() / "tmp";
  std::filesystem::create_directory(tmp);
  ge::SubmitRequest request;
  request.mode = ge::Mode::Qsub;
  request.script = "echo $$ >job.pid\nexit 3\n";
  request.interpreter = {"/bin/sh"};
  const std::string out = (dir.path() / "out").string();
  const std::string script = launcher_script(request, out, out, 022);
  ASSERT_EQ(script.find('\''), std::string::npos);
  const std::string command =
      "cd '" + dir.path().string() + "' && K8SJOBS_JOB_SCRIPT='" + *request.script + "' TMPDIR='" +
      tmp.string() + "' /bin/sh -c 'echo $$ >launcher.pid\n" + script + "' k8sjobs-job /bin/sh";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(testing::read_file(dir.path() / "job.pid"),
            testing::read_file(dir.path() / "launcher.pid"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

}  // namespace
}  // namespace k8sjobs::translate
