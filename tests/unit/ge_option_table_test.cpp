#include "k8sjobs/ge/option_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include "support/build_paths.h"

namespace k8sjobs::ge {
namespace {

TEST(OptionTable, EveryOptionIsWellFormed) {
  std::set<std::string_view> names;
  std::set<OptionId> ids;
  for (const auto& spec : option_table()) {
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_TRUE(names.insert(spec.name).second) << "duplicate name";
    EXPECT_TRUE(ids.insert(spec.id).second) << "duplicate id";
    ASSERT_GE(spec.name.size(), 2u);
    EXPECT_EQ(spec.name.front(), '-');
    EXPECT_NE(spec.name[1], '-') << "Grid Engine has no --long options";
    EXPECT_FALSE(spec.help.empty());
    EXPECT_FALSE(spec.kubernetes.empty());
    EXPECT_EQ(spec.metavar.empty(), spec.arg == ArgKind::None);
    if (spec.disposition == Disposition::Refused) {
      // The refusal message names the option, so a user sees which word to remove.
      EXPECT_EQ(spec.kubernetes.rfind(std::string(spec.name) + " is not supported", 0), 0u)
          << spec.kubernetes;
    }
    EXPECT_EQ(&option_spec(spec.id), &spec);
    EXPECT_EQ(find_option(spec.name), &spec);
  }
}

TEST(OptionTable, HoldsEveryOptionOfJsubAndQsub) {
  for (const char* name :
       {"-N",      "-mem",      "-l",     "-release", "-once", "-continuous",  "-quiet", "-stderr",
        "-umask",  "-o",        "-e",     "-j",       "-q",    "-M",           "-m",     "-a",
        "-cwd",    "-wd",       "-hard",  "-soft",    "-i",    "-now",         "-p",     "-sync",
        "-v",      "-b",        "-V",     "-t",       "-tc",   "-terse",       "-r",     "-S",
        "-h",      "-hold_jid", "-A",     "-P",       "-pe",   "-@",           "-C",     "-clear",
        "-notify", "-R",        "-shell", "-verify",  "-w",    "-hold_jid_ad", "-js"}) {
    EXPECT_NE(find_option(name), nullptr) << name;
  }
}

TEST(OptionTable, OptionsTheLastJsubKnewAreMarked) {
  for (const char* name :
       {"-N",    "-mem",  "-l", "-release", "-once", "-continuous", "-quiet", "-stderr", "-umask",
        "-o",    "-e",    "-j", "-q",       "-M",    "-m",          "-a",     "-cwd",    "-wd",
        "-hard", "-soft", "-i", "-now",     "-p",    "-sync",       "-v",     "-b"}) {
    EXPECT_TRUE(find_option(name)->known_to_jsub) << name;
  }
  for (const char* name : {"-V", "-t", "-hold_jid", "-pe", "-terse"}) {
    EXPECT_FALSE(find_option(name)->known_to_jsub) << name;
  }
}

TEST(OptionTable, QsubKnowsEveryOptionButJsubsOwn) {
  for (const char* name :
       {"-mem", "-once", "-continuous", "-quiet", "-stderr", "-umask", "-release"}) {
    EXPECT_FALSE(known_to_qsub(*find_option(name))) << name;
  }
  for (const char* name : {"-N", "-l", "-o", "-j", "-b", "-sync", "-V", "-t", "-tc", "-S", "-C"}) {
    EXPECT_TRUE(known_to_qsub(*find_option(name))) << name;
  }
}

TEST(OptionTable, QsubsHelpManPageAndWordsLeaveOutJsubsOwnOptions) {
  const std::string help = usage_text("qsub");
  const std::string man = options_manpage_markdown("qsub");
  const auto words = option_words("qsub");
  for (const auto& spec : option_table()) {
    SCOPED_TRACE(std::string(spec.name));
    std::string entry = "**";
    for (const char c : spec.name) entry += c == '_' ? std::string("\\_") : std::string(1, c);
    entry += "**";
    const bool listed = std::find(words.begin(), words.end(), spec.name) != words.end();
    EXPECT_EQ(listed, known_to_qsub(spec));
    EXPECT_EQ(help.find("\n " + std::string(spec.name) + " ") != std::string::npos,
              known_to_qsub(spec));
    EXPECT_EQ(man.find(entry) != std::string::npos, known_to_qsub(spec));
  }
  EXPECT_EQ(option_words("jsub").size(), option_table().size());
  // qsub's refusals are worded as qsub prints them.
  EXPECT_NE(man.find("the command prints \"qsub: -ar is not supported"), std::string::npos);
  EXPECT_EQ(man.find("jsub: error:"), std::string::npos);
}

TEST(OptionTable, DispositionsFollowTheProjectsIntentions) {
  EXPECT_EQ(find_option("-hold_jid")->disposition, Disposition::Translated);
  EXPECT_EQ(find_option("-hold_jid_ad")->disposition, Disposition::Translated);
  EXPECT_EQ(find_option("-a")->disposition, Disposition::Translated);
  EXPECT_EQ(find_option("-i")->disposition, Disposition::Refused);
  EXPECT_EQ(find_option("-m")->disposition, Disposition::Translated);
  EXPECT_EQ(find_option("-M")->disposition, Disposition::Translated);
  for (const char* name : {"-now", "-p", "-soft", "-A", "-P", "-R", "-notify", "-shell"}) {
    EXPECT_EQ(find_option(name)->disposition, Disposition::AcceptedWithWarning) << name;
  }
  EXPECT_EQ(find_option("-pe")->arg, ArgKind::Two);
  EXPECT_EQ(find_option("-cwd")->arg, ArgKind::None);
}

TEST(OptionTable, FindsExactSpellingsOnly) {
  EXPECT_EQ(find_option("-me"), nullptr);  // no abbreviations
  EXPECT_EQ(find_option("--mem"), nullptr);
  EXPECT_EQ(find_option("-MEM"), nullptr);
  EXPECT_EQ(find_option("-quite"), nullptr);
  EXPECT_EQ(find_option("mem"), nullptr);
}

TEST(OptionTable, UsageListsEveryOption) {
  const std::string usage = usage_text("jstart");
  EXPECT_EQ(usage.rfind("usage: jstart [options...] program [arg...]\n", 0), 0u);
  for (const auto& spec : option_table()) {
    EXPECT_NE(usage.find("\n " + std::string(spec.name) + " "), std::string::npos) << spec.name;
  }
  EXPECT_NE(usage.find(" -hold_jid job,...        start only after these jobs have finished\n"),
            std::string::npos);
  EXPECT_NE(usage.find(" -hold_jid_ad job,...     array task i starts after task i of these array "
                       "jobs\n"),
            std::string::npos);
}

TEST(OptionTable, DocsAreInSync) {
  std::ifstream in(std::string(K8SJOBS_TEST_DATA_DIR) + "/../../docs/options.md");
  ASSERT_TRUE(in) << "docs/options.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind(options_markdown(), 0), 0u)
      << "docs/options.md must start with ge::options_markdown(); regenerate it:\n"
      << options_markdown();
}

}  // namespace
}  // namespace k8sjobs::ge
