#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>

#include "k8sjobs/ge/host_view.h"
#include "support/temp_dir.h"

namespace k8sjobs::ge {
namespace {

namespace fs = std::filesystem;

TEST(SystemHostView, AnswersFromTheRealFileSystem) {
  k8sjobs::testing::TempDir dir;
  const auto script =
      dir.write("bin/job.sh", "#!/bin/sh\n#$ -N x\n",
                fs::perms::owner_read | fs::perms::owner_write | fs::perms::owner_exec);
  const auto text = dir.write("notes.txt", "0123456789");
  sys::SystemClock clock;
  const auto host = make_system_host_view(
      sys::Environment(std::map<std::string, std::string>{{"PATH", "/bin"}}), clock);

  EXPECT_TRUE(host->exists(script.string()));
  EXPECT_TRUE(host->is_executable_file(script.string()));
  EXPECT_FALSE(host->is_executable_file(text.string()));
  EXPECT_FALSE(host->is_executable_file((dir.path() / "bin").string()));
  EXPECT_TRUE(host->is_directory((dir.path() / "bin").string()));
  EXPECT_FALSE(host->is_directory(text.string()));
  EXPECT_FALSE(host->exists((dir.path() / "nope").string()));
  EXPECT_EQ(host->read_file(text.string(), 4), "0123");
  EXPECT_EQ(host->read_file(text.string(), 100), "0123456789");
  EXPECT_FALSE(host->read_file((dir.path() / "nope").string(), 10));
  EXPECT_FALSE(host->read_file((dir.path() / "bin").string(), 10));
  EXPECT_EQ(host->env("PATH"), "/bin");
  EXPECT_FALSE(host->env("HOME"));  // only the snapshot it was given
  EXPECT_EQ(host->cwd(), fs::current_path().string());
  EXPECT_FALSE(host->home().empty());
  EXPECT_FALSE(host->user().empty());
  EXPECT_TRUE(
      std::regex_match(host->ctime_now(),
                       std::regex(R"([A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4})")))
      << host->ctime_now();
}

}  // namespace
}  // namespace k8sjobs::ge
