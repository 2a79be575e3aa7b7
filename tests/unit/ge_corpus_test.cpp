// Replays every real jsub/jstart line of the corpus through ge::parse_submit and compares the
// result with what the last Toolforge jsub did (tests/data/corpus/real-lines.oracle.jsonl):
// refused with the same message and exit code, or accepted with the same name, memory,
// output files, -j, working directory, queue, release, program and arguments that jsub
// sent to qsub.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ge_corpus_oracle.h"
#include "ge_fake_host.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/translate/workload.h"
#include "support/build_paths.h"
#include "support/kubelet_container.h"
#include "support/openapi_validator.h"

namespace k8sjobs::ge {
namespace {

using Words = std::vector<std::string>;

using testing::add_entry_programs;
using testing::add_oracle_host;

// Shell words of the restart wrapper's `until <program> <args> ; do` line: bare words and
// '...' quoting (shlex.quote's output), nothing more.
Words shell_words(const std::string& text) {
  Words words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (text[i] == '\'') {
      const auto end = text.find('\'', i + 1);
      word += text.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else {
      word += text[i];
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// What jsub sent to qsub, by option.
struct QsubCall {
  std::vector<std::pair<std::string, std::string>> options;  // flags have ""
  Words command;                                             // program and arguments
  std::string value(const std::string& name) const {
    for (const auto& [option, value] : options) {
      if (option == name) return value;
    }
    return "<absent>";
  }
  bool has(const std::string& name) const { return value(name) != "<absent>"; }
};

QsubCall parse_qsub(const nlohmann::json& qsub) {
  QsubCall call;
  const auto argv = qsub.at("argv").get<Words>();
  std::size_t i = 0;
  while (i < argv.size()) {
    const std::string& word = argv[i++];
    if (word == "-cwd" || word == "-hard") {
      call.options.emplace_back(word, "");
      continue;
    }
    const std::string value = argv.at(i++);
    call.options.emplace_back(word, value);
    if (word == "-b" && value == "yes") {
      call.command.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
  }
  const auto stdin_script = qsub.at("stdin").get<std::string>();
  if (!stdin_script.empty()) {  // continuous: the program runs inside the restart wrapper
    const auto start = stdin_script.find("until ") + 6;
    const auto end = stdin_script.find(" ; do", start);
    call.command = shell_words(stdin_script.substr(start, end - start));
  }
  return call;
}

// The object k8sjobs creates for the line carries the oracle's meaning onto Kubernetes: one-off
// or continuous, program and words, working directory, memory and output files; and it is valid
// against the Kubernetes v1.32 schemas.
void expect_kubernetes_object_means_the_same(const SubmitRequest& request, const QsubCall& qsub,
                                             const OutputPaths& paths) {
  static const auto validator = k8sjobs::testing::OpenApiValidator::load_default();
  translate::SubmitContext context;
  context.hostname = "tools-bastion";
  site::SiteConfig site;
  site.resources.max_memory_bytes = std::int64_t{64} << 30;  // the grid allowed more than 4Gi
  auto workload =
      translate::build_workload(request, site, {4711, "tool-alice", "job-4711"}, context);
  ASSERT_TRUE(workload) << workload.error().message;
  EXPECT_EQ(validator.validate(workload->object), Words{});
  bool continuous = qsub.value("-q") == "continuous";
  EXPECT_EQ(workload->object["kind"], continuous ? "Deployment" : "Job");
  const nlohmann::json container = k8sjobs::testing::as_kubelet_starts_it(
      workload->object["spec"]["template"]["spec"]["containers"][0]);
  Words command = container["command"].get<Words>();
  ASSERT_GE(command.size(), 5u);
  EXPECT_EQ(Words(command.begin() + 4, command.end()), qsub.command);
  EXPECT_EQ(container["workingDir"], request.working_dir);
  auto limit =
      site::parse_memory_quantity(container["resources"]["limits"]["memory"].get<std::string>());
  ASSERT_TRUE(limit);
  EXPECT_EQ(*limit, static_cast<std::int64_t>(request.memory_kib) * 1024);
  const std::string launcher = command[2];
  EXPECT_NE(launcher.find("exec >>" + translate::double_quoted(paths.stdout_path)),
            std::string::npos)
      << launcher;
  std::string stderr_redirect = paths.merged || paths.stderr_path == paths.stdout_path
                                    ? " 2>&1\n"
                                    : " 2>>" + translate::double_quoted(paths.stderr_path) + "\n";
  EXPECT_NE(launcher.find(stderr_redirect), std::string::npos) << launcher;
}

struct Replay {
  int accepted = 0;
  int refused = 0;
};

// void, so gtest's ASSERT_* can stop at the first broken entry.
void replay(const SubmitSettings& settings, bool map_releases, Replay& counts) {
  const auto oracle = testing::oracle_entries();
  EXPECT_EQ(oracle.size(), 73u);
  testing::FakeHost host;
  add_oracle_host(host);
  for (const auto& entry : oracle) {
    add_entry_programs(host, entry);
    const auto argv = entry.at("argv").get<Words>();
    const auto line = entry.at("line").get<std::string>();
    SCOPED_TRACE(line);
    const int rc = entry.at("rc").get<int>();
    const auto stderr_last = entry.at("stderr_last").get<std::string>();
    const auto result =
        parse_submit(testing::mode_of_command(entry.at("command")), argv, host, settings);

    const bool retired_release = stderr_last.find(": invalid release=") != std::string::npos;
    if (rc != 0 && !(map_releases && retired_release)) {
      ++counts.refused;
      ASSERT_FALSE(result) << "the last jsub refused this line: " << stderr_last;
      EXPECT_EQ(result.error().message, stderr_last);
      EXPECT_EQ(result.error().exit_code, rc);
      EXPECT_FALSE(result.error().error_file);  // option errors went to the terminal
      continue;
    }
    ++counts.accepted;
    ASSERT_TRUE(result) << result.error().message;
    const SubmitRequest& r = *result;
    if (rc != 0) {
      // Deliberately better than the last jsub: a retired release runs on the default one.
      EXPECT_EQ(r.release, "buster");
      ASSERT_FALSE(r.warnings.empty());
      EXPECT_NE(r.warnings.front().message.find("is not available; the job runs on buster"),
                std::string::npos);
      continue;
    }
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().message;

    const auto qsub = parse_qsub(entry.at("qsub"));
    EXPECT_EQ(r.job_name, qsub.value("-N"));
    EXPECT_EQ(entry.at("stdout").get<std::string>(),
              r.quiet ? "" : "Your job 4711 (\"" + r.job_name + "\") has been submitted\n");
    EXPECT_EQ(r.queue, qsub.value("-q"));
    EXPECT_EQ(r.continuous, qsub.value("-q") == "continuous");
    EXPECT_EQ(r.join, qsub.value("-j") == "yes");
    EXPECT_EQ(r.sync, qsub.value("-sync") == "y");
    EXPECT_EQ(r.mail_options, qsub.has("-m") ? qsub.value("-m") : "");
    std::string mail;
    for (const auto& address : r.mail_list) mail += (mail.empty() ? "" : ",") + address;
    EXPECT_EQ(mail, qsub.value("-M"));
    for (const auto& [option, value] : qsub.options) {
      if (option != "-l") continue;
      if (value.rfind("h_vmem=", 0) == 0) {
        EXPECT_EQ(std::to_string(r.memory_kib) + "k", value.substr(7));
      } else if (value.rfind("release=", 0) == 0) {
        EXPECT_EQ(r.release, value.substr(8));
      } else if (value.rfind("h_rt=", 0) == 0) {
        EXPECT_EQ(r.time_limit_seconds, *parse_ge_time_seconds(value.substr(5)));
      } else {
        ADD_FAILURE() << "unexpected -l " << value;
      }
    }
    if (qsub.has("-wd")) {
      EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Explicit);
      EXPECT_EQ(r.working_dir, qsub.value("-wd"));
    } else if (qsub.has("-cwd")) {
      EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Cwd);
      EXPECT_EQ(r.working_dir, "/data/project/alice");
    } else {
      EXPECT_EQ(r.working_dir_mode, WorkingDirMode::Home);
    }
    // The files: what jsub gave qsub, resolved the way Grid Engine does.
    OutputPathContext context;
    context.job_id = 4711;
    context.is_directory = [&](const std::string& path) { return host.is_directory(path); };
    const auto paths = resolve_output_paths(r, context);
    EXPECT_EQ(paths.stdout_path, absolute_path(r.working_dir, qsub.value("-o")));
    EXPECT_EQ(paths.stderr_path, absolute_path(r.working_dir, qsub.value("-e")));
    ASSERT_FALSE(qsub.command.empty());
    EXPECT_EQ(r.resolved_program, qsub.command.front());
    EXPECT_EQ(r.program_args, Words(qsub.command.begin() + 1, qsub.command.end()));
    expect_kubernetes_object_means_the_same(r, qsub, paths);
  }
}

TEST(Corpus, EveryLineAsTheLastJsubDidIt) {
  Replay counts;
  replay(SubmitSettings{}, false, counts);
  EXPECT_EQ(counts.accepted, 51);
  EXPECT_EQ(counts.refused, 22);
}

TEST(Corpus, RetiredReleasesAcceptedWhenTheSiteMapsThem) {
  SubmitSettings settings;
  settings.map_unknown_releases = true;
  // The oracle never got past the release on these lines, so whether their programs existed
  // is unknown: leave the program check out.
  settings.check_program = false;
  Replay counts;
  replay(settings, true, counts);
  EXPECT_EQ(counts.refused, 3);  // -mem $MEM twice, "-l -release buster"
  EXPECT_EQ(counts.accepted, 70);
}

}  // namespace
}  // namespace k8sjobs::ge
