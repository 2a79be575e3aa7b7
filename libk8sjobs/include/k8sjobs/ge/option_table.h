#pragma once
// The one declarative table of every Grid Engine submit option jsub, jstart and qcronsub
// understand: its argument, what k8sjobs does with it on Kubernetes, and its help text.
// The parser, the usage text and docs/options.md are all driven by this table.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace k8sjobs::ge {

enum class ArgKind {
  None,  // a flag: -cwd
  One,   // one word: -N name
  Two,   // two words: -pe smp 4
};

enum class Disposition {
  Translated,           // carried onto Kubernetes (or handled by the command itself)
  AcceptedWithWarning,  // accepted; using it adds a warning saying it has no (or less) effect
  Refused,              // the submission fails with the option's message
};

// Stable identifiers, so the parser switches on an enum rather than on spellings.
enum class OptionId {
  JobName,             // -N
  Memory,              // -mem
  Resources,           // -l
  Release,             // -release
  Once,                // -once
  Continuous,          // -continuous
  Quiet,               // -quiet
  Stderr,              // -stderr
  Umask,               // -umask
  StdoutPath,          // -o
  StderrPath,          // -e
  Join,                // -j
  Queue,               // -q
  MailList,            // -M
  MailOptions,         // -m
  StartTime,           // -a
  Cwd,                 // -cwd
  WorkingDir,          // -wd
  Hard,                // -hard
  Soft,                // -soft
  StdinPath,           // -i
  Now,                 // -now
  Priority,            // -p
  Sync,                // -sync
  Variables,           // -v
  Binary,              // -b
  ExportAll,           // -V
  TaskRange,           // -t
  TaskConcurrency,     // -tc
  Terse,               // -terse
  Rerunnable,          // -r
  ShellPath,           // -S
  Hold,                // -h
  HoldJid,             // -hold_jid
  HoldJidArray,        // -hold_jid_ad
  Account,             // -A
  Project,             // -P
  ParallelEnv,         // -pe
  OptionsFile,         // -@
  DirectivePrefix,     // -C
  Clear,               // -clear
  Notify,              // -notify
  Reservation,         // -R
  ShellMode,           // -shell
  Verify,              // -verify
  Validation,          // -w
  JobShare,            // -js
  AdvanceReservation,  // -ar
  Checkpoint,          // -ckpt
  CheckpointInterval,  // -c
  Deadline,            // -dl
  Binding,             // -binding
  Jsv,                 // -jsv
  MasterQueue,         // -masterq
  ContextAdd,          // -ac
  ContextDelete,       // -dc
  ContextSet,          // -sc
  Pty,                 // -pty
};

struct OptionSpec {
  OptionId id;
  std::string_view name;     // with its dash, exactly as typed: "-hold_jid"
  ArgKind arg;               // how many words follow it
  std::string_view metavar;  // "name", "y|n", "pe_name slots"; empty for flags
  Disposition disposition;
  // The last Toolforge jsub knew this option (the others are qsub options k8sjobs accepts
  // beyond what jsub did; the last jsub answered them with "unrecognized arguments").
  bool known_to_jsub;
  // One line: what it becomes on Kubernetes, why it has no effect, or (Refused) the exact
  // message the submission fails with.
  std::string_view kubernetes;
  std::string_view help;  // one line for `jsub -help` and docs/options.md
};

// Every option, in the order of the usage text (jsub's own options first).
std::span<const OptionSpec> option_table();

// The exact spelling only: Grid Engine has no abbreviations and no `--long` forms.
const OptionSpec* find_option(std::string_view name);
const OptionSpec& option_spec(OptionId id);

// Grid Engine's qsub has this option: every one but Toolforge jsub's own (-mem, -once,
// -continuous, -quiet, -stderr, -umask, -release), which qsub refuses as it refused any word it
// did not know.
bool known_to_qsub(const OptionSpec& spec);

std::string_view to_string(Disposition disposition);

// Usage text for `<command> -help`, generated from the table.
std::string usage_text(std::string_view command);

// docs/options.md, generated from the table (a unit test keeps the file in sync).
std::string options_markdown();

// The OPTIONS entries of the jsub, jstart and qcronsub man pages (go-md2man Markdown: one
// definition-list item per option, with its help, its Kubernetes meaning and its disposition),
// generated from the table so the man pages cannot drift from the parser. For "qsub": only the
// options qsub knows (known_to_qsub), its refusals worded as qsub prints them.
std::string options_manpage_markdown(std::string_view command = "jsub");

// The option words `<command> --help` lists: every one, or for "qsub" those qsub knows.
std::vector<std::string_view> option_words(std::string_view command);

}  // namespace k8sjobs::ge
