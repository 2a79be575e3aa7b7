// SPDX-License-Identifier: Apache-2.0
// Any bytes in argv and environment values reach the program byte for byte, as Grid Engine
// passed them, on both backends. The Kubernetes path is proven without a kubelet: the
// container command, args and env of the generated Job are expanded as the kubelet does and
// run here with /bin/sh, as the
// container runtime would run them, and the program (tests/tools/print_argv_hex.cpp) reports
// the exact bytes it received.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/workload.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/hex.h"
#include "support/kubelet_container.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

std::string print_argv_hex() {
  return built_command("tests/k8sjobs_print_argv_hex").string();
}

// What print_argv_hex prints for these arguments (its environment lines follow).
std::string arg_lines(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& word : args) out += "arg " + hex(word) + "\n";
  return out;
}

std::string env_line(const std::string& name, const std::string& value) {
  return "\nenv " + hex(name + "=" + value) + "\n";
}

// The words of the issue, then every byte 1..255 on its own and all of them in one word.
std::vector<std::string> hostile_args() {
  std::vector<std::string> args = {"\xff\xfe", "ok", "\x80"};
  std::string all;
  for (int byte = 1; byte <= 255; ++byte) {
    args.emplace_back(1, static_cast<char>(byte));
    all.push_back(static_cast<char>(byte));
  }
  args.push_back(all);
  args.push_back("h\xc3\xa9llo \xe2\x98\x83 %s \\0101 $(HOME) `id` \xff\n");
  // What the kubelet would expand (a defined variable, its escape) or leave alone.
  args.insert(args.end(), {"$(JOB_ID)", "$$", "$$(JOB_ID)", "$(", "$", "a$b$(NOPE)$"});
  return args;
}

const std::string kByteValue = "\xff";
const std::string kMixedValue = "a\x80 b\n\xfe%";

std::vector<std::string> submit_words(const std::vector<std::string>& args) {
  std::vector<std::string> words = {
      "-N", "x", "-v", "V=" + kByteValue, "-v", "MIXED=" + kMixedValue, print_argv_hex()};
  words.insert(words.end(), args.begin(), args.end());
  return words;
}

TEST(ArgvBytes, TheGeneratedJobsContainerPassesEveryByteThroughARealShell) {
  TempDir home;
  sys::SystemClock clock;
  sys::Environment env(std::map<std::string, std::string>{{"HOME", home.path().string()},
                                                          {"K8SJOBS_USER", "tools.alice"}});
  auto host = ge::make_system_host_view(env, clock);
  const auto args = hostile_args();
  ge::SubmitSettings settings;
  settings.releases = {"bookworm"};  // the site's default release
  auto request = ge::parse_submit(ge::Mode::Jsub, submit_words(args), *host, settings);
  ASSERT_TRUE(request) << request.error().message;
  translate::SubmitContext context;
  context.hostname = "bastion";
  for (const auto& [name, value] : env.all()) context.environment.emplace_back(name, value);
  site::SiteConfig site;
  auto workload = translate::build_workload(
      *request, site, translate::JobIdentity{1, "tool-alice", "x-1"}, context);
  ASSERT_TRUE(workload) << workload.error().message;
  // What is sent to the API server is JSON: the container is read back from its text.
  const json sent = json::parse(workload->object.dump());
  const json& container = sent["spec"]["template"]["spec"]["containers"][0];

  auto ran = run_container(container);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const std::string out = read_file(home.path() / "x.out");
  EXPECT_EQ(out.rfind(arg_lines(args), 0), 0u) << out;
  EXPECT_NE(out.find(env_line("V", kByteValue)), std::string::npos) << out;
  EXPECT_NE(out.find(env_line("MIXED", kMixedValue)), std::string::npos) << out;
  EXPECT_NE(out.find(env_line("JOB_NAME", "x")), std::string::npos) << out;
}

TEST(ArgvBytes, LocalBackendPassesEveryByteThroughJsub) {
  TempDir home;
  home.write("config.yaml", "backend: local\n");
  const auto args = hostile_args();
  CommandSpec spec;
  spec.program = built_command("jsub/jsub");
  spec.args = submit_words(args);
  spec.args.insert(spec.args.begin(), {"-sync", "y"});
  spec.environment = {{"HOME", home.path().string()},
                      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                      {"K8SJOBS_STATE_DIR", (home.path() / "state").string()},
                      {"K8SJOBS_USER", "tools.alice"},
                      {"K8SJOBS_CONFIG", (home.path() / "config.yaml").string()},
                      {"TZ", "UTC"}};
  spec.working_directory = home.path();
  spec.timeout = std::chrono::seconds(60);
  auto submitted = run_command(spec);
  ASSERT_EQ(submitted.exit_code, 0) << describe(spec, submitted);
  EXPECT_EQ(submitted.out,
            "Your job 1 (\"x\") has been submitted\nJob 1 exited with exit code 0.\n");
  const std::string out = read_file(home.path() / "x.out");
  EXPECT_EQ(out.rfind(arg_lines(args), 0), 0u) << out;
  EXPECT_NE(out.find(env_line("V", kByteValue)), std::string::npos) << out;
  EXPECT_NE(out.find(env_line("MIXED", kMixedValue)), std::string::npos) << out;

  // qstat lists it without aborting; a name that is not UTF-8 is refused by nothing either.
  spec.program = built_command("qstat/qstat");
  spec.args = {"-s", "z"};
  auto listed = run_command(spec);
  EXPECT_EQ(listed.exit_code, 0) << describe(spec, listed);
  spec.program = built_command("jsub/jsub");
  spec.args = {"-sync", "y", "-N", "n\xff", print_argv_hex(), "\xfe"};
  auto odd_name = run_command(spec);
  EXPECT_EQ(odd_name.exit_code, 0) << describe(spec, odd_name);
  EXPECT_EQ(read_file(home.path() / "n\xff.out").rfind("arg fe\n", 0), 0u);

  // #$ lines of the script: the same words, read from the file.
  auto script = home.write(
      "directives.sh", "#!/bin/sh\n#$ -N d -v W=\xfe\xff\nexec " + print_argv_hex() + " \"$@\"\n",
      std::filesystem::perms::owner_all);
  spec.args = {"-sync", "y", script.string(), "\x81"};
  auto directives = run_command(spec);
  EXPECT_EQ(directives.exit_code, 0) << describe(spec, directives);
  const std::string directed = read_file(home.path() / "d.out");
  EXPECT_EQ(directed.rfind("arg 81\n", 0), 0u) << directed;
  EXPECT_NE(directed.find(env_line("W", "\xfe\xff")), std::string::npos) << directed;
}

// The user is decided in one place (sys/current_user.h): with K8SJOBS_USER set but empty,
// jsub used to take the password entry and qstat the empty string, so qstat did not list
// the job jsub had just submitted.
TEST(CurrentUser, JsubAndQstatAgreeOnTheOwner) {
  TempDir home;
  home.write("config.yaml", "backend: local\n");
  CommandSpec spec;
  spec.environment = {{"HOME", home.path().string()},
                      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                      {"K8SJOBS_STATE_DIR", (home.path() / "state").string()},
                      {"K8SJOBS_USER", ""},
                      {"USER", "somebody-else"},
                      {"K8SJOBS_CONFIG", (home.path() / "config.yaml").string()},
                      {"TZ", "UTC"}};
  spec.working_directory = home.path();
  spec.program = built_command("jsub/jsub");
  spec.args = {"-N", "mine", "/bin/sleep", "30"};
  auto submitted = run_command(spec);
  ASSERT_EQ(submitted.exit_code, 0) << describe(spec, submitted);
  spec.program = built_command("qstat/qstat");
  spec.args = {};
  auto listed = run_command(spec);
  EXPECT_EQ(listed.exit_code, 0) << describe(spec, listed);
  EXPECT_NE(listed.out.find(" mine "), std::string::npos) << listed.out;
  spec.program = built_command("qdel/qdel");
  spec.args = {"1"};
  auto deleted = run_command(spec);
  EXPECT_EQ(deleted.exit_code, 0) << describe(spec, deleted);
}

TEST(ArgvBytes, KubernetesBackendJsubSubmitsAndTheJobRunsTheSameBytes) {
  ClusterFixture cluster;
  const auto args = hostile_args();
  auto submitted = cluster.run("jsub/jsub", submit_words(args));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.out, "Your job 1 (\"x\") has been submitted\n");
  auto job = cluster.job_object("tool-alice", 1);
  ASSERT_TRUE(job);
  const json& container = (*job)["spec"]["template"]["spec"]["containers"][0];
  auto ran = run_container(container);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const std::string out = read_file(cluster.home_of(cluster.alice()) / "x.out");
  EXPECT_EQ(out.rfind(arg_lines(args), 0), 0u) << out;
  EXPECT_NE(out.find(env_line("V", kByteValue)), std::string::npos) << out;
  EXPECT_NE(out.find(env_line("MIXED", kMixedValue)), std::string::npos) << out;

  // --dry-run writes the same object as YAML, and jstart takes the same words.
  auto dry = cluster.run("jsub/jsub", [&] {
    auto words = submit_words(args);
    words.insert(words.begin(), "--dry-run");
    return words;
  }());
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("\\377\\376"), std::string::npos) << dry.out;
  auto started = cluster.run("jstart/jstart", {"-N", "c", print_argv_hex(), "\xff"});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  auto cron = cluster.run("jsub/qcronsub", {"-N", "q", print_argv_hex(), "\xff"});
  EXPECT_EQ(cron.exit_code, 0) << cron.err;
}

}  // namespace
}  // namespace k8sjobs::testing
