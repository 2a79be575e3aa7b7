#include "k8sjobs/ge/output_paths.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace k8sjobs::ge {
namespace {

SubmitRequest request_named(const std::string& name) {
  SubmitRequest r;
  r.user = "tools.alice";
  r.home = "/data/project/alice";
  r.submit_cwd = "/data/project/alice";
  r.working_dir = "/data/project/alice";
  r.job_name = name;
  return r;
}

OutputPathContext context(std::uint64_t job_id, std::set<std::string> directories = {}) {
  OutputPathContext c;
  c.job_id = job_id;
  c.hostname = "tools-k8s-worker-7";
  c.is_directory = [directories](const std::string& path) { return directories.count(path) > 0; };
  return c;
}

TEST(OutputPaths, JsubDefaultsInHomeWithoutJobId) {
  const auto paths = resolve_output_paths(request_named("cron-3"), context(4711));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/cron-3.out");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/cron-3.err");
  EXPECT_FALSE(paths.merged);
}

TEST(OutputPaths, DefaultsStayInHomeEvenWithCwd) {
  auto r = request_named("x");
  r.working_dir_mode = WorkingDirMode::Cwd;
  r.working_dir = "/data/project/alice/src";
  const auto paths = resolve_output_paths(r, context(1));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/x.out");
}

TEST(OutputPaths, JoinSendsStderrToTheStdoutFile) {
  auto r = request_named("ukbot");
  r.join = true;
  r.stdout_path = "logs/no.log";
  r.stderr_path = "ignored.err";
  r.working_dir = "/data/project/alice/bot";
  const auto paths = resolve_output_paths(r, context(1));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/bot/logs/no.log");  // relative to the job's dir
  EXPECT_EQ(paths.stderr_path, paths.stdout_path);
  EXPECT_TRUE(paths.merged);

  r.stdout_path.reset();
  EXPECT_EQ(resolve_output_paths(r, context(1)).stderr_path, "/data/project/alice/ukbot.out");
}

TEST(OutputPaths, DirectoriesGetGridEngineFileNames) {
  auto r = request_named("RFMix");
  r.stdout_path = "/data/project/alice/logs";
  r.stderr_path = "logs/";
  auto paths = resolve_output_paths(r, context(42, {"/data/project/alice/logs"}));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/logs/RFMix.o42");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/logs/RFMix.e42");
  auto c = context(42, {"/data/project/alice/logs"});
  c.task_id = 7;
  paths = resolve_output_paths(r, c);
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/logs/RFMix.o42.7");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/logs/RFMix.e42.7");
  // Without a directory check only a trailing slash marks a directory.
  c.is_directory = nullptr;
  paths = resolve_output_paths(r, c);
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/logs");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/logs/RFMix.e42.7");
}

TEST(OutputPaths, PseudoVariablesTildeAndHost) {
  auto r = request_named("job");
  r.stdout_path = "~/out/$JOB_NAME.$JOB_ID.$TASK_ID.$USER.$HOSTNAME";
  r.stderr_path = "login01:$HOME/err/$JOB_IDx.$JOB_NAME_";
  auto paths = resolve_output_paths(r, context(99));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/out/job.99.0.tools.alice.tools-k8s-worker-7");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/err/99x.job_");
  r.stdout_path = "~";
  r.stderr_path = "$NOT_A_VAR/e";
  paths = resolve_output_paths(r, context(5, {"/data/project/alice"}));
  EXPECT_EQ(paths.stdout_path, "/data/project/alice/job.o5");
  EXPECT_EQ(paths.stderr_path, "/data/project/alice/$NOT_A_VAR/e");
  r.stdout_path = "/dev/null";
  EXPECT_EQ(resolve_output_paths(r, context(5)).stdout_path, "/dev/null");
}

TEST(AbsolutePath, NormalizesLikeOsPathAbspath) {
  EXPECT_EQ(absolute_path("/data/project/alice", "./print_unsourced"),
            "/data/project/alice/print_unsourced");
  EXPECT_EQ(absolute_path("/a/b", "../c//d/./e"), "/a/c/d/e");
  EXPECT_EQ(absolute_path("/a", "/x/../../y"), "/y");
  EXPECT_EQ(absolute_path("/", ""), "/");
  EXPECT_EQ(absolute_path("/a/", "$SOURCE_PATH/bin/x.sh"), "/a/$SOURCE_PATH/bin/x.sh");
}

}  // namespace
}  // namespace k8sjobs::ge
