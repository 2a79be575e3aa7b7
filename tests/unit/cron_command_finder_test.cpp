#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "k8sjobs/cron/command_finder.h"

namespace k8sjobs::cron {
namespace {

using Words = std::vector<std::string>;

std::string span(std::string_view text, const GridCommand& command) {
  return std::string(text.substr(command.begin, command.end - command.begin));
}

TEST(CronCommandFinder, NamesAndPaths) {
  EXPECT_EQ(grid_command_name("jsub"), "jsub");
  EXPECT_EQ(grid_command_name("/usr/bin/jsub"), "jsub");
  EXPECT_EQ(grid_command_name("/usr/local/bin/jstart"), "jstart");
  EXPECT_EQ(grid_command_name("qcronsub"), "qcronsub");
  EXPECT_EQ(grid_command_name("qsub"), "qsub");
  EXPECT_EQ(grid_command_name("jstop"), "jstop");
  EXPECT_EQ(grid_command_name("/usr/bin/qdel"), "qdel");
  EXPECT_EQ(grid_command_name("jsubx"), "");
  EXPECT_EQ(grid_command_name("qstat"), "");
  EXPECT_EQ(grid_command_name("jsub/"), "");
}

TEST(CronCommandFinder, PlainJsubWithRedirections) {
  const std::string line = "/usr/bin/jsub -N taxonomy -mem 512m -once a.py > /dev/null 2>&1";
  const CommandScan scan = find_grid_commands(line);
  EXPECT_EQ(scan.classification, CommandClass::Grid);
  ASSERT_EQ(scan.commands.size(), 1u);
  const GridCommand& c = scan.commands[0];
  EXPECT_EQ(c.name, "jsub");
  EXPECT_EQ(c.invoked_as, "/usr/bin/jsub");
  EXPECT_EQ(c.argv, (Words{"-N", "taxonomy", "-mem", "512m", "-once", "a.py"}));
  ASSERT_EQ(c.redirections.size(), 2u);
  EXPECT_EQ(c.redirections[0], (Redirection{">", std::nullopt, "/dev/null"}));
  EXPECT_EQ(c.redirections[1], (Redirection{">&", 2, "1"}));
  EXPECT_EQ(c.begin, 0u);
  EXPECT_EQ(c.end, line.size());
  EXPECT_FALSE(c.inside_shell_c);
  EXPECT_FALSE(c.cd_directory.has_value());
  ASSERT_EQ(c.words.size(), 6u);
  EXPECT_EQ(line.substr(c.words[5].begin, c.words[5].end - c.words[5].begin), "a.py");
}

TEST(CronCommandFinder, RedirectionBeforeTheCommandAndBetweenWords) {
  const CommandScan scan = find_grid_commands(">>log jsub -N a 2>/dev/null b.sh arg");
  ASSERT_EQ(scan.commands.size(), 1u);
  EXPECT_EQ(scan.commands[0].argv, (Words{"-N", "a", "b.sh", "arg"}));
  EXPECT_EQ(scan.commands[0].redirections.size(), 2u);
  EXPECT_EQ(scan.commands[0].begin, 0u);
}

TEST(CronCommandFinder, CdThenJsubThenOtherCommands) {
  const std::string line = "cd x && jsub -N a b.sh; qstat";
  const CommandScan scan = find_grid_commands(line);
  EXPECT_EQ(scan.classification, CommandClass::Grid);
  ASSERT_EQ(scan.commands.size(), 1u);
  EXPECT_EQ(scan.commands[0].cd_directory, std::optional<std::string>("x"));
  EXPECT_EQ(scan.commands[0].argv, (Words{"-N", "a", "b.sh"}));
  EXPECT_EQ(span(line, scan.commands[0]), "jsub -N a b.sh");

  const CommandScan semi = find_grid_commands("cd /data/project/x; cd sub;jsub a");
  ASSERT_EQ(semi.commands.size(), 1u);
  EXPECT_EQ(semi.commands[0].cd_directory, std::optional<std::string>("/data/project/x/sub"));
  EXPECT_EQ(find_grid_commands("cd && jsub a").commands[0].cd_directory,
            std::optional<std::string>("~"));
  // A cd inside a subshell does not leak out of it.
  const CommandScan sub = find_grid_commands("(cd a; jsub x) ; jsub y");
  ASSERT_EQ(sub.commands.size(), 2u);
  EXPECT_EQ(sub.commands[0].cd_directory, std::optional<std::string>("a"));
  EXPECT_FALSE(sub.commands[1].cd_directory.has_value());
}

TEST(CronCommandFinder, EnvironmentAssignmentsAndWrappers) {
  const CommandScan scan = find_grid_commands("LANG=C A=\"b c\" jsub -N x y.sh");
  ASSERT_EQ(scan.commands.size(), 1u);
  EXPECT_EQ(scan.commands[0].assignments, (std::vector<Assignment>{{"LANG", "C"}, {"A", "b c"}}));
  EXPECT_EQ(scan.commands[0].argv, (Words{"-N", "x", "y.sh"}));
  // A quoted `A=b` is a command word, not an assignment.
  EXPECT_EQ(find_grid_commands("'A=b' jsub x").classification, CommandClass::Local);
  const CommandScan wrapped = find_grid_commands("nohup env -i X=1 exec /usr/bin/jstart -N w s.sh");
  ASSERT_EQ(wrapped.commands.size(), 1u);
  EXPECT_EQ(wrapped.commands[0].name, "jstart");
  EXPECT_EQ(wrapped.commands[0].assignments, (std::vector<Assignment>{{"X", "1"}}));
}

TEST(CronCommandFinder, InsideShellDashC) {
  const std::string line = "bash -c 'jsub -N a b'";
  const CommandScan scan = find_grid_commands(line);
  ASSERT_EQ(scan.commands.size(), 1u);
  const GridCommand& c = scan.commands[0];
  EXPECT_TRUE(c.inside_shell_c);
  EXPECT_EQ(c.argv, (Words{"-N", "a", "b"}));
  EXPECT_EQ(span(line, c), "jsub -N a b");
  EXPECT_EQ(line.substr(c.words[2].begin, c.words[2].end - c.words[2].begin), "b");

  const std::string nested =
      "cd /t && /bin/sh -ec \"cd sub; A=1 jsub -N \\\"x y\\\" run.sh >log\" | cat";
  const CommandScan n = find_grid_commands(nested);
  ASSERT_EQ(n.commands.size(), 1u);
  EXPECT_EQ(n.commands[0].argv, (Words{"-N", "x y", "run.sh"}));
  EXPECT_EQ(n.commands[0].cd_directory, std::optional<std::string>("/t/sub"));
  EXPECT_EQ(n.commands[0].assignments, (std::vector<Assignment>{{"A", "1"}}));
  EXPECT_EQ(n.commands[0].redirections, (std::vector<Redirection>{{">", std::nullopt, "log"}}));
  // The span covers the whole simple command, assignments included.
  EXPECT_EQ(span(nested, n.commands[0]), "A=1 jsub -N \\\"x y\\\" run.sh >log");
  EXPECT_TRUE(n.commands[0].inside_shell_c);

  const CommandScan deeper = find_grid_commands("sh -c \"bash -lc 'qdel 42'\"");
  ASSERT_EQ(deeper.commands.size(), 1u);
  EXPECT_EQ(deeper.commands[0].name, "qdel");
  EXPECT_EQ(deeper.commands[0].argv, (Words{"42"}));
  // `bash script.sh jsub` runs a script: its arguments are not a command string.
  EXPECT_EQ(find_grid_commands("bash run.sh 'jsub x'").classification, CommandClass::Local);
}

TEST(CronCommandFinder, SeveralCommandsAndPipes) {
  const std::string line =
      "jsub -N a a.sh; jsub -N b b.sh && jstop old || qdel 7 | tee -a log; qcronsub -N c c.sh &";
  const CommandScan scan = find_grid_commands(line);
  ASSERT_EQ(scan.commands.size(), 5u);
  const char* names[] = {"jsub", "jsub", "jstop", "qdel", "qcronsub"};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(scan.commands[i].name, names[i]);
  EXPECT_EQ(scan.commands[1].argv, (Words{"-N", "b", "b.sh"}));
  EXPECT_EQ(scan.commands[2].argv, (Words{"old"}));
  EXPECT_EQ(scan.commands[3].argv, (Words{"7"}));
  EXPECT_EQ(span(line, scan.commands[4]), "qcronsub -N c c.sh");
  const CommandScan piped =
      find_grid_commands("echo hi | /usr/local/bin/jsub -N p cat 2>&1 | mail x");
  ASSERT_EQ(piped.commands.size(), 1u);
  EXPECT_EQ(piped.commands[0].argv, (Words{"-N", "p", "cat"}));
}

TEST(CronCommandFinder, CompoundCommands) {
  const CommandScan scan =
      find_grid_commands("if [ -f x ]; then jsub -N a a.sh; else { jstart b.sh; }; fi");
  ASSERT_EQ(scan.commands.size(), 2u);
  EXPECT_EQ(scan.commands[0].argv, (Words{"-N", "a", "a.sh"}));
  EXPECT_EQ(scan.commands[1].name, "jstart");
}

TEST(CronCommandFinder, LocalLinesAndJlocal) {
  const CommandScan local = find_grid_commands("php ~/update.php >/dev/null 2>&1");
  EXPECT_EQ(local.classification, CommandClass::Local);
  EXPECT_TRUE(local.commands.empty());
  EXPECT_FALSE(local.uses_jlocal);
  // A grid command name as an argument is not a grid command.
  EXPECT_EQ(find_grid_commands("echo jsub -N x").classification, CommandClass::Local);
  EXPECT_EQ(find_grid_commands("'jsub' -N x").classification, CommandClass::Grid);
  const CommandScan jlocal = find_grid_commands("jlocal /data/project/x/prune.sh &> /dev/null");
  EXPECT_EQ(jlocal.classification, CommandClass::Local);
  EXPECT_TRUE(jlocal.uses_jlocal);
  EXPECT_EQ(find_grid_commands("").classification, CommandClass::Local);
  EXPECT_EQ(find_grid_commands("# jsub x").classification, CommandClass::Local);
}

TEST(CronCommandFinder, UnterminatedQuoteIsAnError) {
  const CommandScan scan = find_grid_commands("jsub -N 'x y.sh");
  EXPECT_EQ(scan.classification, CommandClass::Unparsable);
  EXPECT_TRUE(scan.commands.empty());
  ASSERT_TRUE(scan.error.has_value());
  EXPECT_EQ(scan.error->reason, "unterminated single quote");
  EXPECT_EQ(scan.error->offset, 8u);
  // Inside `bash -c`, the offset points into the line as typed.
  const CommandScan inner = find_grid_commands("bash -c 'jsub \"x'");
  EXPECT_EQ(inner.classification, CommandClass::Unparsable);
  ASSERT_TRUE(inner.error.has_value());
  EXPECT_EQ(inner.error->reason, "unterminated double quote");
  EXPECT_EQ(inner.error->offset, 14u);
}

TEST(CronCommandFinder, FlagsForExpansionSurviveInWords) {
  const CommandScan scan = find_grid_commands("qsub -N ukbot $STDOPTS -o $PPATH/l.log ~/x.sh");
  ASSERT_EQ(scan.commands.size(), 1u);
  const GridCommand& c = scan.commands[0];
  EXPECT_EQ(c.argv, (Words{"-N", "ukbot", "$STDOPTS", "-o", "$PPATH/l.log", "~/x.sh"}));
  EXPECT_TRUE(c.words[2].expansion);
  EXPECT_FALSE(c.words[1].expansion);
  EXPECT_TRUE(c.words[5].tilde);
}

}  // namespace
}  // namespace k8sjobs::cron
