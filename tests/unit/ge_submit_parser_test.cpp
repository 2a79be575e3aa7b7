#include "k8sjobs/ge/submit_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ge_fake_host.h"

namespace k8sjobs::ge {
namespace {

using Words = std::vector<std::string>;

class SubmitParserTest : public ::testing::Test {
 protected:
  SubmitParserTest() {
    host.program("/usr/bin/php");
    host.program("/usr/bin/python3");
    host.program("/data/project/alice/run.sh");
    host.program("/data/project/alice/bin/bot.py", "#!/usr/bin/python3\nprint(1)\n");
    host.directories.insert("/data/project/alice/logs");
  }

  Expected<SubmitRequest, SubmitError> parse(const Words& argv, Mode mode = Mode::Jsub) {
    return parse_submit(mode, argv, host, settings);
  }

  SubmitRequest ok(const Words& argv, Mode mode = Mode::Jsub) {
    auto result = parse(argv, mode);
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    return result ? *result : SubmitRequest{};
  }

  SubmitError fails(const Words& argv, Mode mode = Mode::Jsub) {
    auto result = parse(argv, mode);
    EXPECT_FALSE(result) << "accepted: " << (argv.empty() ? "" : argv.front());
    return result ? SubmitError{} : result.error();
  }

  static bool has_warning(const SubmitRequest& r, const std::string& option) {
    for (const auto& w : r.warnings) {
      if (w.option == option) return true;
    }
    return false;
  }

  testing::FakeHost host;
  SubmitSettings settings;
};

TEST_F(SubmitParserTest, DefaultsAreJsubs) {
  const auto r = ok({"run.sh"});
  EXPECT_EQ(r.mode, Mode::Jsub);
  EXPECT_EQ(r.program, "run.sh");
  EXPECT_EQ(r.resolved_program, "/data/project/alice/run.sh");  // not on $PATH: the cwd
  EXPECT_TRUE(r.program_args.empty());
  EXPECT_EQ(r.job_name, "run");
  EXPECT_FALSE(r.job_name_given);
  EXPECT_EQ(r.memory_kib, 524288u);
  EXPECT_FALSE(r.memory_given);
  EXPECT_EQ(r.queue, "task");
  EXPECT_EQ(r.release, "buster");
  EXPECT_FALSE(r.release_given);
  EXPECT_FALSE(r.once);
  EXPECT_FALSE(r.continuous);
  EXPECT_FALSE(r.join);
  EXPECT_FALSE(r.stdout_path);
  EXPECT_FALSE(r.stderr_path);
  EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Home);
  EXPECT_EQ(r.working_dir, "/data/project/alice");
  EXPECT_EQ(r.mail_list, (Words{"tools.alice@toolforge.org"}));
  EXPECT_FALSE(r.mail_list_given);
  EXPECT_EQ(r.user, "tools.alice");
  EXPECT_EQ(r.home, "/data/project/alice");
  EXPECT_EQ(r.submit_cwd, "/data/project/alice");
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(r.origins.empty());
  EXPECT_FALSE(r.umask);
}

TEST_F(SubmitParserTest, CommandNamesImplyOnceAndContinuous) {
  const auto jstart = ok({"run.sh"}, Mode::Jstart);
  EXPECT_TRUE(jstart.continuous);
  EXPECT_TRUE(jstart.once);
  EXPECT_EQ(jstart.queue, "continuous");
  const auto qcronsub = ok({"run.sh"}, Mode::Qcronsub);
  EXPECT_TRUE(qcronsub.once);
  EXPECT_FALSE(qcronsub.continuous);
  EXPECT_EQ(qcronsub.queue, "task");
  const auto continuous = ok({"-continuous", "run.sh"});
  EXPECT_TRUE(continuous.continuous);
  EXPECT_TRUE(continuous.once);
  EXPECT_EQ(continuous.queue, "continuous");
  EXPECT_EQ(command_name(Mode::Jsub), "jsub");
  EXPECT_EQ(command_name(Mode::Jstart), "jstart");
  EXPECT_EQ(command_name(Mode::Qcronsub), "qcronsub");
}

TEST_F(SubmitParserTest, DefaultNameIsTheBasenameUpToTheFirstDot) {
  host.program("/x/foo.bar.sh");
  host.program("/x/.hidden.sh");
  EXPECT_EQ(ok({"/x/foo.bar.sh"}).job_name, "foo");
  EXPECT_EQ(ok({"/x/.hidden.sh"}).job_name, "hidden");
  EXPECT_EQ(ok({"php", "x.php"}).job_name, "php");
  EXPECT_EQ(ok({"-N", "WdIm.m", "php"}).job_name, "WdIm.m");
  EXPECT_TRUE(ok({"-N", "x", "php"}).job_name_given);
}

TEST_F(SubmitParserTest, ProgramLookupPathThenCwd) {
  EXPECT_EQ(ok({"php"}).resolved_program, "/usr/bin/php");
  host.program("/usr/local/bin/php");
  EXPECT_EQ(ok({"php"}).resolved_program, "/usr/local/bin/php");  // $PATH order
  host.environment["PATH"] = "/opt/bin::/usr/bin";
  host.program("/data/project/alice/php");
  EXPECT_EQ(ok({"php"}).resolved_program, "/data/project/alice/php");  // empty entry: cwd
  // A path with a slash is taken relative to the current directory, normalized.
  EXPECT_EQ(ok({"./run.sh"}).resolved_program, "/data/project/alice/run.sh");
  EXPECT_EQ(ok({"bin/../run.sh"}).resolved_program, "/data/project/alice/run.sh");
  EXPECT_EQ(ok({"bin/bot.py"}).resolved_program, "/data/project/alice/bin/bot.py");
  host.working_directory = "/data/project/alice/bin";
  EXPECT_EQ(ok({"bot.py"}).resolved_program, "/data/project/alice/bin/bot.py");
}

TEST_F(SubmitParserTest, ProgramNotFoundOrNotExecutable) {
  auto error = fails({"-N", "x", "nosuch.sh", "a"});
  EXPECT_EQ(error.message, "jsub: error: argument program: Program 'nosuch.sh' not found.");
  EXPECT_TRUE(error.usage_first);
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_FALSE(error.error_file);
  EXPECT_EQ(fails({"/data/project/bob/x.sh"}).message,
            "jsub: error: argument program: Program '/data/project/bob/x.sh' not found.");
  EXPECT_EQ(fails({""}).message, "jsub: error: argument program: Program '' not found.");
  settings.check_program = false;
  EXPECT_EQ(fails({""}).message, "jsub: error: argument program: Program '' not found.");
  settings.check_program = true;

  host.files["/data/project/alice/notes.txt"] = "hello";
  error = fails({"notes.txt"});
  EXPECT_EQ(error.message,
            "[Thu Mar  7 09:05:01 2024] /data/project/alice/notes.txt: not an executable file");
  EXPECT_EQ(error.exit_code, 1);
  // jsub appended this error to the job's .err file (so cron sent no mail)...
  EXPECT_EQ(error.error_file, "/data/project/alice/notes.err");
  EXPECT_EQ(fails({"-j", "y", "-o", "logs/x.log", "notes.txt"}).error_file,
            "/data/project/alice/logs/x.log");
  // ...unless -stderr.
  EXPECT_FALSE(fails({"-stderr", "notes.txt"}).error_file);
  EXPECT_EQ(fails({"logs"}).message,
            "[Thu Mar  7 09:05:01 2024] /data/project/alice/logs: not an executable file");
}

TEST_F(SubmitParserTest, SiteCanSkipTheProgramCheck) {
  settings.check_program = false;
  // Programs that exist only in the container image: bare names stay for its $PATH.
  const auto r = ok({"node18", "server.js"});
  EXPECT_EQ(r.resolved_program, "node18");
  EXPECT_EQ(r.job_name, "node18");
  EXPECT_EQ(ok({"/opt/tool/run"}).resolved_program, "/opt/tool/run");
  EXPECT_EQ(ok({"php"}).resolved_program, "/usr/bin/php");
  host.files["/data/project/alice/notes.txt"] = "hello";
  EXPECT_EQ(ok({"notes.txt"}).resolved_program, "/data/project/alice/notes.txt");
}

TEST_F(SubmitParserTest, ArgumentsBelongToTheProgramByteForByte) {
  const Words args = {"-N",         "-e",         "/dev/null",     "--",   "-mem",      "6G",
                      "it's \"q\"", "$HOME",      "`date`",        "a\nb", "tab\there", "ünïcødé ✓",
                      "",           "  spaced  ", "\\back\\slash", "-"};
  Words argv = {"-N", "job", "php"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = ok(argv);
  EXPECT_EQ(r.job_name, "job");
  EXPECT_EQ(r.program, "php");
  EXPECT_EQ(r.program_args, args);
  EXPECT_EQ(r.memory_kib, 524288u);  // the -mem after the program is the program's
  EXPECT_FALSE(r.stderr_path);
}

TEST_F(SubmitParserTest, DoubleDashEndsOptions) {
  host.program("/data/project/alice/-weird");
  const auto r = ok({"-N", "x", "--", "-weird", "--", "-N"});
  EXPECT_EQ(r.program, "-weird");
  EXPECT_EQ(r.program_args, (Words{"--", "-N"}));
  EXPECT_EQ(fails({"-once", "--"}).message,
            "jsub: error: the following arguments are required: program, args...");
}

TEST_F(SubmitParserTest, MissingValuesAndOptionLikeValues) {
  auto error = fails({"-N"});
  EXPECT_EQ(error.message, "jsub: error: argument -N: expected one argument");
  EXPECT_EQ(error.exit_code, 2);
  // argparse did not take a word that looks like an option as a value (the oracle).
  EXPECT_EQ(fails({"-l", "-release", "buster", "run.sh"}).message,
            "jsub: error: argument -l: expected 1 argument");
  EXPECT_EQ(fails({"-N", "-quiet", "run.sh"}).message,
            "jsub: error: argument -N: expected one argument");
  EXPECT_EQ(fails({"-pe", "smp"}, Mode::Jstart).message,
            "jstart: error: argument -pe: expected 2 arguments");
  EXPECT_EQ(fails({"-N", "--", "run.sh"}).message,
            "jsub: error: argument -N: expected one argument");
  // Negative numbers and words with spaces are values.
  EXPECT_EQ(ok({"-p", "-100", "run.sh"}).priority, -100);
  EXPECT_EQ(ok({"-N", "-a b", "run.sh"}).job_name, "-a b");
}

TEST_F(SubmitParserTest, FirstErrorFromTheLeftWins) {
  EXPECT_EQ(fails({"-mem", "$MEM", "-l", "release=$REL", "run.sh"}, Mode::Jstart).message,
            "jstart: error: argument -mem: expected an integer followed by 'k', 'm' or 'g'. "
            "'$MEM' given.");
  EXPECT_EQ(fails({"-l", "release=trusty", "-mem", "x", "run.sh"}).message,
            "jsub: error: argument -l: invalid release=trusty. Expected release=[buster].");
}

TEST_F(SubmitParserTest, UnknownOptionsAreReportedTogether) {
  auto error = fails({"-quite", "-once", "-foo", "run.sh"}, Mode::Qcronsub);
  EXPECT_EQ(error.message, "qcronsub: error: unrecognized arguments: -quite -foo");
  EXPECT_EQ(error.exit_code, 2);
  // A value error anywhere comes first, as in argparse.
  EXPECT_EQ(fails({"-quite", "-mem", "1x", "run.sh"}).message,
            "jsub: error: argument -mem: expected an integer followed by 'k', 'm' or 'g'. '1x' "
            "given.");
  EXPECT_EQ(fails({"-Nfoo", "run.sh"}).message, "jsub: error: unrecognized arguments: -Nfoo");
  // An unknown option takes no value: argparse reads the next word as the program.
  EXPECT_EQ(fails({"--mem", "1g", "run.sh"}).message,
            "jsub: error: argument program: Program '1g' not found.");
  EXPECT_EQ(fails({"--mem", "run.sh"}).message, "jsub: error: unrecognized arguments: --mem");
}

TEST_F(SubmitParserTest, NoProgram) {
  EXPECT_EQ(fails({}).message,
            "jsub: error: the following arguments are required: program, args...");
  EXPECT_EQ(fails({"-N", "run.sh"}).message,
            "jsub: error: the following arguments are required: program, args...");
}

TEST_F(SubmitParserTest, Memory) {
  EXPECT_EQ(ok({"-mem", "2500m", "run.sh"}).memory_kib, 2560000u);
  EXPECT_EQ(ok({"-mem", "500m", "run.sh"}).memory_kib, 512000u);  // -mem may lower it
  EXPECT_TRUE(ok({"-mem", "500m", "run.sh"}).memory_given);
  EXPECT_EQ(ok({"-mem", "1g", "-mem", "2g", "run.sh"}).memory_kib, 2097152u);  // last wins
  // -l h_vmem only ever raises the memory.
  EXPECT_EQ(ok({"-l", "h_vmem=512M", "run.sh"}).memory_kib, 524288u);
  EXPECT_EQ(ok({"-l", "h_vmem=2G", "run.sh"}).memory_kib, 2097152u);
  EXPECT_EQ(ok({"-mem", "4g", "-l", "h_vmem=1g", "run.sh"}).memory_kib, 4194304u);
  EXPECT_EQ(ok({"-l", "h_vmem=3g", "-mem", "1g", "run.sh"}).memory_kib, 3145728u);
  EXPECT_EQ(ok({"-l", "h_vmem=300m", "run.sh"}).memory_kib, 524288u);
  // virtual_free above h_vmem raises it to 110%, with jsub's warning.
  const auto r = ok({"-l", "virtual_free=1g", "run.sh"});
  EXPECT_EQ(r.memory_kib, 1153433u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].message,
            "virtual_free=1048576k is larger than h_vmem=524288k. Setting h_vmem=1153433k");
  EXPECT_EQ(ok({"-l", "virtual_free=100m", "run.sh"}).memory_kib, 524288u);
  EXPECT_EQ(fails({"-l", "h_vmem=lots", "run.sh"}).message,
            "jsub: error: argument -l: expected an integer followed by 'k', 'm' or 'g'. 'lots' "
            "given.");
}

TEST_F(SubmitParserTest, ResourcesAndReleases) {
  const auto r = ok({"-l", "h_rt=4:05:00,mem_free=200M", "-l", "arch=amd64", "run.sh"});
  EXPECT_EQ(r.time_limit_seconds, 14700u);
  ASSERT_EQ(r.ignored_resources.size(), 2u);
  EXPECT_EQ(r.ignored_resources[0], (ResourceRequest{"mem_free", "200M"}));
  EXPECT_EQ(r.ignored_resources[1], (ResourceRequest{"arch", "amd64"}));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].message, "-l mem_free=200M has no meaning on Kubernetes and is ignored");
  EXPECT_EQ(r.warnings[1].message, "-l arch=amd64 has no meaning on Kubernetes and is ignored");
  // jsub's argparse_resource: every item NAME=VALUE (a word such as python is refused).
  EXPECT_EQ(fails({"-N", "x", "-l", "python", "run.sh"}).message,
            "jsub: error: argument -l: invalid argparse_resource value: 'python'");
  EXPECT_EQ(fails({"-l", "h_vmem=1g,highp", "run.sh"}).message,
            "jsub: error: argument -l: invalid argparse_resource value: 'h_vmem=1g,highp'");
  EXPECT_EQ(fails({"-l", "it's", "run.sh"}).message,
            "jsub: error: argument -l: invalid argparse_resource value: \"it's\"");
  EXPECT_EQ(fails({"-l", "", "run.sh"}).message,
            "jsub: error: argument -l: invalid argparse_resource value: ''");
  EXPECT_EQ(fails({"-l", "h_rt=soon", "run.sh"}).message,
            "jsub: error: argument -l: \"soon\" is not a time value");

  EXPECT_TRUE(ok({"-l", "release=buster", "run.sh"}).release_given);
  EXPECT_EQ(ok({"-release", "buster", "run.sh"}).release, "buster");
  EXPECT_EQ(fails({"-release", "trusty", "run.sh"}).message,
            "jsub: error: argument -release: invalid choice: 'trusty' (choose from 'buster')");
  settings.releases = {"bookworm", "bullseye"};
  EXPECT_EQ(ok({"run.sh"}).release, "bookworm");
  EXPECT_EQ(ok({"-l", "release=bullseye", "run.sh"}).release, "bullseye");
  EXPECT_EQ(
      fails({"-l", "release=buster", "run.sh"}).message,
      "jsub: error: argument -l: invalid release=buster. Expected release=[bookworm|bullseye].");
}

TEST_F(SubmitParserTest, RetiredReleasesCanBeMappedBySiteSetting) {
  settings.map_unknown_releases = true;
  const auto r = ok({"-l", "release=trusty", "-release", "precise", "run.sh"});
  EXPECT_EQ(r.release, "buster");
  EXPECT_FALSE(r.release_given);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], (SubmitWarning{"-l",
                                          "release trusty is not available; the job runs "
                                          "on buster"}));
  EXPECT_EQ(r.warnings[1].option, "-release");
}

TEST_F(SubmitParserTest, SoftAndHardResources) {
  const auto r = ok({"-soft", "-l", "h_vmem=8g", "-hard", "-l", "h_vmem=1g", "run.sh"});
  EXPECT_EQ(r.memory_kib, 1048576u);
  ASSERT_EQ(r.soft_resources.size(), 1u);
  EXPECT_EQ(r.soft_resources[0], (ResourceRequest{"h_vmem", "8g"}));
  EXPECT_TRUE(has_warning(r, "-soft"));
  const auto hard = ok({"-hard", "run.sh"});
  EXPECT_TRUE(hard.warnings.empty());
}

TEST_F(SubmitParserTest, FlagsAndSimpleValues) {
  const auto r = ok({"-once", "-quiet", "-stderr", "-umask", "027", "-sync", "y", "-terse",
                     "-verify", "-b", "n", "-V", "-j", "yes", "run.sh"});
  EXPECT_TRUE(r.once);
  EXPECT_TRUE(r.quiet);
  EXPECT_TRUE(r.stderr_flag);
  EXPECT_EQ(r.umask, 027u);
  EXPECT_TRUE(r.sync);
  EXPECT_TRUE(r.terse);
  EXPECT_TRUE(r.verify);
  EXPECT_EQ(r.binary, false);
  EXPECT_TRUE(r.export_all);
  EXPECT_TRUE(r.join);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_FALSE(ok({"-sync", "n", "run.sh"}).sync);
  EXPECT_EQ(fails({"-j", "maybe", "run.sh"}).message,
            "jsub: error: argument -j: expected y[es]|n[o]. 'maybe' given.");
  EXPECT_EQ(fails({"-umask", "9", "run.sh"}).message,
            "jsub: error: argument -umask: expected an octal value. '9' given.");
}

TEST_F(SubmitParserTest, OutputFilesAndWorkingDirectory) {
  auto r = ok({"-o", "logs/out.txt", "-e", "~/err.txt", "run.sh"});
  EXPECT_EQ(r.stdout_path, "logs/out.txt");  // raw, as given
  EXPECT_EQ(r.stderr_path, "~/err.txt");
  r = ok({"-cwd", "run.sh"});
  EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Cwd);
  host.working_directory = "/data/project/alice/logs";
  r = ok({"-cwd", "/data/project/alice/run.sh"});
  EXPECT_EQ(r.working_dir, "/data/project/alice/logs");
  r = ok({"-wd", "../bin", "/data/project/alice/run.sh"});
  EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Explicit);
  EXPECT_EQ(r.working_dir, "/data/project/alice/bin");
  r = ok({"-wd", "/srv", "-cwd", "/data/project/alice/run.sh"});  // the later one wins
  EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Cwd);
}

TEST_F(SubmitParserTest, QueueAndMail) {
  auto r = ok({"-q", "webgrid-generic", "-M", "a@x.org,b@y.org", "-m", "abe", "run.sh"});
  EXPECT_EQ(r.queue, "webgrid-generic");
  EXPECT_EQ(r.requested_queue, "webgrid-generic");
  EXPECT_EQ(r.mail_list, (Words{"a@x.org", "b@y.org"}));
  EXPECT_TRUE(r.mail_list_given);
  EXPECT_EQ(r.mail_options, "abe");
  r = ok({"-q", "webgrid-generic", "run.sh"}, Mode::Jstart);
  EXPECT_EQ(r.queue, "continuous");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].message,
            "-q webgrid-generic is ignored: continuous jobs run on continuous");
  EXPECT_TRUE(ok({"-q", "continuous", "run.sh"}, Mode::Jstart).warnings.empty());
  settings.mail_domain = "example.org";
  EXPECT_EQ(ok({"run.sh"}).mail_list, (Words{"tools.alice@example.org"}));
  EXPECT_EQ(fails({"-m", "x", "run.sh"}).message,
            "jsub: error: argument -m: ERROR! Wrong mail options list format \"x\" specified to "
            "-m option");
}

TEST_F(SubmitParserTest, EnvironmentVariables) {
  host.environment["LANG"] = "C.UTF-8";
  const auto r = ok({"-v", "A=1,LANG", "-v", "A=2,B=x,y", "-v", "UNSET", "run.sh"});
  ASSERT_EQ(r.env_vars.size(), 5u);
  EXPECT_EQ(r.env_vars[0], (EnvVar{"LANG", "C.UTF-8", true}));
  EXPECT_EQ(r.env_vars[1], (EnvVar{"A", "2", false}));  // a later setting replaces it
  EXPECT_EQ(r.env_vars[2], (EnvVar{"B", "x", false}));
  EXPECT_EQ(r.env_vars[3], (EnvVar{"y", "", true}));
  EXPECT_EQ(r.env_vars[4], (EnvVar{"UNSET", "", true}));
}

TEST_F(SubmitParserTest, ArraysAndParallelEnvironments) {
  auto r = ok({"-t", "1-10:2", "-tc", "3", "-pe", "smp", "4", "run.sh"});
  EXPECT_EQ(r.array, (TaskRange{1, 9, 2}));
  EXPECT_EQ(r.task_concurrency, 3u);
  EXPECT_EQ(r.cpus, 4u);
  EXPECT_EQ(r.parallel_environment, (ParallelEnvironment{"smp", 4, 4}));
  EXPECT_TRUE(r.warnings.empty());
  r = ok({"-pe", "mpi", "2-8", "run.sh"});
  EXPECT_EQ(r.cpus, 2u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].message,
            "-pe mpi 2-8: a container gets a fixed number of CPUs; the job runs with 2");
  EXPECT_EQ(fails({"-t", "0-3", "run.sh"}).message,
            "jsub: error: argument -t: invalid task range \"0-3\": task ids start at 1");
  EXPECT_EQ(fails({"-tc", "0", "run.sh"}).message,
            "jsub: error: argument -tc: expected a positive integer. '0' given.");
  EXPECT_EQ(fails({"-pe", "smp", "x", "run.sh"}).message,
            "jsub: error: argument -pe: \"x\" must be a valid slot range");
}

TEST_F(SubmitParserTest, AcceptedWithWarning) {
  const auto r =
      ok({"-p",       "-5",   "-now", "y",        "-r",      "y",   "-S",  "/bin/bash", "-h",
          "-A",       "acct", "-P",   "proj",     "-notify", "-R",  "y",   "-shell",    "n",
          "-w",       "e",    "-js",  "10",       "-ckpt",   "c",   "-c",  "s",         "-binding",
          "linear:1", "-jsv", "/x",   "-masterq", "q",       "-ac", "a=1", "-dc",       "a",
          "-sc",      "a=2",  "-pty", "n",        "run.sh"});
  EXPECT_EQ(r.priority, -5);
  EXPECT_EQ(r.rerunnable, true);
  EXPECT_EQ(r.shell, "/bin/bash");
  EXPECT_TRUE(r.hold);
  EXPECT_EQ(r.account, "acct");
  EXPECT_EQ(r.project, "proj");
  for (const char* option : {"-p",       "-now", "-r",       "-S",  "-h",  "-A",    "-P",
                             "-notify",  "-R",   "-shell",   "-w",  "-js", "-ckpt", "-c",
                             "-binding", "-jsv", "-masterq", "-ac", "-dc", "-sc",   "-pty"}) {
    EXPECT_TRUE(has_warning(r, option)) << option;
  }
  EXPECT_EQ(r.warnings[0], (SubmitWarning{"-p",
                                          "-p: kept as an annotation; a tool's jobs all "
                                          "have the same Kubernetes priority"}));
  // -now n is what Kubernetes does anyway: no warning.
  EXPECT_TRUE(ok({"-now", "n", "run.sh"}).warnings.empty());
  EXPECT_EQ(fails({"-p", "2000", "run.sh"}).message,
            "jsub: error: argument -p: invalid priority, must be an integer from -1023 to 1024");
  EXPECT_EQ(fails({"-w", "x", "run.sh"}).message,
            "jsub: error: argument -w: invalid option argument \"-w x\"");
  EXPECT_EQ(fails({"-js", "x", "run.sh"}).message,
            "jsub: error: argument -js: invalid jobshare, must be an unsigned integer");
}

TEST_F(SubmitParserTest, HoldJidKeepsEveryWordForResolutionAtSubmission) {
  auto request = ok({"-hold_jid", "align,12,,sam*", "-hold_jid", "x", "run.sh"});
  EXPECT_EQ(request.hold_jid, (std::vector<std::string>{"align", "12", "sam*", "x"}));
  EXPECT_TRUE(request.predecessors.empty());
  EXPECT_EQ(fails({"-hold_jid", ",", "run.sh"}).exit_code, 2);
  auto array = ok({"-hold_jid_ad", "align,7", "-hold_jid", "x", "run.sh"});
  EXPECT_EQ(array.hold_jid_ad, (std::vector<std::string>{"align", "7"}));
  EXPECT_EQ(array.hold_jid, (std::vector<std::string>{"x"}));
  EXPECT_EQ(fails({"-hold_jid_ad", "", "run.sh"}).exit_code, 2);
}

TEST_F(SubmitParserTest, RefusedOptions) {
  EXPECT_TRUE(ok({"-a", "203003071530", "run.sh"}).start_time.has_value());
  EXPECT_EQ(
      fails({"-a", "0230", "run.sh"}).message.rfind("jsub: error: argument -a: Wrong date", 0), 0u);
  EXPECT_EQ(fails({"-i", "input.txt", "run.sh"}).message,
            "jsub: error: -i is not supported on Kubernetes: jobs get no standard input (only -i "
            "/dev/null is accepted)");
  EXPECT_TRUE(ok({"-i", "/dev/null", "run.sh"}).warnings.empty());
  for (const char* option : {"-ar", "-dl"}) {
    EXPECT_EQ(fails({option, "1", "run.sh"})
                  .message.rfind(
                      std::string("jsub: error: ") + option + " is not supported on Kubernetes", 0),
              0u)
        << option;
  }
}

TEST_F(SubmitParserTest, JobNameRules) {
  auto error = fails({"-N", "1st", "run.sh"});
  EXPECT_EQ(error.message,
            "Unable to run job: denied: \"1st\" is not a valid object name (cannot start with a "
            "digit)\nExiting.");
  EXPECT_EQ(error.exit_code, 1);
  EXPECT_EQ(error.error_file, "/data/project/alice/1st.err");
  error = fails({"-N", "a/b", "run.sh"});
  EXPECT_EQ(error.message, "ERROR! argument to -N option must not contain / ");
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_EQ(fails({"-N", "NONE", "run.sh"}).exit_code, 1);
  EXPECT_EQ(fails({"-N", "a:b", "run.sh"}).exit_code, 1);
  // A default name can break the rules too (qmaster refused it).
  host.program("/data/project/alice/2fa.sh");
  EXPECT_EQ(fails({"2fa.sh"}).message,
            "Unable to run job: denied: \"2fa\" is not a valid object name (cannot start with a "
            "digit)\nExiting.");
}

TEST_F(SubmitParserTest, JsubrcThenCommandLineThenScriptDirectives) {
  host.files["/data/project/alice/.jsubrc"] =
      "# defaults for my tool\n"
      "\n"
      "-mem 1g\n"
      "-N from_rc\n"
      "  -o logs/rc.out   # trailing comment\n"
      "-once\n";
  host.program("/data/project/alice/job.sh",
               "#!/bin/bash\n"
               "# my job\n"
               "#$ -N from_script\n"
               "#$ -j y -quiet\n"
               "\n"
               "echo hi\n"
               "#$ -mem 9g\n");  // after the first line of code: not read
  const auto r = ok({"-N", "from_cli", "-mem", "2g", "job.sh", "arg"});
  EXPECT_EQ(r.job_name, "from_script");  // #$ wins over the command line
  EXPECT_EQ(r.memory_kib, 2097152u);     // the command line wins over .jsubrc
  EXPECT_EQ(r.stdout_path, "logs/rc.out");
  EXPECT_TRUE(r.once);
  EXPECT_TRUE(r.join);
  EXPECT_TRUE(r.quiet);
  EXPECT_EQ(r.directives_file, "/data/project/alice/job.sh");
  EXPECT_EQ(r.program_args, (Words{"arg"}));

  std::vector<std::string> where;
  for (const auto& origin : r.origins) where.push_back(origin.option + " @ " + origin.where());
  EXPECT_EQ(
      where,
      (Words{"-mem @ /data/project/alice/.jsubrc:3", "-N @ /data/project/alice/.jsubrc:4",
             "-o @ /data/project/alice/.jsubrc:5", "-once @ /data/project/alice/.jsubrc:6",
             "-N @ command line", "-mem @ command line", "-N @ /data/project/alice/job.sh:3 (#$)",
             "-j @ /data/project/alice/job.sh:4 (#$)",
             "-quiet @ /data/project/alice/job.sh:4 (#$)"}));
  EXPECT_EQ(r.origins[0].values, (Words{"1g"}));
  EXPECT_EQ(r.origins[0].source, OptionOrigin::Source::Jsubrc);
  EXPECT_EQ(r.origins[4].source, OptionOrigin::Source::CommandLine);
  EXPECT_EQ(r.origins[6].source, OptionOrigin::Source::ScriptDirective);
  EXPECT_EQ(r.origins[6].line, 3);
}

TEST_F(SubmitParserTest, JsubrcFromTheEnvironmentAndItsErrors) {
  host.files["/data/project/alice/.jsubrc"] = "-mem 1g\n";
  host.files["/srv/team.jsubrc"] = "-quiet\n-mem lots\n";
  host.environment["JOBUTILS_JSUBRC"] = "/srv/team.jsubrc";
  EXPECT_EQ(fails({"run.sh"}).message,
            "jsub: error: /srv/team.jsubrc:2: argument -mem: expected an integer followed by 'k', "
            "'m' or 'g'. 'lots' given.");
  host.files["/srv/team.jsubrc"] = "-quiet run.sh\n";
  EXPECT_EQ(fails({"run.sh"}).message,
            "jsub: error: /srv/team.jsubrc:1: unexpected word 'run.sh': only options may appear "
            "here");
  host.files["/srv/team.jsubrc"] = "-N 'unbalanced\n";
  EXPECT_EQ(fails({"run.sh"}).message, "jsub: error: /srv/team.jsubrc:1: unbalanced quote");
  host.files["/srv/team.jsubrc"] = "-N \"two words\"\n";
  EXPECT_EQ(ok({"run.sh"}).job_name, "two words");
  host.environment.erase("JOBUTILS_JSUBRC");
  EXPECT_EQ(ok({"run.sh"}).memory_kib, 1048576u);
}

TEST_F(SubmitParserTest, ScriptDirectiveErrorsNameTheLine) {
  host.program("/data/project/alice/job.sh", "#!/bin/sh\n#$ -l release=trusty\n");
  EXPECT_EQ(fails({"job.sh"}).message,
            "jsub: error: /data/project/alice/job.sh:2 (#$): argument -l: invalid release=trusty. "
            "Expected release=[buster].");
  host.program("/data/project/alice/job.sh", "#!/bin/sh\n#$ -frobnicate\n");
  EXPECT_EQ(fails({"job.sh"}).message,
            "jsub: error: /data/project/alice/job.sh (#$): unrecognized arguments: -frobnicate");
}

TEST_F(SubmitParserTest, OnlyTextScriptsAreReadAndThePrefixCanChange) {
  host.program("/data/project/alice/tool", std::string("#$ -N bin\0ary", 13));
  EXPECT_EQ(ok({"tool"}).job_name, "tool");  // a binary: no directives
  EXPECT_FALSE(ok({"tool"}).directives_file);
  host.program("/data/project/alice/job.sh", "#!/bin/sh\n#PBS -N pbs\n#$ -N sge\n");
  EXPECT_EQ(ok({"job.sh"}).job_name, "sge");
  EXPECT_EQ(ok({"-C", "#PBS", "job.sh"}).job_name, "pbs");
  EXPECT_EQ(ok({"-C", "", "job.sh"}).job_name, "job");
}

TEST_F(SubmitParserTest, OptionsFileIsReadInPlace) {
  host.files["/data/project/alice/opts"] = "-N from_file\n-mem 3g # big\n";
  auto r = ok({"-mem", "1g", "-@", "opts", "-quiet", "run.sh"});
  EXPECT_EQ(r.job_name, "from_file");
  EXPECT_EQ(r.memory_kib, 3145728u);
  EXPECT_TRUE(r.quiet);
  EXPECT_EQ(r.origins[2].where(), "/data/project/alice/opts:1");
  EXPECT_EQ(r.origins[2].source, OptionOrigin::Source::OptionsFile);
  r = ok({"-@", "opts", "-mem", "1g", "run.sh"});
  EXPECT_EQ(r.memory_kib, 1048576u);
  EXPECT_EQ(fails({"-@", "missing", "run.sh"}).message,
            "jsub: error: error opening /data/project/alice/missing: No such file or directory");
  host.files["/data/project/alice/loop"] = "-@ loop\n";
  EXPECT_EQ(fails({"-@", "loop", "run.sh"}).message,
            "jsub: error: /data/project/alice/loop: -@ files nested too deeply");
}

TEST_F(SubmitParserTest, ClearForgetsEverythingBefore) {
  host.files["/data/project/alice/.jsubrc"] = "-mem 4g\n-N rc\n";
  const auto r = ok({"-j", "y", "-clear", "-quiet", "run.sh"}, Mode::Jstart);
  EXPECT_EQ(r.memory_kib, 524288u);
  EXPECT_EQ(r.job_name, "run");
  EXPECT_FALSE(r.join);
  EXPECT_TRUE(r.quiet);
  EXPECT_TRUE(r.continuous);  // the command name is not an option
  EXPECT_EQ(r.origins.size(), 5u);
}

TEST(SplitArgv, SeparatesOurOptionsFromTheJobsWords) {
  const auto split =
      split_argv({"-N", "x", "-cwd", "-pe", "smp", "2", "-bogus", "prog", "-N", "y", "--"});
  ASSERT_EQ(split.options.size(), 4u);
  EXPECT_EQ(split.options[0].name, "-N");
  EXPECT_EQ(split.options[0].values, (Words{"x"}));
  EXPECT_EQ(split.options[1].spec, find_option("-cwd"));
  EXPECT_TRUE(split.options[1].values.empty());
  EXPECT_EQ(split.options[2].values, (Words{"smp", "2"}));
  EXPECT_EQ(split.options[3].spec, nullptr);  // unknown: a flag, reported later
  EXPECT_EQ(split.program, "prog");
  EXPECT_EQ(split.program_args, (Words{"-N", "y", "--"}));

  const auto missing = split_argv({"-o", "-e", "x"});
  ASSERT_EQ(missing.options.size(), 2u);
  EXPECT_TRUE(missing.options[0].missing_value);
  EXPECT_EQ(missing.options[1].values, (Words{"x"}));
  EXPECT_FALSE(missing.program);

  const auto dash = split_argv({"-", "a"});  // a lone dash is a word, not an option
  EXPECT_TRUE(dash.options.empty());
  EXPECT_EQ(dash.program, "-");

  const auto negative = split_argv({"-5", "a"});
  EXPECT_EQ(negative.program, "-5");

  const auto origin = split_argv({"-quiet"}, OptionOrigin::Source::Jsubrc, "/x/.jsubrc", 7);
  EXPECT_EQ(origin.options[0].origin.where(), "/x/.jsubrc:7");
  EXPECT_TRUE(split_argv({}).options.empty());
}

TEST(SplitLineWords, QuotesEscapesAndComments) {
  EXPECT_EQ(*split_line_words("  -N  foo\t-j y "), (Words{"-N", "foo", "-j", "y"}));
  EXPECT_EQ(*split_line_words("-N 'a b' \"c \\\"d\\\"\" e\\ f"),
            (Words{"-N", "a b", "c \"d\"", "e f"}));
  EXPECT_EQ(*split_line_words("-o x#y # comment"), (Words{"-o", "x#y"}));
  EXPECT_EQ(*split_line_words("-N ''"), (Words{"-N", ""}));
  EXPECT_TRUE(split_line_words("# only a comment")->empty());
  EXPECT_TRUE(split_line_words("")->empty());
  EXPECT_FALSE(split_line_words("-N \"open"));
  EXPECT_FALSE(split_line_words("-N 'open"));
}

// qsub mode: Grid Engine's qsub over the same table and Builder.

TEST_F(SubmitParserTest, QsubReadsTheScriptWithGridEnginesDefaults) {
  host.files["/data/project/alice/job.sh"] = "echo hi\n";  // not executable: qsub reads it
  const auto r = ok({"job.sh", "a", "b"}, Mode::Qsub);
  EXPECT_EQ(r.mode, Mode::Qsub);
  EXPECT_EQ(r.program, "job.sh");
  EXPECT_EQ(r.resolved_program, "/data/project/alice/job.sh");
  EXPECT_EQ(r.program_args, (Words{"a", "b"}));
  EXPECT_EQ(r.script, "echo hi\n");
  EXPECT_EQ(r.interpreter, (Words{"/bin/sh"}));
  EXPECT_EQ(r.job_name, "job.sh");  // the whole basename
  EXPECT_FALSE(r.memory_given);
  EXPECT_EQ(r.memory_kib, 0u);  // the site's default applies
  EXPECT_TRUE(r.mail_list.empty());
  EXPECT_EQ(r.queue, "task");
  EXPECT_TRUE(r.warnings.empty());
  // Grid Engine's qsub takes another job of a name that is already queued or running.
  EXPECT_FALSE(r.once);
  EXPECT_FALSE(r.continuous);
}

TEST_F(SubmitParserTest, QsubInterpreterIsDashSThenTheHashBangLineThenBinSh) {
  host.files["/data/project/alice/py"] = "#!/usr/bin/env  python3 \nprint(1)\n";
  host.files["/data/project/alice/plain"] = "#!/bin/bash\necho\n";
  EXPECT_EQ(ok({"py"}, Mode::Qsub).interpreter, (Words{"/usr/bin/env", "python3"}));
  EXPECT_EQ(ok({"plain"}, Mode::Qsub).interpreter, (Words{"/bin/bash"}));
  const auto r = ok({"-S", "/bin/zsh", "py"}, Mode::Qsub);
  EXPECT_EQ(r.interpreter, (Words{"/bin/zsh"}));
  EXPECT_FALSE(has_warning(r, "-S"));  // qsub runs its script with it
}

TEST_F(SubmitParserTest, QsubReadsStandardInputWithoutAScriptWord) {
  host.standard_input = "#$ -N fromstdin\necho hi\n";
  auto r = ok({"-j", "y"}, Mode::Qsub);
  EXPECT_EQ(r.program, "STDIN");
  EXPECT_EQ(r.script, "#$ -N fromstdin\necho hi\n");
  EXPECT_EQ(r.job_name, "fromstdin");
  host.standard_input = "echo hi\n";
  r = ok({}, Mode::Qsub);
  EXPECT_EQ(r.job_name, "STDIN");
  EXPECT_EQ(r.resolved_program, "STDIN");
}

TEST_F(SubmitParserTest, QsubCommandLineWinsOverDirectives) {
  host.files["/data/project/alice/job.sh"] =
      "#!/bin/sh\necho first\n#$ -N fromscript\n#$ -l h_vmem=2G\n";
  auto r = ok({"job.sh"}, Mode::Qsub);
  EXPECT_EQ(r.job_name, "fromscript");  // #$ lines anywhere in the script
  EXPECT_EQ(r.memory_kib, 2u * 1024 * 1024);
  r = ok({"-N", "fromcli", "job.sh"}, Mode::Qsub);
  EXPECT_EQ(r.job_name, "fromcli");
  ASSERT_EQ(r.origins.size(), 3u);
  EXPECT_EQ(r.origins.back().source, OptionOrigin::Source::CommandLine);
  r = ok({"-C", "", "job.sh"}, Mode::Qsub);
  EXPECT_EQ(r.job_name, "job.sh");
}

TEST_F(SubmitParserTest, QsubBinaryRunsTheCommandAsGiven) {
  const auto r = ok({"-b", "y", "php", "x.php"}, Mode::Qsub);
  EXPECT_FALSE(r.script);
  EXPECT_EQ(r.resolved_program, "/usr/bin/php");
  EXPECT_EQ(r.job_name, "php");
  EXPECT_EQ(fails({"-b", "y", "nosuchprogram"}, Mode::Qsub).message,
            "qsub: command \"nosuchprogram\" not found");
}

TEST_F(SubmitParserTest, QsubMissingScriptIsGridEnginesMessage) {
  const auto error = fails({"missing.sh"}, Mode::Qsub);
  EXPECT_EQ(error.message,
            "Unable to read script file because of error: error opening missing.sh: No such file "
            "or directory");
  EXPECT_EQ(error.exit_code, 1);
}

TEST_F(SubmitParserTest, QsubRefusesAScriptAboveTheCap) {
  host.files["/data/project/alice/big.sh"] = std::string(96 * 1024 + 1, 'x');
  const auto error = fails({"big.sh"}, Mode::Qsub);
  EXPECT_EQ(error.message,
            "qsub: the script big.sh is larger than 96 KiB, the most k8sjobs carries into a job");
  host.files["/data/project/alice/big.sh"] = std::string(96 * 1024, 'x');
  ok({"big.sh"}, Mode::Qsub);
}

TEST_F(SubmitParserTest, QsubErrorsAreGridEngines) {
  host.files["/data/project/alice/job.sh"] = "echo\n";
  auto error = fails({"-N"}, Mode::Qsub);
  EXPECT_EQ(error.message, "qsub: ERROR! -N option must have argument");
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_FALSE(error.usage_first);
  error = fails({"-j", "maybe", "job.sh"}, Mode::Qsub);
  EXPECT_EQ(error.message, "qsub: invalid option argument \"-j maybe\"");
  EXPECT_EQ(error.exit_code, 2);
  // parse_qsub's answer to a word it does not know: the word alone, never a guess.
  error = fails({"-nosuch", "job.sh"}, Mode::Qsub);
  EXPECT_EQ(error.message, "qsub: invalid option argument \"-nosuch\"");
  EXPECT_EQ(error.exit_code, 2);
}

// Toolforge jsub's own options never reached Grid Engine's qsub: qsub refuses each as it
// refused any word it did not know, on the command line and in #$ lines, with or without a value.
struct JsubOnlyOption {
  std::string name;
  std::vector<std::string> values;
};

class QsubRefusesJsubOnly : public SubmitParserTest,
                            public ::testing::WithParamInterface<JsubOnlyOption> {};

TEST_P(QsubRefusesJsubOnly, OnTheCommandLine) {
  host.files["/data/project/alice/job.sh"] = "echo\n";
  Words argv = {GetParam().name};
  argv.insert(argv.end(), GetParam().values.begin(), GetParam().values.end());
  argv.push_back("job.sh");
  const auto error = fails(argv, Mode::Qsub);
  EXPECT_EQ(error.message, "qsub: invalid option argument \"" + GetParam().name + "\"");
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_FALSE(error.usage_first);
  // Also after Grid Engine options, with -b y, and without its value.
  EXPECT_EQ(fails({"-cwd", GetParam().name, "-b", "y", "/usr/bin/php"}, Mode::Qsub).message,
            "qsub: invalid option argument \"" + GetParam().name + "\"");
  EXPECT_EQ(fails({"-N", "x", GetParam().name}, Mode::Qsub).exit_code, 2);
  // jsub takes it (or, -stdout, answers with argparse's words).
  if (find_option(GetParam().name) != nullptr) {
    Words jsub_argv = argv;
    jsub_argv.back() = "run.sh";
    ok(jsub_argv);
  }
}

TEST_P(QsubRefusesJsubOnly, InADirectiveOfTheScript) {
  std::string line = "#$ " + GetParam().name;
  for (const auto& value : GetParam().values) line += " " + value;
  host.files["/data/project/alice/job.sh"] = "#!/bin/sh\n#$ -N ok\n" + line + "\necho\n";
  const auto error = fails({"job.sh"}, Mode::Qsub);
  EXPECT_EQ(error.message, "qsub: /data/project/alice/job.sh:3 (#$): invalid option argument \"" +
                               GetParam().name + "\"");
  EXPECT_EQ(error.exit_code, 2);
}

INSTANTIATE_TEST_SUITE_P(
    Options, QsubRefusesJsubOnly,
    ::testing::Values(JsubOnlyOption{"-mem", {"1g"}}, JsubOnlyOption{"-once", {}},
                      JsubOnlyOption{"-continuous", {}}, JsubOnlyOption{"-quiet", {}},
                      JsubOnlyOption{"-stderr", {}}, JsubOnlyOption{"-umask", {"022"}},
                      JsubOnlyOption{"-release", {"buster"}}, JsubOnlyOption{"-stdout", {}}),
    [](const ::testing::TestParamInfo<JsubOnlyOption>& param_info) {
      std::string name;
      for (const char c : param_info.param.name) {
        if (c != '-') name += c;
      }
      return name;
    });

// Every option of the table qsub does not know is among the cases above, so an option added
// to jsub later is refused by qsub with a test.
TEST(QsubRefusesJsubOnlyCases, CoverEveryJsubOnlyOptionOfTheTable) {
  std::vector<std::string> refused;
  for (const auto& spec : option_table()) {
    if (!known_to_qsub(spec)) refused.emplace_back(spec.name);
  }
  EXPECT_EQ(refused,
            (Words{"-mem", "-once", "-continuous", "-quiet", "-stderr", "-umask", "-release"}));
}

TEST_F(SubmitParserTest, QsubTakesBooleanResourcesAndLocalMailUsers) {
  host.files["/data/project/alice/job.sh"] = "echo\n";
  const auto r = ok({"-l", "gpu", "-M", "alice,bob@example.org", "job.sh"}, Mode::Qsub);
  ASSERT_EQ(r.ignored_resources.size(), 1u);
  EXPECT_EQ(r.ignored_resources[0].name, "gpu");
  EXPECT_EQ(r.mail_list, (Words{"alice", "bob@example.org"}));
  // jsub refuses both.
  fails({"-l", "gpu", "run.sh"});
}

TEST_F(SubmitParserTest, QsubReadsMemoryInGridEnginesUnits) {
  host.files["/data/project/alice/job.sh"] = "echo\n";
  // Lowercase multipliers are powers of 1000 in Grid Engine (jsub's 1 m = 1024 k was its own).
  EXPECT_EQ(ok({"-l", "h_vmem=256m", "job.sh"}, Mode::Qsub).memory_kib, 250000u);
  EXPECT_EQ(ok({"-l", "h_vmem=8G", "job.sh"}, Mode::Qsub).memory_kib, 8388608u);
  EXPECT_EQ(ok({"-l", "h_vmem=1000", "job.sh"}, Mode::Qsub).memory_kib, 1u);
  EXPECT_EQ(ok({"-l", "h_vmem=256m", "run.sh"}).memory_kib, 524288u);  // jsub: the default wins
  EXPECT_EQ(ok({"-l", "h_vmem=600m", "run.sh"}).memory_kib, 614400u);  // jsub: 1 m = 1024 k
}

TEST_F(SubmitParserTest, HDataAndHRssAreMemoryLimitsTooAndTheSmallestLimitWins) {
  host.files["/data/project/alice/job.sh"] = "echo\n";
  // qsub asks for no memory by default: h_data alone is the limit, in Grid Engine's units.
  const auto alone = ok({"-l", "h_data=34G,time=24:00:00", "job.sh"}, Mode::Qsub);
  EXPECT_TRUE(alone.memory_given);
  EXPECT_EQ(alone.memory_kib, 34u * 1024 * 1024);
  ASSERT_EQ(alone.ignored_resources.size(), 1u);
  EXPECT_EQ(alone.ignored_resources[0].name, "time");
  EXPECT_EQ(ok({"-l", "h_rss=500m", "job.sh"}, Mode::Qsub).memory_kib, 488282u);  // rounded up
  // Both limits applied on the grid: the job could use no more than the smaller.
  EXPECT_EQ(ok({"-l", "h_vmem=8G,h_data=2G", "job.sh"}, Mode::Qsub).memory_kib, 2097152u);
  EXPECT_EQ(ok({"-l", "h_data=8G", "-l", "h_vmem=2G", "job.sh"}, Mode::Qsub).memory_kib, 2097152u);
  // jsub passed h_data to qsub untouched, next to its own h_vmem (512 MiB by default here).
  EXPECT_EQ(ok({"-l", "h_data=100M", "run.sh"}).memory_kib, 102400u);
  EXPECT_EQ(ok({"-l", "h_data=4G", "run.sh"}).memory_kib, 524288u);
  fails({"-l", "h_data=lots", "job.sh"}, Mode::Qsub);
}

TEST_F(SubmitParserTest, QsubAwayFromTheSubmitHostRunsAScriptItCannotRead) {
  settings.check_program = false;  // k8sjobs-migrate checking a crontab elsewhere
  const auto r = ok({"nosuch.sh", "x"}, Mode::Qsub);
  EXPECT_FALSE(r.script);
  EXPECT_EQ(r.resolved_program, "/data/project/alice/nosuch.sh");
  EXPECT_TRUE(has_warning(r, "qsub"));
}

}  // namespace
}  // namespace k8sjobs::ge
