// The real crontab lines of the corpus (tests/data/cron/README.md): every one is read, and
// the grid command found in it receives exactly the words the last Toolforge jsub received.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/cron/crontab.h"
#include "support/build_paths.h"

namespace k8sjobs::cron {
namespace {

const std::string kHome = "/data/project/alice";

std::string data_path(const std::string& name) {
  return std::string(K8SJOBS_TEST_DATA_DIR) + "/cron/" + name;
}

struct CorpusLine {
  std::string source;
  std::string escaped;  // as in the TSV (a tab written `\t`)
  std::string line;     // with real tabs
};

std::vector<CorpusLine> corpus_lines() {
  std::ifstream in(data_path("corpus-crontab-lines.tsv"));
  std::vector<CorpusLine> lines;
  std::string row;
  while (std::getline(in, row)) {
    const std::size_t tab1 = row.find('\t');
    const std::size_t tab2 = row.rfind('\t');
    CorpusLine line{row.substr(0, tab1), row.substr(tab1 + 1, tab2 - tab1 - 1), ""};
    for (std::size_t i = 0; i < line.escaped.size(); ++i) {
      if (line.escaped.compare(i, 2, "\\t") == 0) {
        line.line += '\t';
        ++i;
      } else {
        line.line += line.escaped[i];
      }
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::map<std::string, nlohmann::json> oracle() {
  std::ifstream in(data_path("corpus-crontab-lines.oracle.jsonl"));
  std::map<std::string, nlohmann::json> by_line;
  std::string row;
  while (std::getline(in, row)) {
    auto record = nlohmann::json::parse(row);
    by_line.emplace(record.at("line").get<std::string>(), std::move(record));
  }
  return by_line;
}

// What the shell did before jsub saw the word: `~` and `$HOME`/`${HOME}` became the home.
std::string expand_home(const ShellWord& word) {
  std::string value = word.value;
  if (word.tilde && (value == "~" || value.rfind("~/", 0) == 0)) value = kHome + value.substr(1);
  for (const std::string var : {"${HOME}", "$HOME"}) {
    for (std::size_t at = value.find(var); at != std::string::npos; at = value.find(var, at)) {
      value.replace(at, var.size(), kHome);
      at += kHome.size();
    }
  }
  return value;
}

TEST(CronCorpus, FixturesArePresent) {
  EXPECT_EQ(corpus_lines().size(), 42u);
  EXPECT_EQ(oracle().size(), 36u);
}

TEST(CronCorpus, EveryLineParsesAndMatchesTheOracle) {
  const auto answers = oracle();
  int compared = 0;
  int commented = 0;
  for (const CorpusLine& corpus : corpus_lines()) {
    SCOPED_TRACE(corpus.source + ": " + corpus.line);
    const Crontab crontab = parse_crontab(corpus.line);
    ASSERT_EQ(crontab.entries.size(), 1u);
    const Entry& entry = crontab.entries[0];
    const CronLine* job = entry.job();
    if (entry.comment() != nullptr) {
      ASSERT_TRUE(entry.comment()->commented_job.has_value()) << "commented job not recognised";
      job = &*entry.comment()->commented_job;
      ++commented;
    }
    ASSERT_NE(job, nullptr) << (entry.error() ? entry.error()->reason : "not a job");
    EXPECT_FALSE(job->schedule.to_kubernetes_schedule().empty());

    const CommandScan scan = find_grid_commands(job->command);
    const auto answer = answers.find(corpus.escaped);
    if (answer == answers.end()) {
      // jlocal lines ran on the cron host; the qsub line has no jsub oracle.
      if (scan.uses_jlocal) {
        EXPECT_EQ(scan.classification, CommandClass::Local);
      } else {
        ASSERT_EQ(scan.commands.size(), 1u);
        EXPECT_EQ(scan.commands[0].name, "qsub");
      }
      continue;
    }
    ASSERT_EQ(scan.classification, CommandClass::Grid);
    ASSERT_EQ(scan.commands.size(), 1u);
    const GridCommand& found = scan.commands[0];
    EXPECT_EQ(found.name, answer->second.at("command").get<std::string>());
    std::vector<std::string> argv;
    for (const ShellWord& word : found.words) argv.push_back(expand_home(word));
    EXPECT_EQ(argv, answer->second.at("argv").get<std::vector<std::string>>());
    // The span maps back to the line as written and starts with the command word.
    const std::size_t begin = job->line_offset(found.begin);
    EXPECT_EQ(corpus.line.compare(begin, found.invoked_as.size(), found.invoked_as), 0);
    ++compared;
  }
  EXPECT_EQ(compared, 36);
  EXPECT_EQ(commented, 7);
}

TEST(CronCorpus, SchedulesOfTheCorpus) {
  EXPECT_EQ(parse_job_line("#1\t23\t*\t*\t* x").has_value(), false);
  auto canvi = parse_commented_job("#1\t23\t*\t*\t* /usr/bin/jsub -N canvi_dia -once -quiet x.sh");
  ASSERT_TRUE(canvi.has_value());
  EXPECT_EQ(canvi->schedule.to_kubernetes_schedule(), "1\t23\t*\t*\t*");
  auto every_minute = parse_job_line("* * * * * /usr/bin/jsub -N bigbrother-bot -once x");
  ASSERT_TRUE(every_minute.has_value());
  EXPECT_EQ(every_minute->schedule.min_interval(), std::chrono::minutes(1));
  auto weekly = parse_job_line("15 6 * * 1,3,5 jsub x");
  ASSERT_TRUE(weekly.has_value());
  EXPECT_EQ(weekly->schedule.min_interval(), std::chrono::minutes(2 * 24 * 60));
}

}  // namespace
}  // namespace k8sjobs::cron
