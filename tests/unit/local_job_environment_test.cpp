// translate::job_environment, the one environment both backends give a job, and that the
// Kubernetes container gets exactly it.

#include <gtest/gtest.h>

#include "k8sjobs/translate/job_environment.h"

namespace k8sjobs::translate {
namespace {

ge::SubmitRequest base_request() {
  ge::SubmitRequest request;
  request.user = "tools.alice";
  request.home = "/data/project/alice";
  request.submit_cwd = "/data/project/alice/src";
  request.job_name = "job";
  request.program = "run.sh";
  request.resolved_program = "/data/project/alice/run.sh";
  request.working_dir = "/data/project/alice";
  request.release = "bookworm";
  return request;
}

SubmitContext base_context() {
  SubmitContext context;
  context.hostname = "login-1";
  context.environment = {
      {"HOME", "/data/project/alice"}, {"PATH", "/bin"}, {"FOO", "from host"}, {"1BAD", "x"}};
  return context;
}

ge::OutputPaths paths() {
  return ge::OutputPaths{"/data/project/alice/job.out", "/data/project/alice/job.err", false};
}

std::vector<std::string> names(const EnvironmentList& env) {
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name);
  return out;
}

std::string value(const EnvironmentList& env, const std::string& name) {
  for (const auto& [key, val] : env) {
    if (key == name) return val;
  }
  return "<unset>";
}

TEST(JobEnvironmentTest, NonArrayJobInGridEngineOrder) {
  auto env = job_environment(base_request(), JobIdentity{42, "", ""}, base_context(), paths());
  ASSERT_TRUE(env);
  EXPECT_EQ(names(*env), (std::vector<std::string>{"SGE_O_HOME",
                                                   "SGE_O_PATH",
                                                   "SGE_O_WORKDIR",
                                                   "SGE_O_HOST",
                                                   "JOB_ID",
                                                   "JOB_NAME",
                                                   "REQUEST",
                                                   "JOB_SCRIPT",
                                                   "QUEUE",
                                                   "NSLOTS",
                                                   "NHOSTS",
                                                   "NQUEUES",
                                                   "RESTARTED",
                                                   "ENVIRONMENT",
                                                   "HOME",
                                                   "USER",
                                                   "LOGNAME",
                                                   "SHELL",
                                                   "TMPDIR",
                                                   "SGE_CWD_PATH",
                                                   "SGE_STDOUT_PATH",
                                                   "SGE_STDERR_PATH",
                                                   "SGE_TASK_ID",
                                                   "SGE_TASK_FIRST",
                                                   "SGE_TASK_LAST",
                                                   "SGE_TASK_STEPSIZE"}));
  EXPECT_EQ(value(*env, "JOB_ID"), "42");
  EXPECT_EQ(value(*env, "SGE_TASK_ID"), "undefined");
  EXPECT_EQ(value(*env, "SGE_O_HOST"), "login-1");
  EXPECT_EQ(value(*env, "SGE_O_WORKDIR"), "/data/project/alice/src");
  EXPECT_EQ(value(*env, "QUEUE"), "task");
  EXPECT_EQ(value(*env, "SGE_STDERR_PATH"), "/data/project/alice/job.err");
}

TEST(JobEnvironmentTest, ArraysContinuousExportAndVariables) {
  auto request = base_request();
  request.array = ge::TaskRange{1, 9, 4};
  request.continuous = true;
  request.cpus = 2;
  request.export_all = true;
  request.env_vars = {
      {"X", "1", false}, {"FOO", "", true}, {"X", "2", false}, {"MISSING", "", true}};
  auto env = job_environment(request, JobIdentity{7, "", ""}, base_context(), paths());
  ASSERT_TRUE(env);
  EXPECT_EQ(value(*env, "SGE_TASK_ID"), "<unset>") << "the launcher derives it";
  EXPECT_EQ(value(*env, "SGE_TASK_FIRST"), "1");
  EXPECT_EQ(value(*env, "SGE_TASK_LAST"), "9");
  EXPECT_EQ(value(*env, "SGE_TASK_STEPSIZE"), "4");
  EXPECT_EQ(value(*env, "QUEUE"), "continuous");
  EXPECT_EQ(value(*env, "NSLOTS"), "2");
  EXPECT_EQ(value(*env, "X"), "2");
  EXPECT_EQ(value(*env, "FOO"), "from host");
  EXPECT_EQ(value(*env, "MISSING"), "<unset>");
  EXPECT_EQ(value(*env, "1BAD"), "<unset>") << "-V skips names that cannot be set";
  // -V first, so the job's own variables win: HOME from the request, not the host.
  EXPECT_EQ(env->front().first, "HOME");
  EXPECT_EQ(value(*env, "HOME"), "/data/project/alice");
}

TEST(JobEnvironmentTest, RefusesUnsettableNames) {
  auto request = base_request();
  request.env_vars = {{"bad name", "1", false}};
  auto env = job_environment(request, JobIdentity{1, "", ""}, base_context(), paths());
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message,
            "Unable to run job: the variable name \"bad name\" given with -v cannot be set on "
            "Kubernetes.\nExiting.");
}

TEST(JobEnvironmentTest, KubernetesContainerGetsExactlyThisEnvironment) {
  site::SiteConfig site;
  site.images.releases["bookworm"] = "registry/bookworm:1";
  auto request = base_request();
  request.env_vars = {{"FOO", "", true}};
  auto workload =
      build_workload(request, site, JobIdentity{42, "tool-alice", "job-42"}, base_context());
  ASSERT_TRUE(workload) << workload.error().message;
  auto env =
      job_environment(request, JobIdentity{42, "tool-alice", "job-42"}, base_context(), paths());
  ASSERT_TRUE(env);
  const auto& container = workload->object["spec"]["template"]["spec"]["containers"][0];
  EnvironmentList from_manifest;
  for (const auto& item : container["env"]) {
    from_manifest.emplace_back(item["name"].get<std::string>(), item["value"].get<std::string>());
  }
  EXPECT_EQ(from_manifest, *env);
}

TEST(JobEnvironmentTest, ResourcesUmaskAndQueue) {
  site::SiteConfig site;
  auto request = base_request();
  auto resources = job_resources(request, site);
  ASSERT_TRUE(resources);
  EXPECT_EQ(resources->memory_bytes, 536870912u);
  EXPECT_EQ(resources->slots, 1);
  request.memory_kib = 8 * 1024 * 1024;
  request.memory_given = true;
  auto too_much = job_resources(request, site);
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().message,
            "Unable to run job: the job requests 8Gi of memory, more than this site's maximum of "
            "4Gi.\nExiting.");
  EXPECT_EQ(job_umask(base_request(), site), 0007U);
  auto person = base_request();
  person.user = "alice";
  EXPECT_EQ(job_umask(person, site), 0077U);
  person.umask = 0022U;
  EXPECT_EQ(job_umask(person, site), 0022U);
  EXPECT_EQ(job_queue(base_request()), "task");
}

}  // namespace
}  // namespace k8sjobs::translate
