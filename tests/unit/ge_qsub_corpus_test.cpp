// SPDX-License-Identifier: Apache-2.0
// Golden table: what every real `qsub` line of the corpus (tests/data/corpus/real-lines.tsv)
// means to ge::parse_submit in Qsub mode: refused (message and exit code) or accepted, with the
// job's name, -b, program or script and its words, memory, time, slots, working directory,
// array, output files and what was ignored. Each row was reviewed by hand against Son of Grid
// Engine 8.1.9's qsub (see tests/data/corpus/README.md); the test fails when the meaning of any
// line changes.
//
// qsub lines are found as translate_image_corpus_test.cpp finds them: the crontab command
// finder on the line (without its schedule or the '#' that commented it out). Their variables
// are then expanded with the sample values of kShellVariables below, as the shell would have
// expanded them at run time (an unquoted expansion is split at blanks), and the words are
// parsed in Qsub mode on the FakeHost of corpus_host().
//
// Review notes (Grid Engine 8.1.9 against each row):
// - Names: -N where given, else the basename of the script or -b y command (Grid Engine's
//   whole basename, not jsub's up to the first '.'). `-N 'shapeit2_phase3_1kG'` is unquoted.
// - -b y runs the program found as given (`python` on $PATH, absolute paths as they are); its
//   words after the program are the program's, even `-check`, `-o ...`, `-e 5`, `-w 0.5`.
// - Memory: -l h_vmem, h_data and h_rss are memory limits (the execution host set them as
//   rlimits; the smallest given wins); `8G` is 8 GiB, `256m` 256000000 bytes (lowercase
//   multipliers are powers of 1000 in Grid Engine: the row that found the parser reading qsub's
//   `256m` as jsub's 256 MiB). h_stack, `time` and the boolean `highp` (a name alone
//   is a boolean request) are ignored with a warning, as k8sjobs does with every resource it
//   does not translate; a stock Grid Engine without those site complexes would refuse `time`
//   and `highp` ("unknown resource"), the UCLA cluster the lines come from had them. `time` is
//   not taken as h_rt.
// - -pe shm 4 is 4 CPUs; -q extended and -q task are kept as asked; -R y and -w e are accepted
//   with a warning; -hard (in $STDOPTS) changes nothing; -j yes sends stderr to the -o file.
// - Working directory: $HOME without -cwd/-wd; -wd as given. Output into an existing
//   directory (-o/-e, or the default one) is <name>.o<job>[.<task>], a file path is that file.
// - `-hold_jid align` is kept for submission, where it is resolved against the user's jobs
//   (jobs/predecessors.h) and the job waits until `align` ends, as in Grid Engine.
// - The commented-out pe_alltools.sh line has no script word: qsub would read the script from
//   standard input, which this host cannot give (the message is k8sjobs's). `gdrive` is
//   refused as Grid Engine refuses it: without -b y the word is a script file in the cwd.
//
// Regenerate after a deliberate change of the parser:
//   K8SJOBS_UPDATE_GOLDEN=1 build/tests/k8sjobs_unit_tests --gtest_filter='QsubCorpus.*'
// and review every changed row of tests/data/corpus/qsub-lines.tsv.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ge_fake_host.h"
#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_parser.h"
#include "support/build_paths.h"
#include "support/corpus_lines.h"
#include "support/golden_file.h"
#include "support/temp_dir.h"

namespace k8sjobs::ge {
namespace {

using k8sjobs::testing::command_of;
using k8sjobs::testing::one_line;

using Words = std::vector<std::string>;

const std::string kCorpus = std::string(K8SJOBS_TEST_DATA_DIR) + "/corpus/";
const std::string kTable = kCorpus + "qsub-lines.tsv";

// What the shell had in these variables when the line ran. PPATH and STDOPTS are the values
// the UKBot README sets in the same crontab; USER is the fake host's user; `i` and POP are a
// value of the loops around the armartin lines (`for POP in ...; do for i in {1..22}; do`);
// the others are sample values of the smangul1 scripts. An assignment on the line before the
// qsub (`i=550_Omni; qsub ...`) wins over these.
const std::map<std::string, std::string> kShellVariables = {
    {"PPATH", "/data/project/ukbot"},
    {"STDOPTS", "-q task -hard -j yes"},
    {"USER", "tools.alice"},
    {"i", "22"},
    {"POP", "MXL"},
    {"JOBNAME", "igh"},
    {"HDATA", "8G"},
    {"TIME", "24:00:00"},
    {"MASTERWRAPPER", "/u/home/k/keithgmi/project-zarlab/ec2/wrappers/master_wrapper.sh"},
    {"TRUE1", "true_1.fastq"},
    {"TRUE2", "true_2.fastq"},
    {"RAW1", "raw_1.fastq"},
    {"RAW2", "raw_2.fastq"},
    {"KMER", "21"},
    {"KMER2", "25"},
    {"GLEN", "3000000"},
    {"RLEN", "100"},
    {"BFC", "bfc"},
};

// The submit host: tools.alice in /data/project/alice (ge_fake_host.h). Every script, program
// and directory the lines name exists (a script is a one-line shell script: the corpus has no
// script contents, so no #$ lines), except `gdrive`: an installed program, not a script in the
// working directory, which is where qsub (without -b y) looks for it. Standard input is not
// readable (qsub without a script word has nothing to read).
testing::FakeHost corpus_host() {
  testing::FakeHost host;
  for (const char* script : {"/data/project/alice/align.sh", "/data/project/alice/sam2bam.sh",
                             "/data/project/alice/qarray.sh", "/data/project/alice/reproduce.sh",
                             "/data/project/ukbot/jobs/upload.sh",
                             "/u/flashscratch/k/keithgmi/rep_seq_real/generate_files.sh",
                             "/u/home/k/keithgmi/project-zarlab/ec2/wrappers/master_wrapper.sh"}) {
    host.program(script, "#!/bin/bash\necho job\n");
  }
  for (const char* program :
       {"/usr/bin/python", "/srv/gs1/projects/bustamante/scg3_inhousebin/shapeit2",
        "/home/armartin/bustamante/progs/PCAmask/PCAmask_linux"}) {
    host.executables.insert(program);
  }
  for (const char* directory :
       {"/home/armartin/rare/chip_collab/admixed/affy6/rfmix_logs",
        "/home/armartin/rare/chip_collab/admixed/NATAM/shapeit_logs",
        "/home/armartin/gsfs0/sa_analysis/aspca/logs", "/data/project/ukbot/logs"}) {
    host.directories.insert(directory);
  }
  return host;
}

// `NAME=value` assignments before `end` in the command text, as separate simple commands
// (`i=550_Omni; qsub ...`).
std::map<std::string, std::string> assignments_before(const std::string& text, std::size_t end) {
  std::map<std::string, std::string> found;
  std::istringstream in(text.substr(0, end));
  for (std::string word; in >> word;) {
    while (!word.empty() && word.back() == ';') word.pop_back();
    const auto equals = word.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    const std::string name = word.substr(0, equals);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
        std::string::npos) {
      continue;
    }
    found[name] = word.substr(equals + 1);
  }
  return found;
}

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// $NAME and ${NAME} in a word after quote removal. An unknown variable fails the test: a new
// corpus line needs its sample value here.
std::string expand(const std::string& word, const std::map<std::string, std::string>& variables) {
  std::string out;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] != '$' || i + 1 == word.size()) {
      out += word[i];
      continue;
    }
    std::string name;
    if (word[i + 1] == '{') {
      const auto close = word.find('}', i);
      name = word.substr(i + 2, close - i - 2);
      i = close;
    } else {
      std::size_t j = i + 1;
      while (j < word.size() && name_char(word[j])) ++j;
      name = word.substr(i + 1, j - i - 1);
      i = j - 1;
    }
    const auto value = variables.find(name);
    if (value == variables.end()) {
      ADD_FAILURE() << "no sample value for $" << name << " (add it to kShellVariables)";
      continue;
    }
    out += value->second;
  }
  return out;
}

Words expanded_argv(const cron::GridCommand& command,
                    const std::map<std::string, std::string>& variables) {
  Words argv;
  for (const auto& word : command.words) {
    if (!word.expansion) {
      argv.push_back(word.value);
      continue;
    }
    const std::string value = expand(word.value, variables);
    if (word.quoted) {  // "..." keeps the expansion one word (no word in the corpus mixes both)
      argv.push_back(value);
      continue;
    }
    std::istringstream fields(value);  // an unquoted expansion is split at blanks
    for (std::string field; fields >> field;) argv.push_back(field);
  }
  return argv;
}

std::string joined(const Words& words, const std::string& separator = " ") {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

std::string yes_no(const std::optional<bool>& value) {
  return value ? (*value ? "y" : "n") : "-";
}

// One row: what the request means. Every field is named; "-" is "not given".
std::string meaning_of(const SubmitRequest& r, const testing::FakeHost& host) {
  std::vector<std::string> fields;
  fields.push_back("name=" + r.job_name);
  fields.push_back("b=" + yes_no(r.binary));
  fields.push_back("program=" + r.resolved_program);
  fields.push_back("args=" + joined(r.program_args));
  if (r.script) fields.push_back("interpreter=" + joined(r.interpreter));
  fields.push_back("memory=" + (r.memory_given ? std::to_string(r.memory_kib) + "k" : "-"));
  fields.push_back("h_rt=" +
                   (r.time_limit_seconds ? std::to_string(*r.time_limit_seconds) + "s" : "-"));
  fields.push_back("pe=" + (r.parallel_environment
                                ? r.parallel_environment->name + ":" + std::to_string(*r.cpus)
                                : std::string("-")));
  fields.push_back("queue=" + r.requested_queue.value_or("-"));
  fields.push_back("wd=" + r.working_dir);
  fields.push_back("t=" +
                   (r.array ? std::to_string(r.array->first) + "-" + std::to_string(r.array->last) +
                                  ":" + std::to_string(r.array->step)
                            : std::string("-")));
  fields.push_back("tc=" + (r.task_concurrency ? std::to_string(*r.task_concurrency) : "-"));
  OutputPathContext context;
  context.job_id = 4711;
  if (r.array) context.task_id = r.array->first;
  context.hostname = "exec-host";
  context.is_directory = [&host](const std::string& path) { return host.is_directory(path); };
  const auto paths = resolve_output_paths(r, context);
  fields.push_back("o=" + paths.stdout_path);
  fields.push_back("e=" + paths.stderr_path);
  fields.push_back(std::string("V=") + (r.export_all ? "y" : "n"));
  fields.push_back("M=" + (r.mail_list_given ? joined(r.mail_list, ",") : "-"));
  fields.push_back("m=" + (r.mail_options.empty() ? "-" : r.mail_options));
  Words ignored;
  for (const auto& resource : r.ignored_resources) {
    ignored.push_back(resource.name + (resource.value ? "=" + *resource.value : ""));
  }
  fields.push_back("ignored_l=" + (ignored.empty() ? "-" : joined(ignored, ",")));
  Words warned;
  for (const auto& warning : r.warnings) warned.push_back(warning.option);
  fields.push_back("warned=" + (warned.empty() ? "-" : joined(warned, ",")));
  return joined(fields, "\t");
}

std::string qsub_table() {
  const auto host = corpus_host();
  std::string table =
      "# Every qsub line of real-lines.tsv and what ge::parse_submit (Qsub mode) makes of it.\n"
      "# Generated by tests/unit/ge_qsub_corpus_test.cpp (see there to regenerate); every row is\n"
      "# reviewed against Grid Engine 8.1.9 (see README.md).\n"
      "# source\tline\tverdict\tmeaning (accepted) or exit code and message (refused)\n";
  std::ifstream tsv(kCorpus + "real-lines.tsv");
  for (std::string text; std::getline(tsv, text);) {
    std::vector<std::string> fields;
    std::istringstream row(text);
    for (std::string field; std::getline(row, field, '\t');) fields.push_back(field);
    if (fields.size() < 3) continue;
    const std::string command = command_of(fields[1], fields[2]);
    const auto scan = cron::find_grid_commands(command);
    for (const auto& found : scan.commands) {
      if (found.name != "qsub") continue;
      auto variables = kShellVariables;
      for (const auto& [name, value] : assignments_before(command, found.begin)) {
        variables[name] = value;
      }
      const Words argv = expanded_argv(found, variables);
      const auto parsed = parse_submit(Mode::Qsub, argv, host);
      table += fields[0] + "\t" + one_line(fields[1]) + "\t";
      if (parsed) {
        table += "accepted\t" + meaning_of(*parsed, host) + "\n";
      } else {
        table += "refused\texit=" + std::to_string(parsed.error().exit_code) + "\t" +
                 one_line(parsed.error().message) + "\n";
      }
    }
  }
  return table;
}

TEST(QsubCorpus, EveryQsubLineMeansWhatTheGoldenTableSays) {
  k8sjobs::testing::expect_golden_file(kTable, qsub_table(), "--gtest_filter='QsubCorpus.*'");
}

// The corpus has 16 qsub lines; a finder or corpus change that loses one must be seen.
TEST(QsubCorpus, TheTableCoversEveryQsubLine) {
  const std::string table = k8sjobs::testing::read_file(kTable);
  std::size_t rows = 0;
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') ++rows;
  }
  EXPECT_EQ(rows, 16u);
}

}  // namespace
}  // namespace k8sjobs::ge
