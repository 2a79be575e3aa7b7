// SPDX-License-Identifier: Apache-2.0
// Words that are not UTF-8 on their way into a container: the encodings (every byte 1..255,
// mixed words), the launcher lines that decode them, and manifests that stay valid JSON,
// valid against the OpenAPI schemas and unchanged for UTF-8 words. The same launcher run by a
// real /bin/sh is in tests/e2e/argv_bytes_e2e_test.cpp.
#include "k8sjobs/translate/launcher_bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/job_environment.h"
#include "k8sjobs/translate/workload.h"
#include "k8sjobs/translate/yaml_output.h"
#include "support/kubelet_container.h"
#include "support/openapi_validator.h"

namespace k8sjobs::translate {
namespace {

using nlohmann::json;

// What printf(1) prints for a format made of literal characters, \\, %% and \NNN (POSIX),
// the only things printf_format_of writes.
std::string printf_output(const std::string& format) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%') {
      EXPECT_EQ(format.at(i + 1), '%') << format;
      out.push_back('%');
      ++i;
    } else if (format[i] == '\\' && format.at(i + 1) == '\\') {
      out.push_back('\\');
      ++i;
    } else if (format[i] == '\\') {
      out.push_back(static_cast<char>(std::stoi(format.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(format[i]);
    }
  }
  return out;
}

std::string every_byte() {
  std::string all;
  for (int byte = 1; byte <= 255; ++byte) all.push_back(static_cast<char>(byte));
  return all;
}

TEST(LauncherBytes, PrintfFormatReproducesEveryByte) {
  for (int byte = 1; byte <= 255; ++byte) {
    const std::string word(1, static_cast<char>(byte));
    const std::string format = printf_format_of(word);
    EXPECT_TRUE(text::is_valid_utf8(format)) << byte;
    EXPECT_EQ(printf_output(format), word) << byte;
  }
  const std::string all = every_byte();
  EXPECT_EQ(printf_output(printf_format_of(all)), all);
  EXPECT_TRUE(text::is_valid_utf8(printf_format_of(all)));
}

TEST(LauncherBytes, PrintfFormatKeepsUtf8AndEscapesTheRest) {
  EXPECT_EQ(printf_format_of("\xff\xfe"), "\\377\\376");
  EXPECT_EQ(printf_format_of("\x80"), "\\200");
  EXPECT_EQ(printf_format_of("h\xc3\xa9llo \xff 100% a\\b\n"), "h\xc3\xa9llo \\377 100%% a\\\\b\n");
  // A lone continuation byte after valid text, a truncated sequence, an overlong form.
  EXPECT_EQ(printf_format_of("\xe2\x98"), "\\342\\230");
  EXPECT_EQ(printf_format_of("\xc0\xaf"), "\\300\\257");
  EXPECT_EQ(printf_format_of("-n\xff"), "-n\\377");
  for (const std::string word :
       {"\xff\xfe", "ok\x80ok", "\xed\xa0\x80", "a%b\\c\xf5", "\n\xff\n"}) {
    EXPECT_EQ(printf_output(printf_format_of(word)), word);
  }
}

TEST(LauncherBytes, DoubleQuotedIsUnchangedForUtf8AndPrintsTheOtherBytes) {
  EXPECT_EQ(double_quoted("/data/project/a b/$x.out"), "\"/data/project/a b/\\$x.out\"");
  EXPECT_EQ(double_quoted("h\xc3\xa9 \"`\\"), "\"h\xc3\xa9 \\\"\\`\\\\\"");
  EXPECT_EQ(double_quoted("/tmp/\xff\xfe.out"), "\"/tmp/`printf '\\377\\376'`.out\"");
  EXPECT_EQ(double_quoted("\x80"), "\"`printf '\\200'`\"");
  EXPECT_TRUE(text::is_valid_utf8(double_quoted(every_byte())));
}

TEST(LauncherBytes, NothingToRestoreWritesNothing) {
  EXPECT_EQ(restore_bytes_script(CarriedBytes{}), "");
}

TEST(LauncherBytes, RestoreScriptDecodesTheEncodedPositionsAndExportsValues) {
  CarriedBytes carried;
  carried.word_count = 4;
  carried.encoded_words = {2, 4};
  carried.exported = {{"V", "\xff"}};
  carried.working_dir = "/srv/\xfe";
  EXPECT_EQ(restore_bytes_script(carried),
            "cd \"/srv/`printf '\\376'`\" || exit 1\n"
            "V=\"`printf '\\377'`\"\n"
            "export V\n"
            "k8sjobs_word_2=`printf \"_${2}_\"`\n"
            "k8sjobs_word_2=${k8sjobs_word_2#_}\n"
            "k8sjobs_word_2=${k8sjobs_word_2%_}\n"
            "k8sjobs_word_4=`printf \"_${4}_\"`\n"
            "k8sjobs_word_4=${k8sjobs_word_4#_}\n"
            "k8sjobs_word_4=${k8sjobs_word_4%_}\n"
            "set -- \"${1}\" \"$k8sjobs_word_2\" \"${3}\" \"$k8sjobs_word_4\"\n");
}

TEST(LauncherBytes, ShellNames) {
  EXPECT_TRUE(is_shell_name("V"));
  EXPECT_TRUE(is_shell_name("_x9"));
  EXPECT_FALSE(is_shell_name("9x"));
  EXPECT_FALSE(is_shell_name("a.b"));
  EXPECT_FALSE(is_shell_name("a-b"));
  EXPECT_FALSE(is_shell_name(""));
}

ge::SubmitRequest bytes_request() {
  ge::SubmitRequest request;
  request.user = "tools.alice";
  request.home = "/data/project/alice";
  request.submit_cwd = "/data/project/alice";
  request.working_dir = "/data/project/alice";
  request.job_name = "x";
  request.program = "/bin/echo";
  request.program_args = {"\xff\xfe", "ok", "\x80"};
  request.release = "bookworm";
  request.env_vars = {{"V", "\xff", false}};
  return request;
}

SubmitContext bytes_context() {
  SubmitContext context;
  context.hostname = "bastion";
  context.environment = {{"HOME", "/data/project/alice"}, {"LC_X", "caf\xe9"}};
  return context;
}

// The container as the kubelet starts it (its words after `$` expansion).
TEST(LauncherBytes, WorkloadCarriesBytesEncodedAndStaysValidJson) {
  auto workload = build_workload(bytes_request(), site::SiteConfig(),
                                 JobIdentity{1, "tool-alice", "x-1"}, bytes_context());
  ASSERT_TRUE(workload) << workload.error().message;
  const json container = testing::started_container(*workload);
  const auto command = container["command"].get<std::vector<std::string>>();
  ASSERT_EQ(command.size(), 8u);
  EXPECT_EQ(std::vector<std::string>(command.begin() + 3, command.end()),
            (std::vector<std::string>{"k8sjobs-job", "/bin/echo", "\\377\\376", "ok", "\\200"}));
  EXPECT_NE(command[2].find("V=\"`printf '\\377'`\"\nexport V\n"), std::string::npos) << command[2];
  EXPECT_NE(command[2].find("set -- \"${1}\" \"$k8sjobs_word_2\" \"${3}\" \"$k8sjobs_word_4\"\n"),
            std::string::npos)
      << command[2];
  for (const auto& entry : container["env"]) EXPECT_NE(entry["name"], "V");
  EXPECT_EQ(container["workingDir"], "/data/project/alice");
  EXPECT_NO_THROW(workload->object.dump());
  EXPECT_NO_THROW(to_yaml({workload->object}));
  auto validator = testing::OpenApiValidator::load_default();
  EXPECT_EQ(validator.validate(workload->object), std::vector<std::string>{});
}

TEST(LauncherBytes, EveryFieldOfTheRequestMayHoldAnyBytes) {
  auto request = bytes_request();
  const std::string all = every_byte();
  request.job_name = "n\xff";
  request.user = "tools.\xff";
  request.program = "/srv/\xfe/prog";
  request.resolved_program = "/srv/\xfe/prog";
  request.working_dir = "/srv/\xfe";
  request.submit_cwd = "/srv/\xfe";
  request.stdout_path = "/srv/\xfe/out";
  request.program_args = {all};
  request.mail_list = {"a\xff@example.org"};
  request.export_all = true;
  request.continuous = true;
  for (const bool continuous : {false, true}) {
    request.continuous = continuous;
    auto workload = build_workload(request, site::SiteConfig(), JobIdentity{1, "tool-alice", "n-1"},
                                   bytes_context());
    ASSERT_TRUE(workload) << workload.error().message;
    EXPECT_NO_THROW(workload->object.dump());
    EXPECT_NO_THROW(to_yaml({workload->object}));
    const json container = testing::started_container(*workload);
    EXPECT_FALSE(container.contains("workingDir"));
    EXPECT_NE(
        container["command"][2].get<std::string>().find("cd \"/srv/`printf '\\376'`\" || exit 1\n"),
        std::string::npos);
    auto validator = testing::OpenApiValidator::load_default();
    EXPECT_EQ(validator.validate(workload->object), std::vector<std::string>{});
  }
}

TEST(LauncherBytes, UnassignableNameWithBytesIsRefusedNotAborted) {
  auto request = bytes_request();
  request.env_vars = {{"A.B", "\xff", false}};
  auto workload = build_workload(request, site::SiteConfig(), JobIdentity{1, "tool-alice", "x-1"},
                                 bytes_context());
  ASSERT_FALSE(workload);
  EXPECT_EQ(workload.error().message,
            "Unable to run job: the value of the variable \"A.B\" is not UTF-8 text; Kubernetes "
            "can pass such a value only to a variable whose name is a shell name "
            "([A-Za-z_][A-Za-z0-9_]*).\nExiting.");
  EXPECT_EQ(workload.error().exit_code, 1);
}

}  // namespace
}  // namespace k8sjobs::translate
